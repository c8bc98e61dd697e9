import HTTPTypes
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1

/// A complete response: head and, unless it is bodiless, its body.
struct Delivery: Sendable {
    var head: HTTPResponse
    var body: ByteBuffer?
    /// How the request was answered, for the metrics and the access log.
    var outcome: RequestOutcome
    /// For a 304, the length of the stored body it stands in for (RFC 9110 §15.4.5).
    var replaced = 0
}

/// What was sent for one request, for the access log.
struct ResponseRecord: Sendable {
    var status: Int
    var outcome: RequestOutcome
    /// Body bytes written.
    var bytes = 0
}

/// Writes one response to the client connection, from any thread, as HTTP/1 bytes.
///
/// Parts are either written and awaited until flushed (backpressure), or queued without
/// waiting; `end()` waits for everything queued. A response to HEAD keeps its fields but
/// never gets a body; an HTTP/1.0 client gets its connection closed after a body without
/// Content-Length, the only framing it understands (RFC 9112 §6.3).
final class ChannelResponseWriter: Sendable {
    private let channel: any Channel
    let version: HTTPVersion
    let keepAlive: Bool
    let isHead: Bool
    private let context: NIOLoopBound<ChannelHandlerContext>
    private let state = NIOLockedValueBox(State())
    private let metrics: ProxyMetrics

    private struct State {
        var pending: EventLoopFuture<Void>?
        var close = false
        var framing = BodyFraming.none
        /// The server is shutting down: this response says `Connection: close`.
        var lastOnConnection = false
        var record: ResponseRecord?
    }

    init(context: ChannelHandlerContext, channel: any Channel, version: HTTPVersion, keepAlive: Bool, isHead: Bool, metrics: ProxyMetrics) {
        self.context = NIOLoopBound(context, eventLoop: context.eventLoop)
        self.channel = channel
        self.version = version
        self.keepAlive = keepAlive
        self.isHead = isHead
        self.metrics = metrics
    }

    /// What has been sent so far, once a head has been.
    var record: ResponseRecord? { state.withLockedValue { $0.record } }

    /// Counts a response whose head is being sent.
    private func started(status: Int, outcome: RequestOutcome, replaced: Int) {
        metrics.responded(outcome, status: status, replaced: replaced)
        state.withLockedValue { $0.record = ResponseRecord(status: status, outcome: outcome) }
    }

    /// Counts body bytes being sent.
    private func sent(_ bytes: Int) {
        metrics.delivered(bytes)
        state.withLockedValue { $0.record?.bytes += bytes }
    }

    /// Writes a whole response; must be called on the channel's event loop. A body that is
    /// known in full is framed by `Content-Length`. `replaced` is, for a 304, the length of
    /// the body it stands in for.
    func writeOnEventLoop(_ response: HTTPResponse, body: ByteBuffer?, close: Bool, outcome: RequestOutcome, replaced: Int = 0) {
        let context = self.context.value
        let close = state.withLockedValue { state in
            state.close = state.close || close || !keepAlive || state.lastOnConnection
            return state.close
        }
        started(status: response.status.code, outcome: outcome, replaced: replaced)
        let bodyBytes = body?.readableBytes ?? 0
        let head = ResponseEncoding.completeHead(
            response, bodyLength: bodyBytes, version: version, close: close, allocator: context.channel.allocator
        )
        if !isHead, bodyBytes > 0, ResponseEncoding.mayHaveBody(response.status), let body {
            sent(bodyBytes)
            context.write(NIOAny(head), promise: nil)
            flush(context, body, close: close)
        } else {
            flush(context, head, close: close)
        }
    }

    private func flush(_ context: ChannelHandlerContext, _ last: ByteBuffer, close: Bool) {
        if close {
            let channel = self.channel
            context.writeAndFlush(NIOAny(last)).whenComplete { _ in channel.close(promise: nil) }
        } else {
            context.writeAndFlush(NIOAny(last), promise: nil)
        }
    }

    /// Writes a whole response from any thread.
    func write(_ response: HTTPResponse, body: ByteBuffer?, close: Bool = false, outcome: RequestOutcome, replaced: Int = 0) async {
        let eventLoop = channel.eventLoop
        try? await eventLoop.submit {
            self.writeOnEventLoop(response, body: body, close: close, outcome: outcome, replaced: replaced)
        }.get()
    }

    /// The head of a streamed response, its framing remembered for the body that follows.
    private func streamedHead(_ response: HTTPResponse, bodyFollows: Bool, outcome: RequestOutcome, replaced: Int) -> ByteBuffer {
        started(status: response.status.code, outcome: outcome, replaced: replaced)
        let framing = ResponseEncoding.framing(of: response, version: version, isHead: isHead || !bodyFollows)
        let close = state.withLockedValue { state in
            state.framing = framing.body
            state.close = !keepAlive || framing.body == .close || state.lastOnConnection
            return state.close
        }
        var head = channel.allocator.buffer(capacity: 512)
        ResponseEncoding.writeHead(
            response, version: version, addsChunked: framing.addsChunked, connection: ConnectionField(version: version, close: close),
            into: &head
        )
        head.writeStaticString("\r\n")
        return head
    }

    /// Starts a streamed response and waits until the head is flushed.
    func writeHead(_ response: HTTPResponse, bodyFollows: Bool = true, outcome: RequestOutcome, replaced: Int = 0) async throws {
        try await channel.writeAndFlush(streamedHead(response, bodyFollows: bodyFollows, outcome: outcome, replaced: replaced))
    }

    /// Sends one chunk and waits until it has been flushed to the socket.
    func writeBody(_ chunk: ByteBuffer) async throws {
        try await flushed()
        guard let framed = framed(chunk) else { return }
        try await channel.writeAndFlush(framed)
    }

    /// Queues the head of a streamed response without waiting.
    func queue(head response: HTTPResponse, bodyFollows: Bool, outcome: RequestOutcome) {
        enqueue(streamedHead(response, bodyFollows: bodyFollows, outcome: outcome, replaced: 0))
    }

    /// Queues a chunk without waiting for the client to take it.
    func queue(body chunk: ByteBuffer) {
        if let framed = framed(chunk) { enqueue(framed) }
    }

    /// `chunk` as this response's framing sends it, or `nil` when nothing is to be sent.
    private func framed(_ chunk: ByteBuffer) -> ByteBuffer? {
        guard chunk.readableBytes > 0 else { return nil }
        let framing = state.withLockedValue { $0.framing }
        if framing != .none { sent(chunk.readableBytes) }
        switch framing {
        case .none:
            return nil
        case .contentLength, .close:
            return chunk
        case .chunked:
            var framed = ResponseEncoding.chunkHeader(chunk.readableBytes, allocator: channel.allocator)
            framed.reserveCapacity(framed.readableBytes + chunk.readableBytes + 2)
            var chunk = chunk
            framed.writeBuffer(&chunk)
            framed.writeStaticString("\r\n")
            return framed
        }
    }

    private func enqueue(_ bytes: ByteBuffer) {
        let future = channel.writeAndFlush(bytes)
        state.withLockedValue { $0.pending = future }
    }

    /// Waits until everything queued so far has been flushed.
    func flushed() async throws {
        if let pending = state.withLockedValue({ $0.pending }) {
            try await pending.get()
        }
    }

    /// Ends a streamed response once everything queued has gone out.
    func end() async throws {
        try await flushed()
        let (framing, close) = state.withLockedValue { ($0.framing, $0.close) }
        if framing == .chunked { try await channel.writeAndFlush(ResponseEncoding.lastChunk) }
        if close { try? await channel.close() }
    }

    /// Cuts the connection: a streamed body could not be completed, and the client must not
    /// mistake what it got for the whole.
    func abort() async {
        try? await channel.close()
    }

    /// Makes this the last response on the connection (a drain): its head, if not yet sent,
    /// says `Connection: close`, and the connection closes after it.
    func makeLast() {
        state.withLockedValue { state in
            state.lastOnConnection = true
            // A head already sent said keep-alive; closing after the body is still allowed.
            state.close = true
        }
    }

    /// Whether the connection closes after this response, so nothing pipelined behind it is
    /// answered.
    var closesConnection: Bool {
        !keepAlive || state.withLockedValue { $0.close }
    }
}
