import NIOCore
import NIOHTTP1
import NIOPosix

/// The admin listener: `GET /metrics` (Prometheus text format 0.0.4) and `GET /` (the status
/// page), on its own address (default 127.0.0.1:9091) and the proxy's event loops.
///
/// It is not on the hot path, so NIO's own HTTP/1 server pipeline frames it.
enum AdminServer {
    /// What the admin listener serves; each closure runs on an event loop, per request.
    struct Pages: Sendable {
        var metrics: @Sendable () -> [UInt8]
        var status: @Sendable () -> String
    }

    static func bind(host: String, port: Int, group: any EventLoopGroup, pages: Pages) async throws -> any Channel {
        try await ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
                    try channel.pipeline.syncOperations.addHandler(AdminHandler(pages: pages))
                }
            }
            .bind(host: host, port: port).get()
    }
}

/// Answers one admin request at a time (NIO's pipeline handler orders pipelined ones).
final class AdminHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let pages: AdminServer.Pages
    private var head: HTTPRequestHead?

    init(pages: AdminServer.Pages) {
        self.pages = pages
    }

    /// The media type Prometheus expects for its text format.
    static let metricsType = "text/plain; version=0.0.4; charset=utf-8"

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head): self.head = head
        case .body: break
        case .end:
            guard let head = head.take() else { return }
            respond(to: head, context: context)
        }
    }

    private func respond(to head: HTTPRequestHead, context: ChannelHandlerContext) {
        // The path alone decides; a query string is ignored.
        let path = head.uri.utf8.firstIndex(of: UInt8(ascii: "?")).map { String(head.uri[..<$0]) } ?? head.uri
        let status: HTTPResponseStatus
        let type: String
        let body: ByteBuffer
        if head.method != .GET && head.method != .HEAD {
            (status, type, body) = (.methodNotAllowed, "text/plain; charset=utf-8", ByteBuffer(string: "GET or HEAD only\n"))
        } else if path == "/metrics" {
            (status, type, body) = (.ok, Self.metricsType, ByteBuffer(bytes: pages.metrics()))
        } else if path == "/" {
            (status, type, body) = (.ok, "text/html; charset=utf-8", ByteBuffer(string: pages.status()))
        } else {
            (status, type, body) = (.notFound, "text/plain; charset=utf-8", ByteBuffer(string: "not found: try / or /metrics\n"))
        }
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: type)
        headers.add(name: "Content-Length", value: String(body.readableBytes))
        // Figures of this moment: no cache may keep them (RFC 9111 §5.2.2.5).
        headers.add(name: "Cache-Control", value: "no-store")
        if status == .methodNotAllowed { headers.add(name: "Allow", value: "GET, HEAD") }
        let keepAlive = head.isKeepAlive
        if !keepAlive { headers.add(name: "Connection", value: "close") }
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: head.version, status: status, headers: headers))), promise: nil)
        if head.method != .HEAD {
            context.write(wrapOutboundOut(.body(.byteBuffer(body))), promise: nil)
        }
        let channel = context.channel
        context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in
            if !keepAlive { channel.close(promise: nil) }
        }
    }
}
