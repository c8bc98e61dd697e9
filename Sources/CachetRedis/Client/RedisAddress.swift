/// A Redis node's host and port.
public struct RedisAddress: Sendable, Hashable, CustomStringConvertible {
    public var host: String
    public var port: Int

    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    /// `host:port`, `[v6]:port`, or `host` alone (port 6379). Nil when the port is not
    /// 1...65535 or the host is empty.
    public init?(_ text: Substring, defaultPort: Int = 6379) {
        var host = text
        var port = defaultPort
        if text.first == "[" {
            // An IPv6 literal: `[::1]:6379`.
            guard let close = text.firstIndex(of: "]") else { return nil }
            host = text[text.index(after: text.startIndex)..<close]
            let rest = text[text.index(after: close)...]
            if !rest.isEmpty {
                guard rest.first == ":", let parsed = Int(rest.dropFirst()) else { return nil }
                port = parsed
            }
        } else if let colon = text.lastIndex(of: ":") {
            guard let parsed = Int(text[text.index(after: colon)...]) else { return nil }
            host = text[..<colon]
            port = parsed
        }
        guard !host.isEmpty, (1...65535).contains(port) else { return nil }
        self.init(host: String(host), port: port)
    }

    public var description: String {
        host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
    }
}
