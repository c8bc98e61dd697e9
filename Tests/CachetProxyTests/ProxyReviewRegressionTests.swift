import CachetTestSupport
import HTTPTypes
import NIOCore
import Testing

@testable import CachetProxy

/// Regression tests for defects found in review of the request flow.
@Suite("Proxy review regressions")
struct ProxyReviewRegressionTests {
    @Test("a 304 that makes the response private removes the shared entry (RFC 9111 §3.2, §5.2.2.7)")
    func notModifiedPrivate() async throws {
        let h = try await ProxyHarness.make()
        h.origin.route("/p") { _, count in
            if count == 1 { return h.origin.ok("body", [(.cacheControl, "max-age=0, must-revalidate"), (.eTag, "\"a\"")]) }
            if count == 2 { return h.origin.reply(.notModified, [(.eTag, "\"a\""), (.cacheControl, "private, max-age=300")]) }
            return h.origin.ok("fresh", [(.cacheControl, "private, max-age=300"), (.eTag, "\"a\"")])
        }
        _ = try await h.get("/p")
        let revalidated = try await h.get("/p")
        #expect(revalidated.status == 200)
        #expect(revalidated.body == "body")
        let next = try await h.get("/p")
        #expect(next["X-Cache"] == "MISS")
        #expect(next.body == "fresh")
        #expect(h.origin.count("/p") == 3)
        try await h.shutdown()
    }

    @Test("a 500 while revalidating in the background keeps the stale entry (RFC 5861)")
    func backgroundServerErrorKeepsEntry() async throws {
        let h = try await ProxyHarness.make()
        h.origin.route("/s") { _, count in
            if count == 1 { return h.origin.ok("good", [(.cacheControl, "max-age=10, stale-while-revalidate=600")]) }
            return h.origin.reply(.internalServerError, [], body: "broken")
        }
        _ = try await h.get("/s")
        h.advance(20)
        #expect(try await h.get("/s").body == "good")
        await h.proxy.waitForBackgroundWork()
        let again = try await h.get("/s")
        #expect(again.body == "good")
        #expect(again["X-Cache"] == "HIT")
        try await h.shutdown()
    }

    @Test("a 500 answering a foreground revalidation goes to the client and keeps the stored entry")
    func foregroundServerErrorKeepsEntry() async throws {
        let h = try await ProxyHarness.make()
        h.origin.route("/f") { _, count in
            if count == 1 { return h.origin.ok("good", [(.cacheControl, "max-age=10, stale-if-error=5"), (.eTag, "\"g\"")]) }
            if count == 2 { return h.origin.reply(.internalServerError, [], body: "broken") }
            return h.origin.reply(.notModified, [(.eTag, "\"g\""), (.cacheControl, "max-age=10")])
        }
        _ = try await h.get("/f")
        h.advance(60)
        let failed = try await h.get("/f")
        #expect(failed.status == 500)
        let recovered = try await h.get("/f")
        #expect(recovered.status == 200)
        #expect(recovered.body == "good")
        #expect(recovered["Cache-Status"]?.contains("fwd=stale;fwd-status=304") == true)
        try await h.shutdown()
    }

    @Test("a HEAD miss stores the GET, and a later GET is a hit")
    func headMissStores() async throws {
        let h = try await ProxyHarness.make()
        h.origin.route("/h") { _, _ in h.origin.ok("twelve bytes", [(.cacheControl, "max-age=60")]) }
        let head = try await h.request(.HEAD, "/h")
        #expect(head.status == 200)
        #expect(head.body.isEmpty)
        #expect(head["Content-Length"] == "12")
        let get = try await h.get("/h")
        #expect(get.body == "twelve bytes")
        #expect(get["X-Cache"] == "HIT")
        #expect(h.origin.count("/h") == 1)
        #expect(h.origin.requests("/h").first?.method == .get)
        try await h.shutdown()
    }

    @Test("an origin that fails before any body byte reaches the client gives 502, not an empty reply")
    func failureBeforeFirstByte() async throws {
        let h = try await ProxyHarness.make()
        h.origin.route("/x") { _, _ in
            var reply = h.origin.ok(String(repeating: "x", count: 100), [(.cacheControl, "max-age=60")])
            reply.truncateAfter = 0
            return reply
        }
        let response = try await h.get("/x", [("If-None-Match", "\"nope\"")])
        #expect(response.status == 502)
        #expect(response["Cache-Status"]?.contains("fwd=uri-miss") == true)
        try await h.shutdown()
    }

    @Test("a chunked body that grows past the maximum object size passes through whole, unstored")
    func chunkedOverLimit() async throws {
        let h = try await ProxyHarness.make { $0.maximumObjectSize = 1000 }
        h.origin.route("/c") { _, _ in
            var reply = h.origin.ok(String(repeating: "c", count: 5000), [(.cacheControl, "max-age=60")])
            reply.chunked = true
            return reply
        }
        for _ in 0..<2 {
            let response = try await h.get("/c")
            #expect(response.body.count == 5000)
            #expect(response["X-Cache"] == "MISS")
        }
        let conditional = try await h.get("/c", [("If-None-Match", "\"x\"")])
        #expect(conditional.body.count == 5000)
        #expect(h.origin.count("/c") == 3)
        try await h.shutdown()
    }

    @Test("a chunked body within the limit is stored")
    func chunkedStored() async throws {
        let h = try await ProxyHarness.make()
        h.origin.route("/c") { _, _ in
            var reply = h.origin.ok(String(repeating: "c", count: 5000), [(.cacheControl, "max-age=60")])
            reply.chunked = true
            return reply
        }
        #expect(try await h.get("/c").body.count == 5000)
        let hit = try await h.get("/c")
        #expect(hit["X-Cache"] == "HIT")
        #expect(hit["Content-Length"] == "5000")
        try await h.shutdown()
    }

    @Test("an HTTP/1.0 client gets a body without Content-Length framed by the connection closing")
    func http10Framing() async throws {
        let h = try await ProxyHarness.make()
        h.origin.route("/n") { _, _ in
            var reply = h.origin.ok("not stored", [(.cacheControl, "no-store")])
            reply.chunked = true
            return reply
        }
        let answer = try await RawConnection.exchange(port: h.port, "GET /n HTTP/1.0\r\nHost: x\r\nConnection: keep-alive\r\n\r\n")
        #expect(answer.hasPrefix("HTTP/1.0 200"))
        #expect(answer.lowercased().contains("connection: close"))
        #expect(answer.hasSuffix("not stored"))
        try await h.shutdown()
    }

    @Test("a pass-through response carries no invented Age (RFC 9111 §5.1)")
    func noAgeOnPassThrough() async throws {
        let h = try await ProxyHarness.make()
        h.origin.route("/post") { _, _ in h.origin.reply(.created, [], body: "made") }
        let response = try await h.request(.POST, "/post", body: "x")
        #expect(response.status == 201)
        #expect(response["Age"] == nil)
        try await h.shutdown()
    }

    @Test("a private response still answers the client's own If-None-Match with 304")
    func privateConditional() async throws {
        let h = try await ProxyHarness.make()
        h.origin.route("/me") { _, _ in h.origin.ok("mine", [(.cacheControl, "private"), (.eTag, "\"m1\"")]) }
        let response = try await h.get("/me", [("If-None-Match", "\"m1\"")])
        #expect(response.status == 304)
        #expect(response.body.isEmpty)
        #expect(response["ETag"] == "\"m1\"")
        try await h.shutdown()
    }

    @Test("errors the proxy makes itself carry Cache-Status, X-Cache and Date")
    func errorHeaders() async throws {
        let h = try await ProxyHarness.make()
        let answer = try await RawConnection.exchange(port: h.port, "GET /a HTTP/1.1\r\n\r\n")
        #expect(answer.hasPrefix("HTTP/1.1 400"))
        #expect(answer.contains("Cache-Status: cachet"))
        #expect(answer.contains("X-Cache: MISS"))
        #expect(answer.contains("Date: "))
        try await h.shutdown()
    }
}
