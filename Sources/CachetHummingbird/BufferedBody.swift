import HTTPTypes
import Hummingbird
import NIOConcurrencyHelpers
import NIOCore

/// Reads a response body of known, bounded length into memory so that it can be hashed and
/// sliced into ranges; trailers, if the body sends any, are kept.
struct BufferedBody: Sendable {
    var bytes: ByteBuffer
    var trailers: HTTPFields?

    static func collect(_ body: ResponseBody, sizeHint: Int) async throws -> BufferedBody {
        let sink = Sink(capacity: sizeHint)
        try await body.write(CollectingWriter(sink: sink))
        return sink.state.withLockedValue { BufferedBody(bytes: $0.bytes, trailers: $0.trailers) }
    }

    /// The body to send: the bytes, then the trailers.
    func responseBody(_ content: ByteBuffer? = nil) -> ResponseBody {
        let content = content ?? bytes
        guard let trailers else { return ResponseBody(byteBuffer: content) }
        return ResponseBody(contentLength: content.readableBytes) { writer in
            try await writer.write(content)
            try await writer.finish(trailers)
        }
    }

    final class Sink: Sendable {
        struct State {
            var bytes: ByteBuffer
            var trailers: HTTPFields?
        }
        let state: NIOLockedValueBox<State>

        init(capacity: Int) {
            state = NIOLockedValueBox(State(bytes: ByteBufferAllocator().buffer(capacity: capacity)))
        }
    }

    struct CollectingWriter: ResponseBodyWriter {
        let sink: Sink

        mutating func write(_ buffer: ByteBuffer) async throws {
            var buffer = buffer
            sink.state.withLockedValue { _ = $0.bytes.writeBuffer(&buffer) }
        }

        consuming func finish(_ trailingHeaders: HTTPFields?) async throws {
            sink.state.withLockedValue { $0.trailers = trailingHeaders }
        }
    }
}
