/// The URL under check, split into what an HTTP/1.1 request needs. Only `http` and `https`
/// absolute URLs are accepted; a fragment is dropped (it is never sent, RFC 9110 §4.2.4).
public struct CheckTarget: Sendable, Hashable, Codable {
    public var scheme: String
    /// `host[:port]`, as sent in `Host`.
    public var authority: String
    public var host: String
    public var port: Int
    /// Path and query, at least `/`.
    public var pathAndQuery: String

    /// Why a URL was refused.
    public struct Invalid: Error, CustomStringConvertible {
        public var description: String
    }

    public init(_ url: String) throws {
        guard let separator = url.range(of: "://") else {
            throw Invalid(description: "\(url) is not an absolute http:// or https:// URL")
        }
        let scheme = url[..<separator.lowerBound].lowercased()
        guard scheme == "http" || scheme == "https" else {
            throw Invalid(description: "only http and https URLs can be checked, not \(scheme):")
        }
        var rest = url[separator.upperBound...]
        if let hash = rest.firstIndex(of: "#") { rest = rest[..<hash] }
        let pathStart = rest.firstIndex { $0 == "/" || $0 == "?" } ?? rest.endIndex
        let authority = String(rest[..<pathStart])
        var path = String(rest[pathStart...])
        if path.isEmpty || path.first == "?" { path = "/" + path }
        guard !authority.isEmpty, !authority.contains("@") else {
            throw Invalid(description: "\(url) has no host (or carries credentials, which cachet check does not send)")
        }
        var host = authority
        var port = scheme == "https" ? 443 : 80
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else { throw Invalid(description: "bad IPv6 literal in \(url)") }
            host = String(authority[authority.index(after: authority.startIndex)..<close])
            let after = authority[authority.index(after: close)...]
            if after.hasPrefix(":") {
                guard let number = Int(after.dropFirst()) else { throw Invalid(description: "bad port in \(url)") }
                port = number
            }
        } else if let colon = authority.lastIndex(of: ":") {
            host = String(authority[..<colon])
            guard let number = Int(authority[authority.index(after: colon)...]), (1...65535).contains(number) else {
                throw Invalid(description: "bad port in \(url)")
            }
            port = number
        }
        self.scheme = scheme
        self.authority = authority
        self.host = host
        self.port = port
        self.pathAndQuery = path
    }

    /// The URL as AsyncHTTPClient takes it.
    public var url: String { "\(scheme)://\(authority)\(pathAndQuery)" }
}
