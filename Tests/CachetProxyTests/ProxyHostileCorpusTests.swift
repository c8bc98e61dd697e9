import CachetTestSupport
import HTTPTypes
import Testing

@testable import CachetProxy

/// A corpus of malformed and smuggling requests sent raw over TCP (issue 10). For each: the
/// expected answer, nothing forwarded that should not be, nothing poisoned in the cache
/// (the next clean GET gets the origin's real object), and another client served meanwhile.
@Suite("Proxy against a corpus of hostile requests")
struct ProxyHostileCorpusTests {
    enum Expected: Sendable {
        /// An error answer with one of these statuses, and the connection closed.
        case refused([String])
        /// Answered normally (a request that is odd but well-formed).
        case served(String)
    }

    struct Case: Sendable, CustomTestStringConvertible {
        let name: String
        let bytes: String
        let expected: Expected
        var testDescription: String { name }

        init(_ name: String, _ bytes: String, _ expected: Expected) {
            self.name = name
            self.bytes = bytes
            self.expected = expected
        }
    }

    static let bad = Expected.refused(["400"])
    static let long = String(repeating: "a", count: 9000)
    static let huge = String(repeating: "b", count: 100_000)

    static let corpus: [Case] = [
        // Request line (RFC 9112 §3).
        Case("garbage request line", "HELLO\r\n\r\n", bad),
        Case("empty method", " /a HTTP/1.1\r\nHost: x\r\n\r\n", bad),
        Case("method with a slash", "GE/T /a HTTP/1.1\r\nHost: x\r\n\r\n", .refused(["400", "501"])),
        Case("method with a NUL", "GE\u{0}T /a HTTP/1.1\r\nHost: x\r\n\r\n", .refused(["400", "501"])),
        Case("lowercase method", "get /a HTTP/1.1\r\nHost: x\r\n\r\n", .refused(["400", "501"])),
        Case("unknown method token", "FROB /a HTTP/1.1\r\nHost: x\r\n\r\n", .refused(["400", "501"])),
        Case("space in the target", "GET /a b HTTP/1.1\r\nHost: x\r\n\r\n", bad),
        // RFC 9112 §3: recipients may split the request line on whitespace.
        Case("two spaces after the method", "GET  /a HTTP/1.1\r\nHost: x\r\n\r\n", .served("200")),
        Case("tab as separator", "GET\t/a HTTP/1.1\r\nHost: x\r\n\r\n", .refused(["400", "501"])),
        Case("NUL in the target", "GET /a\u{0}b HTTP/1.1\r\nHost: x\r\n\r\n", bad),
        Case("control byte in the target", "GET /a\u{1}b HTTP/1.1\r\nHost: x\r\n\r\n", bad),
        Case("missing version", "GET /a\r\nHost: x\r\n\r\n", .refused(["400", "505"])),
        Case("HTTP/0.9 request", "GET /a\r\n\r\n", .refused(["400", "505"])),
        Case("HTTP/2.0 version on the HTTP/1 port", "GET /a HTTP/2.0\r\nHost: x\r\n\r\n", .refused(["400", "505"])),
        Case("HTTP/3.1 version", "GET /a HTTP/3.1\r\nHost: x\r\n\r\n", .refused(["400", "505"])),
        Case("lowercase protocol name", "GET /a http/1.1\r\nHost: x\r\n\r\n", bad),
        Case("HTTP/2 connection preface", "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", .refused(["400", "505"])),
        Case("request target too long (414)", "GET /\(long) HTTP/1.1\r\nHost: x\r\n\r\n", .refused(["414"])),
        Case("request line beyond the header limit", "GET /\(huge) HTTP/1.1\r\nHost: x\r\n\r\n", .refused(["414", "431"])),
        // RFC 9112 §2.2 lets a recipient take a bare LF as a line terminator; llhttp does
        // not after the version, and reports the version as invalid.
        Case("bare LF line endings", "GET /a HTTP/1.1\nHost: x\n\n", .refused(["400", "505"])),
        Case("bare CR in the request line", "GET /a HTTP/1.1\rHost: x\r\n\r\n", bad),
        Case("absolute-form with a user in the authority", "GET http://user@x/a HTTP/1.1\r\nHost: x\r\n\r\n", bad),
        Case("target neither origin- nor absolute-form", "GET a HTTP/1.1\r\nHost: x\r\n\r\n", bad),
        Case("asterisk-form for GET", "GET * HTTP/1.1\r\nHost: x\r\n\r\n", bad),

        // Host (RFC 9112 §3.2).
        Case("missing Host in HTTP/1.1", "GET /a HTTP/1.1\r\n\r\n", bad),
        Case("two Host fields", "GET /a HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", bad),
        Case("two Host fields, same value", "GET /a HTTP/1.1\r\nHost: x\r\nHost: x\r\n\r\n", bad),
        Case("empty Host", "GET /a HTTP/1.1\r\nHost: \r\n\r\n", bad),
        Case("Host with a slash", "GET /a HTTP/1.1\r\nHost: x/secret\r\n\r\n", bad),
        Case("Host with a space", "GET /a HTTP/1.1\r\nHost: x y\r\n\r\n", bad),
        Case("Host with a user", "GET /a HTTP/1.1\r\nHost: user@x\r\n\r\n", bad),

        // Fields (RFC 9110 §5, RFC 9112 §5).
        Case("space in a field name", "GET /a HTTP/1.1\r\nHost: x\r\nBad Field: 1\r\n\r\n", bad),
        Case("whitespace before the colon", "GET /a HTTP/1.1\r\nHost: x\r\nX-A : 1\r\n\r\n", bad),
        Case("Host with whitespace before the colon", "GET /a HTTP/1.1\r\nHost : x\r\n\r\n", bad),
        Case("field without a colon", "GET /a HTTP/1.1\r\nHost: x\r\nNoColon\r\n\r\n", bad),
        Case("empty field name", "GET /a HTTP/1.1\r\nHost: x\r\n: empty\r\n\r\n", bad),
        Case("NUL in a field value", "GET /a HTTP/1.1\r\nHost: x\r\nX-A: a\u{0}b\r\n\r\n", bad),
        Case("control byte in a field value", "GET /a HTTP/1.1\r\nHost: x\r\nX-A: a\u{7}b\r\n\r\n", bad),
        Case("bare CR in a field value", "GET /a HTTP/1.1\r\nHost: x\r\nX-A: a\rb\r\n\r\n", bad),
        Case("bare LF ending a field line", "GET /a HTTP/1.1\r\nHost: x\nX-A: 1\r\n\r\n", bad),
        Case("obs-fold continuation line (RFC 9112 §5.2)", "GET /a HTTP/1.1\r\nHost: x\r\nX-A: 1\r\n 2\r\n\r\n", bad),
        Case("NUL in a field name", "GET /a HTTP/1.1\r\nHost: x\r\nX\u{0}A: 1\r\n\r\n", bad),
        Case("single field beyond the limit", "GET /a HTTP/1.1\r\nHost: x\r\nX-Big: \(huge)\r\n\r\n", .refused(["431"])),
        Case(
            "header section beyond the limit",
            "GET /a HTTP/1.1\r\nHost: x\r\n" + (0..<2000).map { "X-F\($0): \(String(repeating: "v", count: 60))\r\n" }.joined() + "\r\n",
            .refused(["431"])
        ),

        // Framing and smuggling (RFC 9112 §6).
        Case(
            "Content-Length with Transfer-Encoding",
            "POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: x\r\n\r\n",
            bad
        ),
        Case("two different Content-Lengths", "POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!", bad),
        Case("Content-Length list", "POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: 5, 6\r\n\r\nhello!", bad),
        Case("negative Content-Length", "POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n", bad),
        Case("Content-Length with a plus sign", "POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: +5\r\n\r\nhello", bad),
        Case("Content-Length in hex", "POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: 0x5\r\n\r\nhello", bad),
        Case("Content-Length overflowing 64 bits", "POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999999999999999\r\n\r\n", bad),
        Case(
            "Transfer-Encoding chunked hidden behind a tab",
            "POST /a HTTP/1.1\r\nHost: x\r\nTransfer-Encoding:\tchunked\r\nContent-Length: 4\r\n\r\n0\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: x\r\n\r\n",
            bad
        ),
        Case(
            "Transfer-Encoding with whitespace before the colon",
            "POST /a HTTP/1.1\r\nHost: x\r\nTransfer-Encoding : chunked\r\nContent-Length: 4\r\n\r\n0\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: x\r\n\r\n",
            bad
        ),
        Case(
            "Transfer-Encoding folded over two lines",
            "POST /a HTTP/1.1\r\nHost: x\r\nTransfer-Encoding:\r\n chunked\r\nContent-Length: 4\r\n\r\n0\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: x\r\n\r\n",
            bad
        ),
        Case(
            "Transfer-Encoding not ending in chunked",
            "POST /a HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked, identity\r\n\r\n0\r\n\r\n",
            .refused(["400", "501"])
        ),
        Case(
            "unknown transfer coding",
            "POST /a HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: frobnicate\r\n\r\nhello",
            .refused(["400", "501"])
        ),
        Case(
            "Transfer-Encoding on HTTP/1.0",
            "POST /a HTTP/1.0\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
            .refused(["400", "501"])
        ),
        Case("chunk size overflow", "POST /a HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nFFFFFFFFFFFFFFFFFF\r\nx\r\n0\r\n\r\n", bad),
        Case("chunk size not hex", "POST /a HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nx\r\n0\r\n\r\n", bad),
        Case("chunk without its CRLF", "POST /a HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nxx\r\n0\r\n\r\n", bad),
        Case("chunk extension with a bare LF", "POST /a HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n1;a\nb\r\nx\r\n0\r\n\r\n", bad),
        Case(
            "request pipelined behind a malformed one is not answered",
            "GET /a HTTP/1.1\r\nHost: x\r\nBad Field: 1\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: x\r\n\r\n",
            bad
        ),
        Case(
            "GET smuggled in a POST body with both framings",
            "POST /a HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Length: 40\r\n\r\n0\r\n\r\nGET /smuggled HTTP/1.1\r\nX: x",
            bad
        ),

        // Odd but well-formed: answered normally, never poisoning anything.
        Case("absolute-form whose authority replaces Host (RFC 9112 §3.2.2)", "GET http://x/a HTTP/1.1\r\nHost: other\r\nConnection: close\r\n\r\n", .served("200")),
        Case("HTTP/1.0 without Host", "GET /a HTTP/1.0\r\n\r\n", .served("200")),
        Case("X-Forwarded-Host does not choose the cache key", "GET /a HTTP/1.1\r\nHost: x\r\nX-Forwarded-Host: evil\r\nConnection: close\r\n\r\n", .served("200")),
        Case("X-Original-URL does not choose the target", "GET /a HTTP/1.1\r\nHost: x\r\nX-Original-URL: /secret\r\nConnection: close\r\n\r\n", .served("200")),
    ]

    @Test(arguments: corpus)
    func hostile(_ c: Case) async throws {
        let h = try await ProxyHarness.make { configuration in
            configuration.origins = ["x": configuration.defaultOrigin!]
        }
        h.origin.route("/a") { _, _ in h.origin.ok("the real a", [(.cacheControl, "max-age=60")]) }
        h.origin.route("/other") { _, _ in h.origin.ok("other", [(.cacheControl, "max-age=60")]) }
        h.origin.route("/secret") { _, _ in h.origin.ok("secret", [(.cacheControl, "max-age=60")]) }
        h.origin.route("/smuggled") { _, _ in h.origin.ok("smuggled", [(.cacheControl, "max-age=60")]) }

        // Another client is served while the hostile one talks.
        async let other = h.get("/other")
        let answer = try await RawConnection.exchange(port: h.port, c.bytes, halfClose: true)
        #expect(try await other.body == "other")

        let statusLine = answer.prefix { $0 != "\r" && $0 != "\n" }
        switch c.expected {
        case .refused(let statuses):
            #expect(statuses.contains { statusLine.hasPrefix("HTTP/1.1 \($0) ") || statusLine.hasPrefix("HTTP/1.0 \($0) ") }, "\(answer.prefix(300))")
            #expect(answer.lowercased().contains("connection: close"), "\(answer.prefix(300))")
            #expect(h.origin.count("/a") == 0, "a refused request reached the origin")
        case .served(let status):
            #expect(statusLine.hasPrefix("HTTP/1.1 \(status) ") || statusLine.hasPrefix("HTTP/1.0 \(status) "), "\(answer.prefix(300))")
            #expect(answer.hasSuffix("the real a"), "\(answer.suffix(100))")
        }
        #expect(!answer.contains("smuggled") && !answer.contains("secret"), "\(answer.suffix(200))")
        #expect(h.origin.count("/smuggled") == 0)
        #expect(h.origin.count("/secret") == 0)

        // Nothing poisoned: a clean GET for the targeted URL gets the origin's real object,
        // and so does the one after it, from the cache.
        let before = h.origin.count("/a")
        for _ in 0..<2 {
            let clean = try await RawConnection.exchange(port: h.port, "GET /a HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            #expect(clean.hasPrefix("HTTP/1.1 200 ") && clean.hasSuffix("the real a"), "\(clean.prefix(300))")
        }
        #expect(h.origin.count("/a") <= before + 1)
        try await h.shutdown()
    }

    @Test("the corpus holds at least 60 requests")
    func size() {
        #expect(Self.corpus.count >= 60)
    }
}
