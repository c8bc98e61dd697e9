import CachetTestSupport
import CachetProxy
import Foundation
import HTTPTypes
import NIOCore
import Testing

/// The proxy writes its HTTP/1 responses itself (framing, pipelining, prepared heads for
/// fresh hits): these tests read the bytes on the wire.
@Suite("HTTP/1 on the wire")
struct ProxyWireTests {
    typealias WireResponse = CachetTestSupport.WireResponse

    static func parse(_ wire: String, bodiless: Set<Int> = []) -> [WireResponse] {
        WireResponse.parse(wire, bodiless: bodiless)
    }

    @Test("a prepared fresh hit carries exactly the fields of the hit built for the request (RFC 9111 §4, §5.1)")
    func preparedHeadMatchesDelivery() async throws {
        let h = try await ProxyHarness.make()
        h.origin.route("/p") { _, _ in
            h.origin.ok("prepared", [(.cacheControl, "max-age=60"), (.eTag, "\"p1\""), (.contentType, "text/plain"), (.via, "1.0 upstream")])
        }
        _ = try await h.get("/p")
        h.clock.advance(seconds: 7)
        // Keep-alive HTTP/1.1: the prepared head. `Connection: close`: the head built per request.
        let wire = try await RawConnection.exchange(
            port: h.port, "GET /p HTTP/1.1\r\nHost: 127.0.0.1:\(h.port)\r\n\r\nGET /p HTTP/1.1\r\nHost: 127.0.0.1:\(h.port)\r\nConnection: close\r\n\r\n"
        )
        let responses = Self.parse(wire)
        try #require(responses.count == 2, "\(wire)")
        let (prepared, built) = (responses[0], responses[1])
        #expect(prepared.statusLine == "HTTP/1.1 200 OK")
        #expect(prepared.body == "prepared" && built.body == "prepared")
        #expect(prepared.value("Age") == "7")
        #expect(prepared.value("Cache-Status") == "cachet;hit;ttl=53")
        #expect(prepared.values("Content-Length") == ["8"])
        #expect(prepared.value("Via") == "1.0 upstream, 1.1 cachet")
        #expect(prepared.value("X-Cache") == "HIT")
        func sorted(_ r: WireResponse) -> [String] {
            r.fields.filter { $0.name.lowercased() != "connection" }.map { "\($0.name.lowercased()): \($0.value)" }.sorted()
        }
        #expect(sorted(prepared) == sorted(built))
        #expect(built.value("Connection") == "close")
        try await h.shutdown()
    }

    @Test("a prepared 304 carries exactly the fields of the 304 built for the request (RFC 9110 §15.4.5, RFC 9111 §4.3.2)")
    func preparedNotModifiedMatchesDelivery() async throws {
        let h = try await ProxyHarness.make()
        h.origin.route("/c") { _, _ in
            h.origin.ok("conditional", [(.cacheControl, "max-age=60"), (.eTag, "\"c1\""), (.contentType, "text/plain"), (.vary, "Accept-Encoding")])
        }
        _ = try await h.get("/c")
        h.clock.advance(seconds: 3)
        let wire = try await RawConnection.exchange(
            port: h.port,
            "GET /c HTTP/1.1\r\nHost: 127.0.0.1:\(h.port)\r\nIf-None-Match: W/\"c1\"\r\n\r\n"
                + "GET /c HTTP/1.1\r\nHost: 127.0.0.1:\(h.port)\r\nIf-None-Match: \"zz\"\r\n\r\n"
                + "GET /c HTTP/1.1\r\nHost: 127.0.0.1:\(h.port)\r\nIf-None-Match: \"c1\"\r\nConnection: close\r\n\r\n"
        )
        let responses = Self.parse(wire)
        try #require(responses.count == 3, "\(wire)")
        let (prepared, mismatch, built) = (responses[0], responses[1], responses[2])
        #expect(prepared.statusLine == "HTTP/1.1 304 Not Modified")
        #expect(mismatch.statusLine == "HTTP/1.1 200 OK" && mismatch.body == "conditional")
        #expect(built.statusLine == "HTTP/1.1 304 Not Modified")
        #expect(prepared.value("Content-Type") == nil && prepared.value("Content-Length") == nil)
        #expect(prepared.value("ETag") == "\"c1\"" && prepared.value("Vary") == "Accept-Encoding")
        #expect(prepared.value("Age") == "3" && prepared.value("Cache-Status") == "cachet;hit;ttl=57")
        func sorted(_ r: WireResponse) -> [String] {
            r.fields.filter { $0.name.lowercased() != "connection" }.map { "\($0.name.lowercased()): \($0.value)" }.sorted()
        }
        #expect(sorted(prepared) == sorted(built))
        try await h.shutdown()
    }

    @Test("a freshened entry's prepared head carries the fields of the 304 (RFC 9111 §3.2, §4.3.4)")
    func freshenedPreparedHead() async throws {
        let h = try await ProxyHarness.make()
        h.origin.route("/f") { _, count in
            if count == 1 { return h.origin.ok("body", [(.cacheControl, "max-age=10"), (.eTag, "\"f\"")]) }
            return h.origin.reply(.notModified, [(.cacheControl, "max-age=100"), (.eTag, "\"f\""), (HTTPField.Name("X-Version")!, "2")])
        }
        _ = try await h.get("/f")
        h.clock.advance(seconds: 20)
        _ = try await h.get("/f")
        h.clock.advance(seconds: 1)
        let wire = try await RawConnection.exchange(port: h.port, "GET /f HTTP/1.1\r\nHost: 127.0.0.1:\(h.port)\r\n\r\nGET /f HTTP/1.1\r\nHost: 127.0.0.1:\(h.port)\r\nConnection: close\r\n\r\n")
        let responses = Self.parse(wire)
        try #require(responses.count == 2, "\(wire)")
        #expect(responses[0].value("X-Version") == "2")
        #expect(responses[0].value("Cache-Control") == "max-age=100")
        #expect(responses[0].value("Cache-Status") == "cachet;hit;ttl=99")
        #expect(responses[0].body == "body")
        #expect(h.origin.count("/f") == 2)
        try await h.shutdown()
    }

    @Test("pipelined miss, hit, HEAD, 304 and a malformed request are answered in order, then the connection closes")
    func pipelinedMix() async throws {
        let h = try await ProxyHarness.make()
        h.origin.route("/m") { _, _ in h.origin.ok("missed", [(.cacheControl, "max-age=60"), (.eTag, "\"m\"")]) }
        h.origin.route("/h") { _, _ in h.origin.ok("hit!", [(.cacheControl, "max-age=60"), (.eTag, "\"h\"")]) }
        _ = try await h.get("/h")
        let wire = try await RawConnection.exchange(
            port: h.port,
            "GET /m HTTP/1.1\r\nHost: 127.0.0.1:\(h.port)\r\n\r\n"
                + "GET /h HTTP/1.1\r\nHost: 127.0.0.1:\(h.port)\r\n\r\n"
                + "HEAD /h HTTP/1.1\r\nHost: 127.0.0.1:\(h.port)\r\n\r\n"
                + "GET /m HTTP/1.1\r\nHost: 127.0.0.1:\(h.port)\r\nIf-None-Match: \"m\"\r\n\r\n"
                + "GET /h HTTP/1.1\r\nHost x\r\n\r\n"
                + "GET /h HTTP/1.1\r\nHost: 127.0.0.1:\(h.port)\r\n\r\n"
        )
        let responses = Self.parse(wire, bodiless: [2])
        #expect(responses.map { $0.statusLine } == ["HTTP/1.1 200 OK", "HTTP/1.1 200 OK", "HTTP/1.1 200 OK", "HTTP/1.1 304 Not Modified", "HTTP/1.1 400 Bad Request"], "\(wire)")
        #expect(responses.map(\.body).prefix(3) == ["missed", "hit!", ""])
        #expect(responses[2].value("Content-Length") == "4")
        #expect(responses[3].value("Content-Length") == nil)
        #expect(responses.last?.value("Connection") == "close")
        #expect(h.origin.count("/m") == 1)
        try await h.shutdown()
    }

    @Test("an origin body without Content-Length is passed on chunked to HTTP/1.1 and stored with its length")
    func chunkedOrigin() async throws {
        let h = try await ProxyHarness.make()
        h.origin.route("/c") { _, _ in
            var reply = h.origin.ok("chunked content", [(.cacheControl, "max-age=60")])
            reply.chunked = true
            return reply
        }
        h.origin.route("/n") { _, _ in
            var reply = h.origin.ok("not stored", [(.cacheControl, "no-store")])
            reply.chunked = true
            return reply
        }
        let wire = try await RawConnection.exchange(
            port: h.port,
            "GET /n HTTP/1.1\r\nHost: 127.0.0.1:\(h.port)\r\n\r\nGET /c HTTP/1.1\r\nHost: 127.0.0.1:\(h.port)\r\n\r\nGET /c HTTP/1.1\r\nHost: 127.0.0.1:\(h.port)\r\nConnection: close\r\n\r\n"
        )
        let responses = Self.parse(wire)
        try #require(responses.count == 3, "\(wire)")
        #expect(responses[0].value("Transfer-Encoding") == "chunked")
        #expect(responses[0].body == "not stored")
        #expect(responses[1].body == "chunked content")
        #expect(responses[2].value("Content-Length") == "15")
        #expect(responses[2].value("X-Cache") == "HIT")
        #expect(responses[2].body == "chunked content")
        try await h.shutdown()
    }

    @Test("an HTTP/1.0 keep-alive client gets Connection: keep-alive on hits")
    func http10KeepAlive() async throws {
        let h = try await ProxyHarness.make()
        h.origin.route("/k") { _, _ in h.origin.ok("kept", [(.cacheControl, "max-age=60")]) }
        _ = try await h.get("/k")
        let wire = try await RawConnection.exchange(
            port: h.port, "GET /k HTTP/1.0\r\nHost: 127.0.0.1:\(h.port)\r\nConnection: keep-alive\r\n\r\nGET /k HTTP/1.0\r\nHost: 127.0.0.1:\(h.port)\r\n\r\n"
        )
        let responses = Self.parse(wire)
        try #require(responses.count == 2, "\(wire)")
        #expect(responses[0].value("Connection") == "keep-alive")
        #expect(responses[0].body == "kept")
        #expect(responses[1].value("Connection") == "close")
        #expect(responses[1].body == "kept")
        try await h.shutdown()
    }
}
