import HTTPTypes

/// The primary cache key of a request (RFC 9111 §4.1, §2): its method and its target URI,
/// normalised so that equivalent URIs share one key.
///
/// Normalisation follows RFC 9110 §4.2.3: the scheme and host are lowercased, a default
/// port (80 for http, 443 for https) or an empty port is removed, an empty path becomes `/`.
/// The path and query are kept exactly as sent: they are case-sensitive, and decoding
/// percent-escapes could merge distinct resources.
public struct CacheKey: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The request method, as sent.
    public var method: String
    /// The normalised target URI: `scheme://host[:port]/path[?query]`.
    public var uri: String

    /// Creates a key from a method and an already normalised URI.
    public init(method: HTTPRequest.Method, normalizedURI uri: String) {
        self.method = method.rawValue
        self.uri = uri
    }

    /// The key of a request, or `nil` when the request has no authority (no `:authority` or
    /// `Host`) to name its target.
    ///
    /// - Parameter defaultScheme: the scheme used when the request carries none, as an
    ///   HTTP/1.1 request in origin-form does; the proxy knows whether it listened with TLS.
    public init?(request: HTTPRequest, defaultScheme: String = "http") {
        guard let authority = request.authority,
            let uri = TargetURI.normalized(
                scheme: request.scheme ?? defaultScheme,
                authority: authority,
                pathAndQuery: request.path ?? "/"
            )
        else { return nil }
        self.method = request.method.rawValue
        self.uri = uri
    }

    /// `METHOD uri`.
    public var description: String { "\(method) \(uri)" }

    /// This key with another method: a HEAD request can be answered from the stored GET
    /// response of the same URI (RFC 9110 §9.3.2), so a cache looks up both.
    public func with(method: HTTPRequest.Method) -> CacheKey {
        CacheKey(method: method, normalizedURI: uri)
    }
}

/// Normalisation of target URIs (RFC 9110 §4.2.3).
public enum TargetURI {
    /// `scheme://authority` + `pathAndQuery`, normalised; `nil` when the scheme or authority
    /// is empty.
    public static func normalized(scheme: some StringProtocol, authority: some StringProtocol, pathAndQuery: some StringProtocol) -> String? {
        if let already = alreadyNormalized(scheme: scheme, authority: authority, pathAndQuery: pathAndQuery) {
            return already
        }
        let scheme = scheme.lowercased()
        guard !scheme.isEmpty, let authority = normalizedAuthority(authority, scheme: scheme) else { return nil }
        // Delimiters are found on bytes: as Characters, "#" or "?" followed by a combining
        // mark would not be found.
        var path = Substring(pathAndQuery)
        if let hash = path.utf8.firstIndex(of: UInt8(ascii: "#")) { path = path[..<hash] }  // a fragment is never part of the key
        if path.isEmpty || path.utf8.first == UInt8(ascii: "?") {
            path = "/" + path
        }
        return scheme + "://" + authority + path
    }

    /// The common case, checked on bytes and built with one allocation: a lowercase `http` or
    /// `https` scheme, an authority of lowercase host characters with no user information and
    /// no default or empty port, and a path that starts with `/` and has no fragment.
    static func alreadyNormalized(scheme: some StringProtocol, authority: some StringProtocol, pathAndQuery: some StringProtocol) -> String? {
        let isHTTP = scheme.utf8.elementsEqual("http".utf8)
        guard isHTTP || scheme.utf8.elementsEqual("https".utf8), pathAndQuery.utf8.first == UInt8(ascii: "/"),
            !authority.utf8.isEmpty, authority.utf8.first != UInt8(ascii: ":")
        else { return nil }
        var colon: String.UTF8View.Index?
        for index in authority.utf8.indices {
            let c = authority.utf8[index]
            switch c {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "."), UInt8(ascii: "-"):
                continue
            case UInt8(ascii: ":") where colon == nil:
                colon = index
            default:
                return nil
            }
        }
        if let colon {
            let port = authority.utf8[authority.utf8.index(after: colon)...]
            guard let first = port.first, first != UInt8(ascii: "0"), port.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return nil }
            if port.elementsEqual((isHTTP ? "80" : "443").utf8) { return nil }
        }
        guard !pathAndQuery.utf8.contains(UInt8(ascii: "#")) else { return nil }
        var uri = ""
        uri.reserveCapacity(scheme.utf8.count + 3 + authority.utf8.count + pathAndQuery.utf8.count)
        uri += scheme
        uri += "://"
        uri += authority
        uri += pathAndQuery
        return uri
    }

    /// The host lowercased, user information dropped, and a default or empty port removed.
    static func normalizedAuthority(_ authority: some StringProtocol, scheme: String) -> String? {
        // Delimiters are found on bytes, as in `normalized`.
        var hostAndPort = Substring(authority)
        if let at = hostAndPort.utf8.lastIndex(of: UInt8(ascii: "@")) { hostAndPort = hostAndPort[hostAndPort.utf8.index(after: at)...] }
        var host = hostAndPort
        var port: Substring = ""
        // The port follows the last colon, unless that colon is inside an IPv6 literal.
        if let colon = hostAndPort.utf8.lastIndex(of: UInt8(ascii: ":")), !hostAndPort.utf8[colon...].contains(UInt8(ascii: "]")) {
            host = hostAndPort[..<colon]
            port = hostAndPort[hostAndPort.utf8.index(after: colon)...]
        }
        // A host holds a colon only inside an IP literal (RFC 3986 §3.2.2); "a::80" or
        // "[1]:::80" name no host, and reading their port would not be idempotent.
        guard !host.isEmpty,
            !host.utf8.contains(UInt8(ascii: ":")) || (host.utf8.first == UInt8(ascii: "[") && host.utf8.last == UInt8(ascii: "]"))
        else { return nil }
        var result = host.lowercased()
        if !port.isEmpty {
            let number = port.allSatisfy(\.isASCIIDigit) ? Int(port.drop(while: { $0 == "0" })) ?? 0 : nil
            let isDefault = (scheme == "http" && number == 80) || (scheme == "https" && number == 443)
            if !isDefault {
                result += ":" + (number.map(String.init) ?? String(port))
            }
        }
        return result
    }
}

extension Character {
    var isASCIIDigit: Bool { isASCII && isNumber }
}
