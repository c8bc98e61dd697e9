import AsyncHTTPClient
import CachetStorage
import CachetTestSupport
import HTTPTypes
import NIOCore
import NIOHTTP1
import Testing

@testable import CachetProxy

/// PURGE: by URL (every variant), by surrogate key, soft (mark invalid, RFC 9111 §4.4), who
/// may purge, and `cachet purge`'s client, against a live proxy and origin.
@Suite("Proxy purge")
struct ProxyPurgeTests {
    static let purge = HTTPMethod.RAW(value: "PURGE")

    @Test("PURGE /path removes every variant of the URL, for GET and HEAD, and nothing else; the origin never sees it")
    func byURL() async throws {
        let h = try await ProxyHarness.make()
        h.origin.route("/v") { request, _ in
            let coding = request.headerFields[.acceptEncoding] ?? "identity"
            return h.origin.ok("body for \(coding)", [(.cacheControl, "max-age=600"), (.vary, "Accept-Encoding")])
        }
        h.origin.route("/other") { _, _ in h.origin.ok("other", [(.cacheControl, "max-age=600")]) }
        _ = try await h.get("/v", [("Accept-Encoding", "gzip")])
        _ = try await h.get("/v", [("Accept-Encoding", "br")])
        _ = try await h.get("/other")
        #expect(try await h.get("/v", [("Accept-Encoding", "gzip")])["X-Cache"] == "HIT")

        let purged = try await h.request(Self.purge, "/v")
        #expect(purged.status == 200)
        #expect(purged["Cachet-Purged"] == "2")
        #expect(purged.body == "Purged 2 stored responses.\n")
        #expect(purged["Cache-Control"] == "no-store")
        #expect(h.origin.requests("/v").allSatisfy { $0.method == .get })

        let head = try await h.request(.HEAD, "/v", [("Accept-Encoding", "br")])
        #expect(head["X-Cache"] == "MISS")
        let again = try await h.get("/v", [("Accept-Encoding", "gzip")])
        #expect(again["X-Cache"] == "MISS")
        #expect(again.body == "body for gzip")
        #expect(h.origin.count("/v") == 4)
        #expect(try await h.get("/other")["X-Cache"] == "HIT")

        // Nothing stored: still 200, with 0.
        let nothing = try await h.request(Self.purge, "/never-stored")
        #expect(nothing.status == 200)
        #expect(nothing["Cachet-Purged"] == "0")
        #expect(h.origin.count("/never-stored") == 0)
        try await h.shutdown()
    }

    @Test("PURGE with Surrogate-Key removes every response carrying one of the keys (Surrogate-Key and Cache-Tag), whatever its URL")
    func bySurrogateKey() async throws {
        let h = try await ProxyHarness.make()
        h.origin.route("/a") { _, _ in h.origin.ok("a", [(.cacheControl, "max-age=600"), (SurrogateKeys.surrogateKey, "article-1 front")]) }
        h.origin.route("/b") { _, _ in h.origin.ok("b", [(.cacheControl, "max-age=600"), (SurrogateKeys.cacheTag, "front, sports")]) }
        h.origin.route("/c") { _, _ in h.origin.ok("c", [(.cacheControl, "max-age=600"), (SurrogateKeys.surrogateKey, "sports")]) }
        for path in ["/a", "/b", "/c"] { _ = try await h.get(path) }

        let purged = try await h.request(Self.purge, "/", [("Surrogate-Key", "front")])
        #expect(purged.status == 200)
        #expect(purged["Cachet-Purged"] == "2")
        #expect(try await h.get("/a")["X-Cache"] == "MISS")
        #expect(try await h.get("/b")["X-Cache"] == "MISS")
        #expect(try await h.get("/c")["X-Cache"] == "HIT")

        // Several keys at once; a response carrying two of them counts once.
        let both = try await h.request(Self.purge, "/", [("Surrogate-Key", "sports article-1")])
        #expect(both["Cachet-Purged"] == "3")
        for path in ["/a", "/b", "/c"] { #expect(try await h.get(path)["X-Cache"] == "MISS") }
        #expect(h.proxy.store.keys(taggedWith: "front").count == 2, "the refetched responses are indexed again")
        try await h.shutdown()
    }

    @Test("with --disk, a purge by URL or by key also removes entries only the disk holds, after a restart too")
    func diskTier() async throws {
        try await withTemporaryFolder { folder in
            let disk = DiskConfiguration(path: folder, limit: 1 << 30, minimumFreeBytes: 0)
            let a = try await ProxyHarness.make { $0.disk = disk }
            a.origin.route("/t1") { _, _ in a.origin.ok("one", [(.cacheControl, "max-age=600"), (SurrogateKeys.surrogateKey, "team")]) }
            a.origin.route("/t2") { _, _ in a.origin.ok("two", [(.cacheControl, "max-age=600"), (SurrogateKeys.surrogateKey, "team")]) }
            a.origin.route("/u") { _, _ in a.origin.ok("u", [(.cacheControl, "max-age=600")]) }
            for path in ["/t1", "/t2", "/u"] { _ = try await a.get(path) }
            try await a.shutdownProxy()
            #expect(entryFiles(in: folder).count == 3)

            // A new proxy knows the keys from the entry files alone.
            let b = try await ProxyHarness.make(sharing: a) { $0.disk = disk }
            #expect(b.proxy.store.statistics.entries == 0)
            #expect(b.proxy.diskStore?.keys(taggedWith: "team").count == 2)
            let byKey = try await b.request(Self.purge, "/", [("Surrogate-Key", "team")])
            #expect(byKey["Cachet-Purged"] == "2")
            let byURL = try await b.request(Self.purge, "/u")
            #expect(byURL["Cachet-Purged"] == "1")
            #expect(entryFiles(in: folder).isEmpty)
            for path in ["/t1", "/t2", "/u"] { #expect(try await b.get(path)["X-Cache"] == "MISS") }
            #expect(b.origin.count("/t1") == 2)
            try await b.shutdown()
        }
    }

    @Test("a soft purge marks the response invalid: the next request revalidates (304 keeps the body), stale-if-error still serves it")
    func soft() async throws {
        let h = try await ProxyHarness.make()
        h.origin.route("/s") { request, count in
            if count == 3 { return h.origin.reply(.serviceUnavailable, [], body: "down") }
            if request.headerFields[.ifNoneMatch] == "\"s1\"" {
                return h.origin.reply(.notModified, [(.cacheControl, "max-age=600, stale-if-error=300"), (.eTag, "\"s1\"")])
            }
            return h.origin.ok("soft", [(.cacheControl, "max-age=600, stale-if-error=300"), (.eTag, "\"s1\""), (SurrogateKeys.surrogateKey, "s")])
        }
        _ = try await h.get("/s")
        h.advance(10)
        let marked = try await h.request(Self.purge, "/s", [("Cachet-Soft-Purge", "1")])
        #expect(marked.status == 200)
        #expect(marked["Cachet-Purged"] == "1")
        #expect(marked.body == "Marked 1 stored response.\n")

        // RFC 9111 §4.4: invalid, so validated before use; the origin's 304 makes it fresh.
        let revalidated = try await h.get("/s")
        #expect(revalidated.status == 200)
        #expect(revalidated.body == "soft")
        #expect(revalidated["Cache-Status"]?.contains("fwd=stale;fwd-status=304") == true)
        #expect(h.origin.requests("/s").last?.headerFields[.ifNoneMatch] == "\"s1\"")
        #expect(try await h.get("/s")["X-Cache"] == "HIT")

        // By key, soft again; now the origin fails: stale-if-error serves the marked response (RFC 5861 §4).
        let byKey = try await h.request(Self.purge, "/", [("Surrogate-Key", "s"), ("Cachet-Soft-Purge", "1")])
        #expect(byKey["Cachet-Purged"] == "1")
        let stale = try await h.get("/s")
        #expect(stale.status == 200)
        #expect(stale.body == "soft")
        #expect(stale["Cache-Status"]?.contains("stale-if-error") == true)
        #expect(h.origin.count("/s") == 3)
        try await h.shutdown()
    }

    @Test("a purge from a client outside the allowed networks gets 403 and removes nothing; the token lets it through")
    func forbidden() async throws {
        let h = try await ProxyHarness.make {
            $0.purge = PurgeAccess(allowedNetworks: [ClientNetwork("10.0.0.0/8")!], token: "s3cret-token")
        }
        h.origin.route("/p") { _, _ in h.origin.ok("kept", [(.cacheControl, "max-age=600"), (SurrogateKeys.surrogateKey, "k")]) }
        _ = try await h.get("/p")
        for headers in [[], [("Authorization", "Bearer wrong-token!")], [("Authorization", "Basic s3cret-token")]] {
            let refused = try await h.request(Self.purge, "/p", headers)
            #expect(refused.status == 403)
            #expect(refused.body.contains("not allowed"))
            let byKey = try await h.request(Self.purge, "/", headers + [("Surrogate-Key", "k")])
            #expect(byKey.status == 403)
        }
        #expect(try await h.get("/p")["X-Cache"] == "HIT")
        #expect(h.origin.count("/p") == 1)

        let allowed = try await h.request(Self.purge, "/p", [("Authorization", "Bearer s3cret-token")])
        #expect(allowed.status == 200)
        #expect(allowed["Cachet-Purged"] == "1")
        #expect(try await h.get("/p")["X-Cache"] == "MISS")
        try await h.shutdown()
    }

    @Test("cachet purge's client: purges by URL and by key, and reports a refusal")
    func client() async throws {
        let h = try await ProxyHarness.make { $0.purge = PurgeAccess(allowedNetworks: [], token: "t0ken") }
        h.origin.route("/x") { _, _ in h.origin.ok("x", [(.cacheControl, "max-age=600"), (SurrogateKeys.cacheTag, "xs")]) }
        _ = try await h.get("/x")
        let refused = try await PurgeClient.purge(url: "http://127.0.0.1:\(h.port)/x")
        #expect(refused.status == 403)
        #expect(refused.purged == nil)
        let byKey = try await PurgeClient.purge(url: "http://127.0.0.1:\(h.port)/", surrogateKeys: ["xs"], token: "t0ken")
        #expect(byKey.status == 200)
        #expect(byKey.purged == 1)
        _ = try await h.get("/x")
        let soft = try await PurgeClient.purge(url: "http://127.0.0.1:\(h.port)/x", soft: true, token: "t0ken")
        #expect(soft.purged == 1)
        #expect(soft.message.hasPrefix("Marked 1"))
        try await h.shutdown()
    }
}

@Suite("Purge access and surrogate keys")
struct PurgeAccessTests {
    @Test("networks: CIDR parsing and matching, IPv4-mapped IPv6 as IPv4")
    func networks() throws {
        let loopback = PurgeAccess()
        #expect(loopback.allows(client: try SocketAddress(ipAddress: "127.0.0.1", port: 1), fields: [:]))
        #expect(loopback.allows(client: try SocketAddress(ipAddress: "127.8.9.10", port: 1), fields: [:]))
        #expect(loopback.allows(client: try SocketAddress(ipAddress: "::1", port: 1), fields: [:]))
        #expect(loopback.allows(client: try SocketAddress(ipAddress: "::ffff:127.0.0.1", port: 1), fields: [:]))
        #expect(!loopback.allows(client: try SocketAddress(ipAddress: "10.1.2.3", port: 1), fields: [:]))
        #expect(!loopback.allows(client: try SocketAddress(ipAddress: "::2", port: 1), fields: [:]))
        #expect(!loopback.allows(client: nil, fields: [:]))

        let lan = PurgeAccess(allowedNetworks: [ClientNetwork("192.168.4.0/22")!, ClientNetwork("fd00::/8")!])
        #expect(lan.allows(client: try SocketAddress(ipAddress: "192.168.7.255", port: 1), fields: [:]))
        #expect(!lan.allows(client: try SocketAddress(ipAddress: "192.168.8.0", port: 1), fields: [:]))
        #expect(lan.allows(client: try SocketAddress(ipAddress: "fd12::1", port: 1), fields: [:]))
        #expect(!lan.allows(client: try SocketAddress(ipAddress: "fe80::1", port: 1), fields: [:]))

        for bad in ["10.0.0.0/33", "::1/129", "300.1.1.1", "example.com", "10.0.0.0/x", ""] {
            #expect(ClientNetwork(bad) == nil, "\(bad)")
        }
        #expect(ClientNetwork("10.0.0.0/8")?.description == "10.0.0.0/8")
    }

    @Test("the token: Bearer, case-insensitive scheme, exact value")
    func token() throws {
        let access = PurgeAccess(allowedNetworks: [], token: "abc123")
        let client = try SocketAddress(ipAddress: "203.0.113.9", port: 1)
        #expect(access.allows(client: client, fields: [.authorization: "Bearer abc123"]))
        #expect(access.allows(client: client, fields: [.authorization: "bearer abc123"]))
        for wrong in ["Bearer abc12", "Bearer abc1234", "Bearer ABC123", "Basic abc123", "abc123", "Bearer "] {
            #expect(!access.allows(client: client, fields: [.authorization: wrong]), "\(wrong)")
        }
        #expect(!PurgeAccess(allowedNetworks: [], token: "").allows(client: client, fields: [.authorization: "Bearer "]))
    }

    @Test("surrogate keys: Surrogate-Key by spaces, Cache-Tag by commas, several lines, no duplicates")
    func keys() {
        let fields: HTTPFields = [
            SurrogateKeys.surrogateKey: "  a b\tc  ",
            SurrogateKeys.cacheTag: "c, d e ,, f",
            SurrogateKeys.surrogateKey: "g a",
        ]
        #expect(SurrogateKeys.of(fields) == ["a", "b", "c", "d e", "f", "g"])
        #expect(SurrogateKeys.of([.cacheControl: "max-age=1"]).isEmpty)
        #expect(SurrogateKeys.parseList("a b, c,d") == ["a", "b", "c", "d"])
        #expect(SurrogateKeys.of([SurrogateKeys.surrogateKey: String(repeating: "k", count: 1025) + " ok"]) == ["ok"])
    }
}
