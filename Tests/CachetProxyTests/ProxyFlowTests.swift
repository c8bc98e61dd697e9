import HTTPTypes
import NIOCore
import Testing

@testable import CachetProxy

/// The request flow end to end: real HTTP over loopback, time driven by a manual clock.
@Suite("Proxy request flow")
struct ProxyFlowTests {
    @Test("miss then hit: one origin request, MISS then HIT, Age from the clock (RFC 9111 §4, §5.1)")
    func missThenHit() async throws {
        let h = try await ProxyHarness.make()
        h.origin.route("/a") { _, _ in h.origin.ok("hello", [(.cacheControl, "max-age=60"), (.eTag, "\"v1\"")]) }
        let first = try await h.get("/a")
        #expect(first.status == 200)
        #expect(first.body == "hello")
        #expect(first["X-Cache"] == "MISS")
        #expect(first["Cache-Status"]?.hasPrefix("cachet;fwd=uri-miss;fwd-status=200;stored") == true)
        #expect(first["Via"] == "1.1 cachet")
        h.advance(10)
        let second = try await h.get("/a")
        #expect(second.status == 200)
        #expect(second.body == "hello")
        #expect(second["X-Cache"] == "HIT")
        #expect(second["Age"] == "10")
        #expect(second["Cache-Status"] == "cachet;hit;ttl=50")
        #expect(second["Date"] == first["Date"])
        #expect(h.origin.count("/a") == 1)
        try await h.shutdown()
    }

    @Test("a client's If-None-Match with a weak tag gets 304 from the cache with the seed's fields (RFC 9110 §13.1.2, §15.4.5)")
    func notModifiedFromCache() async throws {
        let h = try await ProxyHarness.make()
        h.origin.route("/a") { _, _ in
            h.origin.ok("hello", [
                (.cacheControl, "max-age=60"), (.eTag, "\"v1\""), (.expires, "Thu, 01 Jan 2099 00:00:00 GMT"),
                (.vary, "Accept-Encoding"), (.contentType, "text/plain"), (.contentLocation, "/a.txt"),
            ])
        }
        _ = try await h.get("/a")
        h.advance(5)
        let conditional = try await h.get("/a", [("If-None-Match", "W/\"v1\"")])
        #expect(conditional.status == 304)
        #expect(conditional.body.isEmpty)
        #expect(conditional["ETag"] == "\"v1\"")
        #expect(conditional["Cache-Control"] == "max-age=60")
        #expect(conditional["Expires"] == "Thu, 01 Jan 2099 00:00:00 GMT")
        #expect(conditional["Vary"] == "Accept-Encoding")
        #expect(conditional["Content-Location"] == "/a.txt")
        #expect(conditional["Date"] != nil)
        #expect(conditional["Age"] == "5")
        #expect(conditional["Content-Type"] == nil)
        #expect(conditional["X-Cache"] == "HIT")
        let other = try await h.get("/a", [("If-None-Match", "\"v0\", \"v2\"")])
        #expect(other.status == 200)
        #expect(other.body == "hello")
        #expect(h.origin.count("/a") == 1)
        try await h.shutdown()
    }

    @Test("souin#794: no 304 for a client that sent no condition, even right after a revalidation")
    func noUnaskedNotModified() async throws {
        let h = try await ProxyHarness.make()
        h.origin.route("/a") { request, count in
            if count > 1, request.headerFields[.ifNoneMatch] == "\"v1\"" {
                return h.origin.reply(.notModified, [(.eTag, "\"v1\""), (.cacheControl, "max-age=0, must-revalidate")])
            }
            return h.origin.ok("body", [(.cacheControl, "max-age=0, must-revalidate"), (.eTag, "\"v1\"")])
        }
        _ = try await h.get("/a")
        let again = try await h.get("/a")
        #expect(again.status == 200)
        #expect(again.body == "body")
        #expect(again["Cache-Status"]?.contains("fwd=stale;fwd-status=304") == true, "\(again.headers)")
        #expect(h.origin.count("/a") == 2)
        #expect(h.origin.requests("/a").last?.headerFields[.ifNoneMatch] == "\"v1\"")
        try await h.shutdown()
    }

    @Test("souin#809, nginx: a 304 freshens the stored response: new Cache-Control and new fields, Content-Length kept (RFC 9111 §3.2, §4.3.4)")
    func notModifiedFreshens() async throws {
        let h = try await ProxyHarness.make()
        h.origin.route("/a") { request, count in
            if count == 1 {
                return h.origin.ok("0123456789", [(.cacheControl, "max-age=10"), (.eTag, "\"v1\""), (HTTPField.Name("X-Version")!, "1")])
            }
            #expect(request.headerFields[.ifNoneMatch] == "\"v1\"")
            return h.origin.reply(.notModified, [
                (.cacheControl, "max-age=100"), (.eTag, "\"v1\""), (HTTPField.Name("X-Version")!, "2"),
                (HTTPField.Name("X-New")!, "added"), (.contentLength, "0"),
            ])
        }
        _ = try await h.get("/a")
        h.advance(20)
        let revalidated = try await h.get("/a")
        #expect(revalidated.status == 200)
        #expect(revalidated.body == "0123456789")
        #expect(revalidated["X-Version"] == "2")
        #expect(revalidated["X-New"] == "added")
        #expect(revalidated["Content-Length"] == "10")
        #expect(revalidated["Cache-Control"] == "max-age=100")
        h.advance(50)
        let hit = try await h.get("/a")
        #expect(hit["X-Cache"] == "HIT")
        #expect(hit["X-Version"] == "2")
        #expect(hit["Age"] == "50")
        #expect(h.origin.count("/a") == 2)
        try await h.shutdown()
    }

    @Test("a revalidation answered 200 replaces the stored response (RFC 9111 §4.3.3)")
    func modifiedReplaces() async throws {
        let h = try await ProxyHarness.make()
        h.origin.route("/a") { _, count in
            h.origin.ok("version \(count)", [(.cacheControl, "max-age=10"), (.eTag, "\"v\(count)\"")])
        }
        #expect(try await h.get("/a").body == "version 1")
        h.advance(11)
        #expect(try await h.get("/a").body == "version 2")
        #expect(h.origin.requests("/a").last?.headerFields[.ifNoneMatch] == "\"v1\"")
        let hit = try await h.get("/a")
        #expect(hit.body == "version 2")
        #expect(hit["X-Cache"] == "HIT")
        try await h.shutdown()
    }

    @Test("Vary: several variants stored side by side, each a hit for its own requests (RFC 9111 §4.1)")
    func varyVariants() async throws {
        let h = try await ProxyHarness.make()
        h.origin.route("/v") { request, _ in
            let encoding = request.headerFields[.acceptEncoding] ?? "identity"
            return h.origin.ok("as \(encoding)", [(.cacheControl, "max-age=60"), (.vary, "Accept-Encoding")])
        }
        #expect(try await h.get("/v", [("Accept-Encoding", "gzip")]).body == "as gzip")
        #expect(try await h.get("/v", [("Accept-Encoding", "br")]).body == "as br")
        let gzip = try await h.get("/v", [("Accept-Encoding", "gzip")])
        let br = try await h.get("/v", [("Accept-Encoding", "br")])
        #expect(gzip.body == "as gzip")
        #expect(gzip["X-Cache"] == "HIT")
        #expect(br.body == "as br")
        #expect(br["X-Cache"] == "HIT")
        #expect(h.origin.count("/v") == 2)
        try await h.shutdown()
    }

    @Test("no-store, private and Authorization responses are not shared (RFC 9111 §3, §3.5)", arguments: [
        ("no-store", false), ("private, max-age=60", false), ("max-age=60", true),
    ])
    func notShared(cacheControl: String, withAuthorization: Bool) async throws {
        let h = try await ProxyHarness.make()
        h.origin.route("/p") { _, count in h.origin.ok("n\(count)", [(.cacheControl, cacheControl)]) }
        let headers = withAuthorization ? [("Authorization", "Bearer x")] : []
        #expect(try await h.get("/p", headers).body == "n1")
        let second = try await h.get("/p", headers)
        #expect(second.body == "n2")
        #expect(second["X-Cache"] == "MISS")
        #expect(h.origin.count("/p") == 2)
        try await h.shutdown()
    }

    @Test("Authorization with public is shared (RFC 9111 §3.5)")
    func authorizationPublic() async throws {
        let h = try await ProxyHarness.make()
        h.origin.route("/p") { _, count in h.origin.ok("n\(count)", [(.cacheControl, "public, max-age=60")]) }
        _ = try await h.get("/p", [("Authorization", "Bearer x")])
        #expect(try await h.get("/p", [("Authorization", "Bearer x")])["X-Cache"] == "HIT")
        try await h.shutdown()
    }

    @Test("POST invalidates the target URI and a same-origin Content-Location (RFC 9111 §4.4)")
    func unsafeInvalidates() async throws {
        let h = try await ProxyHarness.make()
        h.origin.route("/doc") { request, count in
            if request.method == .post {
                return h.origin.reply(.ok, [(.contentLocation, "/other")], body: "posted")
            }
            return h.origin.ok("doc \(count)", [(.cacheControl, "max-age=60")])
        }
        h.origin.route("/other") { _, count in h.origin.ok("other \(count)", [(.cacheControl, "max-age=60")]) }
        _ = try await h.get("/doc")
        _ = try await h.get("/other")
        #expect(try await h.get("/doc")["X-Cache"] == "HIT")
        let posted = try await h.request(.POST, "/doc", body: "x")
        #expect(posted.status == 200)
        #expect(posted.body == "posted")
        let after = try await h.get("/doc")
        #expect(after["X-Cache"] == "MISS")
        #expect(try await h.get("/other")["X-Cache"] == "MISS")
        try await h.shutdown()
    }

    @Test("a failed POST invalidates nothing (RFC 9111 §4.4: only non-error statuses)")
    func failedUnsafeKeeps() async throws {
        let h = try await ProxyHarness.make()
        h.origin.route("/doc") { request, count in
            if request.method == .post { return h.origin.reply(.internalServerError, [], body: "no") }
            return h.origin.ok("doc \(count)", [(.cacheControl, "max-age=60")])
        }
        _ = try await h.get("/doc")
        #expect(try await h.request(.POST, "/doc", body: "x").status == 500)
        #expect(try await h.get("/doc")["X-Cache"] == "HIT")
        try await h.shutdown()
    }

    @Test("hop-by-hop fields are stripped and Via is added (RFC 9110 §7.6.1, §7.6.3)")
    func hopByHop() async throws {
        let h = try await ProxyHarness.make()
        h.origin.route("/h") { _, _ in
            h.origin.ok("x", [
                (.cacheControl, "max-age=60"), (.connection, "X-Private-Hop"), (HTTPField.Name("X-Private-Hop")!, "secret"),
                (HTTPField.Name("Keep-Alive")!, "timeout=5"), (.via, "1.1 origin-side"),
            ])
        }
        for expected in ["MISS", "HIT"] {
            let response = try await h.get("/h", [("Connection", "X-Client-Hop"), ("X-Client-Hop", "c")])
            #expect(response["X-Cache"] == expected)
            #expect(response["X-Private-Hop"] == nil)
            #expect(response["Keep-Alive"] == nil)
            #expect(response["Via"] == "1.1 origin-side, 1.1 cachet")
        }
        let forwarded = try #require(h.origin.requests("/h").first)
        #expect(forwarded.headerFields[HTTPField.Name("X-Client-Hop")!] == nil)
        #expect(forwarded.headerFields[.via] == "1.1 cachet")
        try await h.shutdown()
    }

    @Test("a range request is answered from the stored complete response (RFC 9111 §3.4, RFC 9110 §14)")
    func rangeFromCache() async throws {
        let h = try await ProxyHarness.make()
        h.origin.route("/r") { _, _ in h.origin.ok("abcdefghijklmnopqrstuvwxyz", [(.cacheControl, "max-age=60"), (.eTag, "\"r1\"")]) }
        _ = try await h.get("/r")
        let partial = try await h.get("/r", [("Range", "bytes=0-4")])
        #expect(partial.status == 206)
        #expect(partial.body == "abcde")
        #expect(partial["Content-Range"] == "bytes 0-4/26")
        let ifRangeMismatch = try await h.get("/r", [("Range", "bytes=0-4"), ("If-Range", "\"other\"")])
        #expect(ifRangeMismatch.status == 200)
        #expect(ifRangeMismatch.body.count == 26)
        let unsatisfiable = try await h.get("/r", [("Range", "bytes=100-")])
        #expect(unsatisfiable.status == 416)
        #expect(unsatisfiable["Content-Range"] == "bytes */26")
        #expect(h.origin.count("/r") == 1)
        #expect(h.origin.requests("/r").first?.headerFields[.range] == nil)
        try await h.shutdown()
    }

    @Test("only-if-cached with nothing stored answers 504 (RFC 9111 §5.2.1.7)")
    func onlyIfCached() async throws {
        let h = try await ProxyHarness.make()
        h.origin.route("/o") { _, _ in h.origin.ok("x", [(.cacheControl, "max-age=60")]) }
        let response = try await h.get("/o", [("Cache-Control", "only-if-cached")])
        #expect(response.status == 504)
        #expect(h.origin.count("/o") == 0)
        try await h.shutdown()
    }
}
