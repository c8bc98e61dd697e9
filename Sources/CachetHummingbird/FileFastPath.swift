import HTTPPreconditions
import HTTPTypes
import NIOCore
import NIOHTTPTypes

/// Answers file requests that need no I/O — a remembered file whose request gets a 304, or
/// whose content is in memory — on the event loop, in Hummingbird's HTTP/1 pipeline before
/// the router (`HTTP1Channel.Configuration(additionalChannelHandlers:)`). Everything else
/// passes on unchanged.
///
/// Responses leave in request order (RFC 9112 §9.3.2): while a request passed on to the
/// router has not been answered, the requests pipelined behind it pass on too. A request
/// that asks for the connection to close passes on, so closing stays Hummingbird's job.
public final class FileFastPath: ChannelDuplexHandler, RemovableChannelHandler {
    public typealias InboundIn = HTTPRequestPart
    public typealias InboundOut = HTTPRequestPart
    public typealias OutboundIn = HTTPResponsePart
    public typealias OutboundOut = HTTPResponsePart

    private let serverName: String?
    private let answer: @Sendable (HTTPRequest) -> (head: HTTPResponse, body: ByteBuffer?)?
    /// Requests passed on whose responses have not ended.
    private var outstanding = 0
    /// The answer to the request being received, sent once its end arrives.
    private var pending: (head: HTTPResponse, body: ByteBuffer?)?
    /// The `Date` value, formatted once a second.
    private var date: (second: Int64, value: String) = (.min, "")

    init(serverName: String?, answer: @escaping @Sendable (HTTPRequest) -> (head: HTTPResponse, body: ByteBuffer?)?) {
        self.serverName = serverName
        self.answer = answer
    }

    public func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let request):
            if outstanding == 0, !Self.closes(request), let answer = answer(request) {
                pending = answer
                return
            }
            outstanding += 1
            context.fireChannelRead(data)
        case .body:
            // The content of a GET or HEAD answered here has no meaning (RFC 9110 §9.3.1).
            if pending == nil { context.fireChannelRead(data) }
        case .end:
            guard let (head, body) = pending else { return context.fireChannelRead(data) }
            pending = nil
            var response = head
            // An origin server with a clock sends Date (RFC 9110 §6.6.1).
            response.headerFields[.date] = currentDate()
            if let serverName { response.headerFields[.server] = serverName }
            context.write(wrapOutboundOut(.head(response)), promise: nil)
            if let body, body.readableBytes > 0 { context.write(wrapOutboundOut(.body(body)), promise: nil) }
            context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        }
    }

    public func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .end = unwrapOutboundIn(data) { outstanding = max(0, outstanding - 1) }
        context.write(data, promise: promise)
    }

    static func closes(_ request: HTTPRequest) -> Bool {
        request.headerFields[values: .connection].contains { value in
            value.split(separator: ",").contains { $0.trimmingASCIIWhitespace().lowercased() == "close" }
        }
    }

    private func currentDate() -> String {
        let now = ServerClock.now()
        if now.secondsSince1970 != date.second {
            date = (now.secondsSince1970, now.imfFixdate)
        }
        return date.value
    }
}
