import Foundation
import HTTPTypes
import Testing

@testable import CachetHummingbird

/// ``AnswerKey``: what the socket loop remembers answers by. Two heads share a key exactly when
/// the files' answer cannot tell them apart: same method and target, same lines of the
/// precondition, range and `Accept-Encoding` fields (RFC 9110 §13.1, §14.2, §12.5.3).
@Suite("cachet serve: the answer key of a simple request")
struct AnswerKeyTests {
    static func key(_ head: String, capacity: Int = 2048) -> AnswerKey.Outcome {
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: capacity, alignment: 1)
        defer { buffer.deallocate() }
        return Array(head.utf8).withUnsafeBytes { AnswerKey.write($0, into: buffer) }
    }

    static func keyBytes(_ head: String) -> [UInt8]? {
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 2048, alignment: 1)
        defer { buffer.deallocate() }
        guard case .key(let count) = Array(head.utf8).withUnsafeBytes({ AnswerKey.write($0, into: buffer) }) else { return nil }
        return Array(buffer[..<count])
    }

    static let base = "GET /a.txt HTTP/1.1\r\nHost: x\r\nIf-None-Match: \"t\"\r\n"

    @Test(
        "fields the answer does not read leave the key as it is",
        arguments: [
            "X-Request: 1\r\n", "User-Agent: curl/8\r\nCookie: a=b\r\n", "Connection: keep-alive\r\n", "Accept: */*\r\n",
            "Cache-Control: no-cache\r\n", "Authorization: Basic eA==\r\n", "Referer: /\r\n",
        ])
    func otherFieldsIgnored(fields: String) throws {
        let plain = try #require(Self.keyBytes(Self.base + "\r\n"))
        #expect(Self.keyBytes(Self.base + fields + "\r\n") == plain)
        #expect(Self.keyBytes(Self.base.replacingOccurrences(of: "Host: x", with: "Host: other:8080") + "\r\n") == plain)
    }

    @Test(
        "each thing the answer reads changes the key",
        arguments: [
            // §13.1.2, and the value trimmed the same way.
            "GET /a.txt HTTP/1.1\r\nHost: x\r\nIf-None-Match: \"u\"\r\n\r\n",
            "GET /a.txt HTTP/1.1\r\nHost: x\r\nIf-None-Match: \"t\", \"u\"\r\n\r\n",
            "GET /a.txt HTTP/1.1\r\nHost: x\r\nIf-None-Match: \"t\"\r\nIf-None-Match: \"u\"\r\n\r\n",
            "GET /a.txt HTTP/1.1\r\nHost: x\r\n\r\n",
            // The method and the target, query included.
            "HEAD /a.txt HTTP/1.1\r\nHost: x\r\nIf-None-Match: \"t\"\r\n\r\n",
            "GET /b.txt HTTP/1.1\r\nHost: x\r\nIf-None-Match: \"t\"\r\n\r\n",
            "GET /a.txt?v=1 HTTP/1.1\r\nHost: x\r\nIf-None-Match: \"t\"\r\n\r\n",
            // §13.1.1, §13.1.3, §13.1.4, §13.1.5, §14.2.
            "GET /a.txt HTTP/1.1\r\nHost: x\r\nIf-None-Match: \"t\"\r\nIf-Match: \"t\"\r\n\r\n",
            "GET /a.txt HTTP/1.1\r\nHost: x\r\nIf-None-Match: \"t\"\r\nIf-Modified-Since: Wed, 01 May 2024 12:00:00 GMT\r\n\r\n",
            "GET /a.txt HTTP/1.1\r\nHost: x\r\nIf-None-Match: \"t\"\r\nIf-Unmodified-Since: Wed, 01 May 2024 12:00:00 GMT\r\n\r\n",
            "GET /a.txt HTTP/1.1\r\nHost: x\r\nIf-None-Match: \"t\"\r\nIf-Range: \"t\"\r\n\r\n",
            "GET /a.txt HTTP/1.1\r\nHost: x\r\nIf-None-Match: \"t\"\r\nRange: bytes=0-1\r\n\r\n",
            // §12.5.3: which precompressed sibling is sent.
            "GET /a.txt HTTP/1.1\r\nHost: x\r\nIf-None-Match: \"t\"\r\nAccept-Encoding: br\r\n\r\n",
            // A field the answer reads, told apart from the one whose value it would take.
            "GET /a.txt HTTP/1.1\r\nHost: x\r\nIf-Match: \"t\"\r\n\r\n",
        ])
    func relevantPartsChangeKey(head: String) throws {
        let plain = try #require(Self.keyBytes(Self.base + "\r\n"))
        let other = try #require(Self.keyBytes(head))
        #expect(other != plain)
    }

    @Test("field names are matched in any case, values kept as the reader trims them")
    func namesAnyCase() {
        let plain = Self.keyBytes(Self.base + "Accept-Encoding: gzip\r\n\r\n")
        #expect(Self.keyBytes("GET /a.txt HTTP/1.1\r\nhost: x\r\nif-none-match:\"t\"  \r\nACCEPT-ENCODING: \tgzip\r\n\r\n") == plain)
    }

    @Test("the key holds the method, the target and the kept lines in order, and reads back to them")
    func readsBack() throws {
        let head = "HEAD /p?q=1 HTTP/1.1\r\nHost: x\r\nRange: bytes=0-1\r\nX-A: 1\r\nIf-None-Match: \"a\"\r\nIf-None-Match: \"b\"\r\n\r\n"
        let bytes = try #require(Self.keyBytes(head))
        let parts = try #require(bytes.withUnsafeBytes { AnswerKey.parts(of: $0) })
        #expect(parts.method == .head)
        #expect(parts.target == "/p?q=1")
        #expect(parts.fields == [HTTPField(name: .range, value: "bytes=0-1"), HTTPField(name: .ifNoneMatch, value: "\"a\""), HTTPField(name: .ifNoneMatch, value: "\"b\"")])
    }

    @Test(
        "a head the reader declines has no key",
        arguments: [
            "POST /a HTTP/1.1\r\nHost: x\r\n\r\n", "PUT /a HTTP/1.1\r\nHost: x\r\n\r\n", "GET /a HTTP/1.0\r\nHost: x\r\n\r\n",
            "GET /a HTTP/1.1\r\n\r\n", "GET /a HTTP/1.1\r\nHost: x\r\nHost: y\r\n\r\n", "GET /a HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n",
            "GET /a HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", "GET http://x/a HTTP/1.1\r\nHost: x\r\n\r\n",
            "GET /a HTTP/1.1\r\nHost: x\r\n folded\r\n\r\n", "GET /a b HTTP/1.1\r\nHost: x\r\n\r\n",
        ])
    func declined(head: String) {
        #expect(Self.key(head) == .declined)
    }

    @Test("a key that does not fit is left out, the head still accepted")
    func unkeyed() {
        #expect(Self.key(Self.base + "\r\n", capacity: 15) == .unkeyed)
        #expect(Self.key(Self.base + "\r\n", capacity: 16) == .key(count: 16))
        #expect(Self.key(Self.base + "\r\n", capacity: 0) == .unkeyed)
    }
}
