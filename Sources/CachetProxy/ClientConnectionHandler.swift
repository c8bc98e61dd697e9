import HTTPTypes
import NIOCore
import NIOConcurrencyHelpers
import NIOHTTP1

/// One client connection: turns NIO's HTTP/1 parts into an `HTTPRequest` and its body, hands
/// them to the request flow, and writes back what the flow delivers.
///
/// Pipelined requests are queued by NIO's `HTTPServerPipelineHandler` in front of this handler
/// until the response to the previous one has ended, so responses leave in request order.
final class ClientConnectionHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let flow: RequestFlow
    private let maximumRequestBodySize: Int
    private var head: HTTPRequestHead?
    private var body: ByteBuffer?
    private var rejectedBody = false

    init(flow: RequestFlow, maximumRequestBodySize: Int) {
        self.flow = flow
        self.maximumRequestBodySize = maximumRequestBodySize
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            self.head = head
            self.body = nil
            self.rejectedBody = false
        case .body(var chunk):
            guard !rejectedBody else { return }
            if body == nil {
                body = chunk
            } else {
                body!.writeBuffer(&chunk)
            }
            if body!.readableBytes > maximumRequestBodySize {
                rejectedBody = true
                body = nil
            }
        case .end:
            guard let head = self.head else { return }
            self.head = nil
            let writer = ChannelResponseWriter(
                context: context, channel: context.channel, version: head.version, keepAlive: head.isKeepAlive
            )
            if rejectedBody {
                writer.writeOnEventLoop(flow.headers.error(.contentTooLarge, forward: nil), body: ProxyError.contentTooLarge.body, close: true)
                return
            }
            switch Self.convert(head) {
            case .failure(let error):
                writer.writeOnEventLoop(flow.headers.error(error, forward: nil), body: error.body, close: true)
            case .success(let request):
                let body = self.body
                self.body = nil
                // A fresh hit is answered right here on the event loop; everything else
                // continues in a task.
                if let delivery = flow.answerFromMemory(request) {
                    writer.writeOnEventLoop(delivery.head, body: delivery.body, close: false)
                    return
                }
                let flow = self.flow
                flow.requests.spawn {
                    await flow.handle(request, body: body, writer: writer)
                }
            }
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }

    /// The request as swift-http-types sees it, or the 400 it deserves (RFC 9112 §3.2: a
    /// HTTP/1.1 request without exactly one Host is rejected).
    /// The index just past `scheme://` in an absolute-form target, if it has one.
    static func afterScheme(_ target: String) -> String.Index? {
        var index = target.startIndex
        while index < target.endIndex, target[index].isLetter || target[index] == "+" || target[index] == "-" || target[index] == "." {
            index = target.index(after: index)
        }
        guard index > target.startIndex, target[index...].hasPrefix("://") else { return nil }
        return target.index(index, offsetBy: 3)
    }

    static func convert(_ head: HTTPRequestHead) -> Result<HTTPRequest, ProxyError> {
        guard let method = HTTPRequest.Method(head.method.rawValue) else { return .failure(.badRequest("invalid method")) }
        let hosts = head.headers["host"]
        if hosts.count > 1 { return .failure(.badRequest("more than one Host field")) }
        if head.version.major == 1 && head.version.minor >= 1 && hosts.isEmpty {
            return .failure(.badRequest("missing Host field"))
        }
        var authority = hosts.first
        var path = head.uri
        if !path.hasPrefix("/") {
            // absolute-form (RFC 9112 §3.2.2): the target's authority replaces Host.
            if let schemeEnd = Self.afterScheme(path) {
                let rest = path[schemeEnd...]
                let slash = rest.firstIndex(of: "/") ?? rest.endIndex
                authority = String(rest[..<slash])
                path = slash == rest.endIndex ? "/" : String(rest[slash...])
            } else if path == "*" && method == .options {
                // asterisk-form is fine for OPTIONS.
            } else {
                return .failure(.badRequest("invalid request target"))
            }
        }
        if let a = authority, a.isEmpty || a.contains(where: { $0 == " " || $0 == "/" || $0 == "@" }) {
            return .failure(.badRequest("invalid Host field"))
        }
        var request = HTTPRequest(method: method, scheme: "http", authority: authority, path: path)
        var fields = HTTPFields()
        fields.reserveCapacity(head.headers.count)
        for (name, value) in head.headers {
            guard let fieldName = HTTPField.Name(name) else { return .failure(.badRequest("invalid field name")) }
            if fieldName == FieldNames.host { continue }
            fields.append(HTTPField(name: fieldName, value: value))
        }
        request.headerFields = fields
        return .success(request)
    }
}

/// A complete response: head and, unless it is bodiless, its body.
struct Delivery: Sendable {
    var head: HTTPResponse
    var body: ByteBuffer?
}

/// Writes one response to the client connection, from any thread.
///
/// Parts are either written and awaited until flushed (backpressure), or queued without
/// waiting; `end()` waits for everything queued. An HTTP/1.0 client gets its connection
/// closed after a body without Content-Length, the only framing it understands.
final class ChannelResponseWriter: Sendable {
    private let channel: any Channel
    private let version: HTTPVersion
    private let keepAlive: Bool
    private let context: NIOLoopBound<ChannelHandlerContext>
    private let state = NIOLockedValueBox<(pending: EventLoopFuture<Void>?, close: Bool)>((nil, false))

    init(context: ChannelHandlerContext, channel: any Channel, version: HTTPVersion, keepAlive: Bool) {
        self.context = NIOLoopBound(context, eventLoop: context.eventLoop)
        self.channel = channel
        self.version = version
        self.keepAlive = keepAlive
    }

    private func nioHead(_ response: HTTPResponse, close: Bool) -> HTTPResponseHead {
        Self.nioHead(response, version: version, close: close || !keepAlive)
    }

    /// The NIO form of a response head, with the connection's `Connection` field.
    static func nioHead(_ response: HTTPResponse, version: HTTPVersion, close: Bool) -> HTTPResponseHead {
        var headers = HTTPHeaders()
        headers.reserveCapacity(response.headerFields.count + 1)
        for field in response.headerFields {
            headers.add(name: field.name.rawName, value: field.value)
        }
        if close {
            headers.replaceOrAdd(name: "Connection", value: "close")
        } else if version.minor == 0 {
            headers.replaceOrAdd(name: "Connection", value: "keep-alive")
        }
        return HTTPResponseHead(
            version: version,
            status: HTTPResponseStatus(statusCode: response.status.code, reasonPhrase: response.status.reasonPhrase),
            headers: headers
        )
    }

    /// Writes a whole response; must be called on the channel's event loop.
    func writeOnEventLoop(_ response: HTTPResponse, body: ByteBuffer?, close: Bool) {
        let context = self.context.value
        context.write(NIOAny(HTTPServerResponsePart.head(nioHead(response, close: close))), promise: nil)
        if let body, body.readableBytes > 0 {
            context.write(NIOAny(HTTPServerResponsePart.body(.byteBuffer(body))), promise: nil)
        }
        if close || !keepAlive {
            let channel = self.channel
            context.writeAndFlush(NIOAny(HTTPServerResponsePart.end(nil))).whenComplete { _ in channel.close(promise: nil) }
        } else {
            context.writeAndFlush(NIOAny(HTTPServerResponsePart.end(nil)), promise: nil)
        }
    }

    /// Writes a whole response from any thread.
    func write(_ response: HTTPResponse, body: ByteBuffer?, close: Bool = false) async {
        let eventLoop = channel.eventLoop
        try? await eventLoop.submit { self.writeOnEventLoop(response, body: body, close: close) }.get()
    }

    /// The head of a streamed response. Without Content-Length, an HTTP/1.0 client can only
    /// find the end of the body by the connection closing.
    private func streamedHead(_ response: HTTPResponse, bodyFollows: Bool) -> HTTPServerResponsePart {
        let close = bodyFollows && version.minor == 0 && !response.headerFields.contains(.contentLength)
        if close { state.withLockedValue { $0.close = true } }
        return .head(nioHead(response, close: close))
    }

    /// Starts a streamed response and waits until the head is flushed.
    func writeHead(_ response: HTTPResponse, bodyFollows: Bool = true) async throws {
        try await channel.writeAndFlush(streamedHead(response, bodyFollows: bodyFollows))
    }

    /// Sends one chunk and waits until it has been flushed to the socket.
    func writeBody(_ chunk: ByteBuffer) async throws {
        try await flushed()
        try await channel.writeAndFlush(HTTPServerResponsePart.body(.byteBuffer(chunk)))
    }

    /// Queues the head of a streamed response without waiting.
    func queue(head response: HTTPResponse, bodyFollows: Bool) {
        enqueue(streamedHead(response, bodyFollows: bodyFollows))
    }

    /// Queues a chunk without waiting for the client to take it.
    func queue(body chunk: ByteBuffer) {
        enqueue(.body(.byteBuffer(chunk)))
    }

    private func enqueue(_ part: HTTPServerResponsePart) {
        let future = channel.writeAndFlush(part)
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
        try await channel.writeAndFlush(HTTPServerResponsePart.end(nil))
        if !keepAlive || state.withLockedValue({ $0.close }) { try? await channel.close() }
    }

    /// Cuts the connection: a streamed body could not be completed, and the client must not
    /// mistake what it got for the whole.
    func abort() async {
        try? await channel.close()
    }
}
