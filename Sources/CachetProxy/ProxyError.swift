import HTTPTypes
import NIOCore

/// The errors the proxy answers itself, each with a short plain-text body that says why.
public enum ProxyError: Error, Sendable, Hashable {
    /// A malformed request: 400.
    case badRequest(String)
    /// The header section is larger than allowed: 431.
    case headerSectionTooLarge
    /// The request content is larger than allowed: 413.
    case contentTooLarge
    /// The request target is longer than the proxy accepts: 414 (RFC 9110 §15.5.15).
    case uriTooLong
    /// The request's HTTP version is not one the proxy speaks: 505 (RFC 9110 §15.6.6).
    case versionNotSupported
    /// No origin is configured for the request's host: 421 Misdirected Request.
    case unknownHost(String)
    /// The origin refused, reset or broke the exchange: 502.
    case badGateway(String)
    /// The origin did not answer in time: 504.
    case gatewayTimeout(String)
    /// `only-if-cached` and nothing usable is stored: 504 (RFC 9111 §5.2.1.7).
    case notCached
    /// A purge from a client that is neither allowed by address nor holds the token: 403.
    case purgeForbidden
    /// The request did not arrive in time (``ClientTimeouts``): 408 (RFC 9110 §15.5.9).
    case requestTimeout

    var status: HTTPResponse.Status {
        switch self {
        case .badRequest: return .badRequest
        case .headerSectionTooLarge: return .init(code: 431, reasonPhrase: "Request Header Fields Too Large")
        case .contentTooLarge: return .contentTooLarge
        case .uriTooLong: return .uriTooLong
        case .versionNotSupported: return .init(code: 505, reasonPhrase: "HTTP Version Not Supported")
        case .unknownHost: return .misdirectedRequest
        case .badGateway: return .badGateway
        case .gatewayTimeout, .notCached: return .gatewayTimeout
        case .purgeForbidden: return .forbidden
        case .requestTimeout: return .requestTimeout
        }
    }

    var message: String {
        switch self {
        case .badRequest(let why): return "Bad request: \(why).\n"
        case .headerSectionTooLarge: return "Request header fields too large.\n"
        case .contentTooLarge: return "Request content too large.\n"
        case .uriTooLong: return "Request target too long.\n"
        case .versionNotSupported: return "HTTP version not supported: this proxy speaks HTTP/1.0 and HTTP/1.1 on this port.\n"
        case .unknownHost(let host): return "No origin is configured for host \"\(host)\".\n"
        case .badGateway: return "The origin server could not be reached or sent an invalid response.\n"
        case .gatewayTimeout: return "The origin server did not answer in time.\n"
        case .notCached: return "The response is not in the cache (only-if-cached).\n"
        case .purgeForbidden: return "Purging is not allowed from this address without the purge token.\n"
        case .requestTimeout: return "The request did not arrive in time.\n"
        }
    }

    var body: ByteBuffer { ByteBuffer(string: message) }

    /// The response head for this error; Cache-Status is added by the flow.
    func response() -> HTTPResponse {
        Self.plainText(status: status, message: message)
    }

    /// A short plain-text answer of the proxy's own (an error, a purge's report), which no
    /// cache may keep.
    static func plainText(status: HTTPResponse.Status, message: String) -> HTTPResponse {
        var response = HTTPResponse(status: status)
        response.headerFields[.contentType] = "text/plain; charset=utf-8"
        response.headerFields[.contentLength] = String(message.utf8.count)
        response.headerFields[.cacheControl] = "no-store"
        return response
    }
}
