import HTTPTypes
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOPosix

/// A small HTTP/1.1 origin server: the bundled example origin of `cachet proxy
/// --example-origin`, and the scriptable origin of the end-to-end tests.
public final class SimpleOriginServer: Sendable {
    /// What the origin answers.
    public struct Reply: Sendable {
        public var head: HTTPResponse
        public var body: ByteBuffer
        /// Send only this many body bytes, then close the connection: a truncated body.
        public var truncateAfter: Int?
        /// Send the body chunked, without Content-Length.
        public var chunked: Bool

        public init(head: HTTPResponse, body: ByteBuffer = ByteBuffer(), truncateAfter: Int? = nil, chunked: Bool = false) {
            self.head = head
            self.body = body
            self.truncateAfter = truncateAfter
            self.chunked = chunked
        }
    }

    public typealias Handler = @Sendable (HTTPRequest, ByteBuffer?) async -> Reply

    private let group: MultiThreadedEventLoopGroup
    private let handler: Handler
    private let channel = NIOLockedValueBox<(any Channel)?>(nil)

    public init(threads: Int = 1, handler: @escaping Handler) {
        self.group = MultiThreadedEventLoopGroup(numberOfThreads: threads)
        self.handler = handler
    }

    /// Starts listening on `host:port` (0 for any free port) and returns the bound port.
    @discardableResult
    public func start(host: String = "127.0.0.1", port: Int = 0) async throws -> Int {
        let handler = self.handler
        let channel = try await ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                    try channel.pipeline.syncOperations.addHandler(OriginConnectionHandler(handler: handler))
                }
            }
            .bind(host: host, port: port).get()
        self.channel.withLockedValue { $0 = channel }
        return channel.localAddress!.port!
    }

    /// Stops the server; calling it again does nothing.
    public func shutdown() async throws {
        let (channel, first) = self.channel.withLockedValue { state -> ((any Channel)?, Bool) in
            defer { state = nil }
            return (state, state != nil)
        }
        guard first else { return }
        try? await channel?.close()
        try await group.shutdownGracefully()
    }
}

private final class OriginConnectionHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    let handler: SimpleOriginServer.Handler
    var head: HTTPRequestHead?
    var body: ByteBuffer?

    init(handler: @escaping SimpleOriginServer.Handler) {
        self.handler = handler
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            self.head = head
            self.body = nil
        case .body(var chunk):
            if body == nil { body = chunk } else { body!.writeBuffer(&chunk) }
        case .end:
            guard let head else { return }
            var request = HTTPRequest(
                method: HTTPRequest.Method(head.method.rawValue) ?? .get,
                scheme: "http",
                authority: head.headers.first(name: "host"),
                path: head.uri
            )
            for (name, value) in head.headers {
                if let fieldName = HTTPField.Name(name), fieldName != FieldNames.host {
                    request.headerFields.append(HTTPField(name: fieldName, value: value))
                }
            }
            let body = self.body
            let handler = self.handler
            let loopBound = NIOLoopBound(context, eventLoop: context.eventLoop)
            let eventLoop = context.eventLoop
            let isHead = head.method == .HEAD
            let keepAlive = head.isKeepAlive
            Self.respond(to: request, body: body, handler: handler, loopBound: loopBound, eventLoop: eventLoop, isHead: isHead, keepAlive: keepAlive)
        }
    }

    private static func respond(
        to request: HTTPRequest, body: ByteBuffer?, handler: @escaping SimpleOriginServer.Handler,
        loopBound: NIOLoopBound<ChannelHandlerContext>, eventLoop: any EventLoop, isHead: Bool, keepAlive: Bool
    ) {
        Task {
            let reply = await handler(request, body)
            eventLoop.execute {
                Self.write(reply, context: loopBound.value, isHead: isHead, keepAlive: keepAlive)
            }
        }
    }

    static func write(_ reply: SimpleOriginServer.Reply, context: ChannelHandlerContext, isHead: Bool, keepAlive: Bool) {
        var headers = HTTPHeaders()
        for field in reply.head.headerFields {
            headers.add(name: field.name.rawName, value: field.value)
        }
        let status = reply.head.status.code
        let bodiless = isHead || status == 304 || status == 204 || (100..<200).contains(status)
        if !bodiless && !reply.chunked && !reply.head.headerFields.contains(.contentLength) {
            headers.add(name: "Content-Length", value: String(reply.body.readableBytes))
        }
        if !keepAlive { headers.add(name: "Connection", value: "close") }
        let responseHead = HTTPResponseHead(
            version: .http1_1,
            status: HTTPResponseStatus(statusCode: status, reasonPhrase: reply.head.status.reasonPhrase),
            headers: headers
        )
        context.write(NIOAny(HTTPServerResponsePart.head(responseHead)), promise: nil)
        if !bodiless {
            var body = reply.body
            if let limit = reply.truncateAfter {
                let part = body.readSlice(length: min(limit, body.readableBytes)) ?? ByteBuffer()
                context.writeAndFlush(NIOAny(HTTPServerResponsePart.body(.byteBuffer(part))), promise: nil)
                context.close(promise: nil)
                return
            }
            if body.readableBytes > 0 {
                context.write(NIOAny(HTTPServerResponsePart.body(.byteBuffer(body))), promise: nil)
            }
        }
        context.writeAndFlush(NIOAny(HTTPServerResponsePart.end(nil))).whenComplete { _ in
            if !keepAlive { context.close(promise: nil) }
        }
    }
}
