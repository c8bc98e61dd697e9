import HTTPCachePolicy
import NIOCore
import NIOHTTP1

/// Answers requests the HTTP/1 parser rejects, then lets the connection close: 431 when the
/// header section is too large, 400 for everything else — malformed request lines and fields,
/// and smuggling shapes such as conflicting Content-Length / Transfer-Encoding (RFC 9112 §6.3),
/// which must never reach the origin or the cache.
final class ProtocolErrorHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart
    typealias OutboundIn = HTTPServerResponsePart
    typealias OutboundOut = HTTPServerResponsePart

    private var responseInProgress = false
    private let cacheName: String

    init(cacheName: String) {
        self.cacheName = cacheName
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        guard let parserError = error as? HTTPParserError else {
            context.fireErrorCaught(error)
            return
        }
        if !responseInProgress {
            let proxyError: ProxyError =
                parserError == .headerOverflow ? .headerSectionTooLarge : .badRequest(String(describing: parserError))
            var headers = HTTPHeaders()
            headers.add(name: "Content-Type", value: "text/plain; charset=utf-8")
            headers.add(name: "Content-Length", value: String(proxyError.message.utf8.count))
            headers.add(name: "Connection", value: "close")
            headers.add(name: CacheStatus.fieldName.rawName, value: CacheStatus(cacheName: cacheName, detail: proxyError.detail).fieldValue)
            let status = HTTPResponseStatus(statusCode: proxyError.status.code, reasonPhrase: proxyError.status.reasonPhrase)
            context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: status, headers: headers))), promise: nil)
            context.write(wrapOutboundOut(.body(.byteBuffer(proxyError.body))), promise: nil)
            context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        }
        context.close(promise: nil)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        switch unwrapOutboundIn(data) {
        case .head(let head) where head.status.code >= 200: responseInProgress = true
        case .end: responseInProgress = false
        default: break
        }
        context.write(data, promise: promise)
    }
}
