import HTTPCachePolicy
import HTTPTypes
import NIOCore
import NIOHTTP1

/// The proxy's receiving edge without sockets, for the fuzz targets: the HTTP/1 parser the
/// server installs, and what the connection handler makes of each request head it yields
/// (`ClientConnectionHandler.convert` and the primary cache key).
@_spi(Fuzzing)
public enum RequestHeadProbe {
    /// What the proxy does with one parsed request head.
    public enum Outcome: Sendable {
        /// Refused with this status before reaching the request flow.
        case refused(HTTPResponse.Status)
        /// Handed to the request flow as `request`, looked up under `key` (`nil`: no
        /// authority to name the target, so nothing is cached).
        case accepted(HTTPRequest, key: CacheKey?)
    }

    /// The request parser, configured exactly as the proxy's server pipeline configures it.
    public static func makeDecoder() -> ByteToMessageHandler<HTTPRequestDecoder> {
        ProxyServer.makeRequestDecoder()
    }

    /// Converts a parsed head as the connection handler does and keys the result as the
    /// request flow does.
    public static func receive(_ head: HTTPRequestHead) -> Outcome {
        switch ClientConnectionHandler.convert(head) {
        case .failure(let error): return .refused(error.status)
        case .success(let request): return .accepted(request, key: RequestFlow.key(for: request))
        }
    }
}
