import CachetTestSupport
import HTTPTypes
import Testing

@testable import CachetProxy

/// Bad input gets a clear error, and nothing reaches the origin or the cache.
@Suite("Proxy against malformed and hostile requests")
struct ProxyHostileInputTests {
    struct Case: Sendable, CustomTestStringConvertible {
        let name: String
        let request: String
        let status: String
        var testDescription: String { name }
    }

    @Test(arguments: [
        Case(name: "garbage request line → 400", request: "HELLO\r\n\r\n", status: "400"),
        Case(name: "space in the target → 400", request: "GET /a b HTTP/1.1\r\nHost: x\r\n\r\n", status: "400"),
        Case(name: "invalid field name → 400", request: "GET /a HTTP/1.1\r\nHost: x\r\nBad Field: 1\r\n\r\n", status: "400"),
        Case(name: "missing Host in HTTP/1.1 → 400 (RFC 9112 §3.2)", request: "GET /a HTTP/1.1\r\n\r\n", status: "400"),
        Case(name: "two Host fields → 400 (RFC 9112 §3.2)", request: "GET /a HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", status: "400"),
        Case(
            name: "Content-Length and Transfer-Encoding together → 400 (RFC 9112 §6.3, smuggling)",
            request: "POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: x\r\n\r\n",
            status: "400"
        ),
        Case(
            name: "two different Content-Lengths → 400 (RFC 9112 §6.3)",
            request: "POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!",
            status: "400"
        ),
        Case(
            name: "header section larger than the limit → 431",
            request: "GET /a HTTP/1.1\r\nHost: x\r\nX-Big: \(String(repeating: "a", count: 100_000))\r\n\r\n",
            status: "431"
        ),
    ])
    func rejected(_ c: Case) async throws {
        let h = try await ProxyHarness.make()
        h.origin.route("/a") { _, _ in h.origin.ok("a", [(.cacheControl, "max-age=60")]) }
        h.origin.route("/smuggled") { _, _ in h.origin.ok("smuggled", [(.cacheControl, "max-age=60")]) }
        let answer = try await RawConnection.exchange(port: h.port, c.request)
        #expect(answer.hasPrefix("HTTP/1.1 \(c.status) "), "\(answer.prefix(200))")
        #expect(answer.lowercased().contains("connection: close"))
        #expect(!answer.contains("smuggled"))
        #expect(h.origin.count("/a") == 0)
        #expect(h.origin.count("/smuggled") == 0)
        try await h.shutdown()
    }

    @Test("a host with no configured origin → 421 with a clear message")
    func unknownHost() async throws {
        let h = try await ProxyHarness.make { configuration in
            configuration.origins = ["known.example": configuration.defaultOrigin!]
            configuration.defaultOrigin = nil
        }
        let answer = try await RawConnection.exchange(port: h.port, "GET / HTTP/1.1\r\nHost: unknown.example\r\nConnection: close\r\n\r\n")
        #expect(answer.hasPrefix("HTTP/1.1 421 "))
        #expect(answer.contains("No origin is configured for host \"unknown.example\"."))
        try await h.shutdown()
    }

    @Test("several origins chosen by Host")
    func originsByHost() async throws {
        let other = ScriptedOrigin(clock: ManualClock(ProxyHarness.start))
        try await other.start()
        let h = try await ProxyHarness.make { configuration in
            configuration.origins = ["b.example": OriginAddress("http://127.0.0.1:\(other.port)")!]
        }
        h.origin.route("/") { _, _ in h.origin.ok("from a", [(.cacheControl, "max-age=60")]) }
        other.route("/") { _, _ in other.ok("from b", [(.cacheControl, "max-age=60")]) }
        let a = try await RawConnection.exchange(port: h.port, "GET / HTTP/1.1\r\nHost: a.example\r\nConnection: close\r\n\r\n")
        let b = try await RawConnection.exchange(port: h.port, "GET / HTTP/1.1\r\nHost: B.example:8080\r\nConnection: close\r\n\r\n")
        #expect(a.hasSuffix("from a"))
        #expect(b.hasSuffix("from b"))
        try await h.shutdown()
        try await other.server.shutdown()
    }

    @Test("pipelined requests are answered in order on one connection")
    func pipelining() async throws {
        let h = try await ProxyHarness.make()
        h.origin.route("/1") { _, _ in h.origin.ok("one", [(.cacheControl, "max-age=60")]) }
        h.origin.route("/2") { _, _ in h.origin.ok("two", [(.cacheControl, "max-age=60")]) }
        _ = try await h.get("/2")
        let answer = try await RawConnection.exchange(
            port: h.port,
            "GET /1 HTTP/1.1\r\nHost: x\r\n\r\nGET /2 HTTP/1.1\r\nHost: x\r\n\r\nGET /1 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
        )
        let bodies = answer.split(separator: "\r\n\r\n").dropFirst().map { $0.prefix(3) }
        #expect(bodies == ["one", "two", "one"], "\(answer)")
        try await h.shutdown()
    }
}
