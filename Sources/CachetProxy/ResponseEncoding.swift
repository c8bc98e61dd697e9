import HTTPTypes
import NIOCore
import NIOHTTP1

/// How the end of a response body is marked on an HTTP/1 connection (RFC 9112 §6.3).
enum BodyFraming: Sendable, Equatable {
    /// No body follows the head: 1xx, 204 and 304 responses, and every response to HEAD.
    case none
    /// `Content-Length` says where the body ends.
    case contentLength
    /// The body is sent in chunks ending with a zero-length chunk.
    case chunked
    /// The body ends when the connection closes (an HTTP/1.0 client, no `Content-Length`).
    case close
}

/// The proxy writes its own HTTP/1 responses: a stored response's head is serialised once
/// and reused for every hit (RFC 9112 §4, §5, §6), which NIO's `HTTPResponseEncoder`, built
/// around one `HTTPHeaders` per response, cannot do.
enum ResponseEncoding {
    /// The framing of `response` to a request of `version` (RFC 9112 §6.1, §6.3), and whether
    /// the head must say `Transfer-Encoding: chunked`. A response to HEAD keeps the fields a
    /// GET would have had (RFC 9110 §9.3.2) but carries no body.
    static func framing(of response: HTTPResponse, version: HTTPVersion, isHead: Bool) -> (body: BodyFraming, addsChunked: Bool) {
        if !mayHaveBody(response.status) { return (.none, false) }
        if response.headerFields.contains(.contentLength) { return (isHead ? .none : .contentLength, false) }
        if version.major == 1 && version.minor >= 1 { return (isHead ? .none : .chunked, true) }
        return (isHead ? .none : .close, false)
    }

    /// 1xx, 204 and 304 responses never have a body (RFC 9112 §6.3).
    static func mayHaveBody(_ status: HTTPResponse.Status) -> Bool {
        !(status.code < 200 || status.code == 204 || status.code == 304)
    }

    /// Appends the status line, `response`'s fields and the connection's own fields. The
    /// empty line that ends the head is left to the caller, so that per-delivery fields can
    /// follow a prepared head.
    ///
    /// Responses that never have a body lose their framing fields; the others lose any
    /// `Transfer-Encoding` (hop-by-hop; re-added when this connection chunks the body).
    static func writeHead(
        _ response: HTTPResponse, version: HTTPVersion, addsChunked: Bool, connection: ConnectionField,
        into buffer: inout ByteBuffer
    ) {
        writeStatusLine(response.status, version: version, into: &buffer)
        let bodiless = !mayHaveBody(response.status)
        for field in response.headerFields {
            if field.name == .transferEncoding || field.name == .connection { continue }
            if bodiless, field.name == .contentLength { continue }
            writeField(field.name.rawName, field.value, into: &buffer)
        }
        if addsChunked { buffer.writeStaticString("Transfer-Encoding: chunked\r\n") }
        connection.write(into: &buffer)
    }

    /// The head of a response whose body is known in full (`bodyLength` bytes), framed by
    /// `Content-Length`; without its final empty line unless `ends`.
    static func completeHead(
        _ response: HTTPResponse, bodyLength: Int, version: HTTPVersion, close: Bool, allocator: ByteBufferAllocator,
        ends: Bool = true
    ) -> ByteBuffer {
        var response = response
        if mayHaveBody(response.status), !response.headerFields.contains(.contentLength) {
            response.headerFields[.contentLength] = String(bodyLength)
        }
        var head = allocator.buffer(capacity: 512)
        writeHead(response, version: version, addsChunked: false, connection: ConnectionField(version: version, close: close), into: &head)
        if ends { head.writeStaticString("\r\n") }
        return head
    }

    static func writeStatusLine(_ status: HTTPResponse.Status, version: HTTPVersion, into buffer: inout ByteBuffer) {
        buffer.writeStaticString(version.minor == 0 ? "HTTP/1.0 " : "HTTP/1.1 ")
        let code = status.code
        buffer.writeInteger(UInt8(truncatingIfNeeded: 48 + code / 100 % 10))
        buffer.writeInteger(UInt8(truncatingIfNeeded: 48 + code / 10 % 10))
        buffer.writeInteger(UInt8(truncatingIfNeeded: 48 + code % 10))
        buffer.writeInteger(UInt8(ascii: " "))
        buffer.writeString(status.reasonPhrase)
        buffer.writeStaticString("\r\n")
    }

    @inline(__always)
    static func writeField(_ name: String, _ value: String, into buffer: inout ByteBuffer) {
        buffer.writeString(name)
        buffer.writeStaticString(": ")
        buffer.writeString(value)
        buffer.writeStaticString("\r\n")
    }

    /// The size line of one chunk (RFC 9112 §7.1).
    static func chunkHeader(_ size: Int, allocator: ByteBufferAllocator) -> ByteBuffer {
        var buffer = allocator.buffer(capacity: 18)
        buffer.writeString(String(size, radix: 16))
        buffer.writeStaticString("\r\n")
        return buffer
    }

    /// The last chunk and the empty trailer section (RFC 9112 §7.1).
    static let lastChunk = ByteBuffer(string: "0\r\n\r\n")
}

/// The `Connection` field the proxy adds for its own connection with the client (RFC 9112 §9.3).
enum ConnectionField: Sendable {
    /// Nothing: HTTP/1.1 connections persist by default.
    case none
    /// `Connection: keep-alive`, which an HTTP/1.0 client needs to keep the connection.
    case keepAlive
    /// `Connection: close`: the connection closes after this response.
    case close

    init(version: HTTPVersion, close: Bool) {
        if close {
            self = .close
        } else {
            self = version.minor == 0 && version.major == 1 ? .keepAlive : .none
        }
    }

    func write(into buffer: inout ByteBuffer) {
        switch self {
        case .none: break
        case .keepAlive: buffer.writeStaticString("Connection: keep-alive\r\n")
        case .close: buffer.writeStaticString("Connection: close\r\n")
        }
    }
}
