import HTTPTypes
import NIOCore
import HTTPPreconditions

/// An answer the raw paths (``FileFastPath`` in a NIO pipeline, ``FileSocketServer`` on its
/// own sockets) write at once: the head, its status line and fields as bytes
/// (``encodedHead(_:)``, built once per file version), and the content.
struct ImmediateAnswer: Sendable {
    let head: HTTPResponse
    var encodedHead: ByteBuffer?
    var body: ByteBuffer?
    /// Until when the same request gets this answer, second boundaries aside: the lookup of
    /// the file it comes from holds until then.
    var validUntil: NIODeadline = .distantFuture
    /// The lookups' ``FileSelectionCache/generation`` it was worked out in.
    var lookupGeneration = 0

    /// Bodies up to this size are copied next to their head; larger ones are written as they are.
    static let copiedBodySize = 16 * 1024

    init(_ head: HTTPResponse, encodedHead: ByteBuffer?, body: ByteBuffer? = nil) {
        self.head = head
        self.encodedHead = encodedHead
        self.body = body
        self.hasContent = Self.hasContent(head)
    }

    /// Whether `head`'s status carries content; kept, as reading the status costs more than
    /// the rest of writing a remembered answer.
    private let hasContent: Bool

    /// The bytes an answer puts on the wire for one request, apart from ``Trailer``.
    struct Wire: Sendable {
        /// The status line and fields.
        var head: ByteBuffer
        /// The content: none for HEAD, nor for a status without content.
        var body: ByteBuffer?

        /// Appends the response to `out`: the head, `trailer` (`Date`, `Server`, the empty
        /// line) and the body when it is small. A larger body is returned, to be written after
        /// `out` as it is.
        func write(into out: inout ByteBuffer, trailer: ByteBuffer) -> ByteBuffer? {
            out.writeImmutableBuffer(head)
            out.writeImmutableBuffer(trailer)
            guard var body, body.readableBytes > 0 else { return nil }
            if body.readableBytes > ImmediateAnswer.copiedBodySize { return body }
            out.writeBuffer(&body)
            return nil
        }
    }

    /// What this answer sends to a GET, or to a HEAD; `nil` when it cannot be framed as NIO's
    /// encoder frames it (no `encodedHead`).
    func wire(isHead: Bool) -> Wire? {
        guard let encodedHead else { return nil }
        return Wire(head: encodedHead, body: isHead || !hasContent ? nil : body)
    }

    /// The fields that close every answer, `Date` (an origin server with a clock sends it,
    /// RFC 9110 §6.6.1) and `Server`, and the empty line: encoded once a second.
    struct Trailer {
        let serverName: String?
        private(set) var second: Int64 = .min
        private var bytes = ByteBuffer()

        init(serverName: String?) {
            self.serverName = serverName
        }

        mutating func bytes(at now: HTTPDate) -> ByteBuffer {
            if now.secondsSince1970 != second {
                second = now.secondsSince1970
                var bytes = ByteBuffer()
                bytes.writeField("Date", now.imfFixdate)
                if let serverName { bytes.writeField("Server", serverName) }
                bytes.writeStaticString("\r\n")
                self.bytes = bytes
            }
            return bytes
        }
    }

    /// Whether a response has content, as NIO's HTTPResponseEncoder decides it.
    static func hasContent(_ head: HTTPResponse) -> Bool {
        head.status.code >= 200 && head.status.code != 204 && head.status.code != 304
    }

    /// The status line and fields of `head` as NIO's HTTPResponseEncoder writes them (without
    /// the empty line): no framing fields on a response that has no content (RFC 9110
    /// §15.4.5), and `nil` for one with content but no `Content-Length`, which the encoder
    /// would send chunked.
    static func encodedHead(_ head: HTTPResponse) -> ByteBuffer? {
        let hasContent = hasContent(head)
        if hasContent, head.headerFields[.contentLength] == nil { return nil }
        var out = ByteBuffer()
        out.writeStaticString("HTTP/1.1 ")
        out.writeString(String(head.status.code))
        out.writeStaticString(" ")
        out.writeString(head.status.reasonPhrase)
        out.writeStaticString("\r\n")
        for field in head.headerFields {
            if !hasContent, field.name == .contentLength || field.name == .transferEncoding { continue }
            out.writeField(field.name.rawName, field.value)
        }
        return out
    }
}

extension ByteBuffer {
    /// Bytes written at once at most when a large buffer is sent: each slice is a write of its
    /// own, so a client taking a large file slowly shows progress slice by slice
    /// (``IdleTimeout``) instead of only when the whole file has gone.
    static let writeSliceSize = 64 * 1024

    /// The buffer as consecutive slices of at most `size` bytes, sharing its storage.
    func slices(of size: Int = writeSliceSize) -> [ByteBuffer] {
        var rest = self
        var slices: [ByteBuffer] = []
        slices.reserveCapacity(readableBytes / size + 1)
        while rest.readableBytes > 0 {
            slices.append(rest.readSlice(length: Swift.min(size, rest.readableBytes))!)
        }
        return slices
    }

    fileprivate mutating func writeField(_ name: String, _ value: String) {
        writeString(name)
        writeStaticString(": ")
        writeString(value)
        writeStaticString("\r\n")
    }
}
