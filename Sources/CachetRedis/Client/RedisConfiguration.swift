import NIOCore

/// How the client connects and how long it waits. The defaults suit a cache tier: short
/// timeouts (a slow Redis must not hold a client request longer than the origin would) and a
/// few connections per node (replies are pipelined, so one connection carries many commands).
public struct RedisConfiguration: Sendable {
    /// Connections kept per node; commands are spread over them round robin.
    public var connectionsPerNode: Int
    /// The longest wait for a TCP connection.
    public var connectTimeout: TimeAmount
    /// The longest wait for a reply; past it the connection is closed and every command
    /// pending on it fails with `RedisError.timeout`.
    public var commandTimeout: TimeAmount
    /// The first wait after a failed connect; it doubles with each further failure up to
    /// `maximumReconnectDelay`, and a random part of it (up to half) is dropped so that
    /// several nodes do not reconnect in step.
    public var initialReconnectDelay: TimeAmount
    public var maximumReconnectDelay: TimeAmount
    /// `MOVED`/`ASK` redirects followed for one command before giving up.
    public var maximumRedirects: Int
    public var decoderLimits: RESPDecoderLimits

    public init(
        connectionsPerNode: Int = 2,
        connectTimeout: TimeAmount = .seconds(1),
        commandTimeout: TimeAmount = .seconds(1),
        initialReconnectDelay: TimeAmount = .milliseconds(50),
        maximumReconnectDelay: TimeAmount = .seconds(5),
        maximumRedirects: Int = 5,
        decoderLimits: RESPDecoderLimits = .default
    ) {
        precondition(connectionsPerNode >= 1)
        self.connectionsPerNode = connectionsPerNode
        self.connectTimeout = connectTimeout
        self.commandTimeout = commandTimeout
        self.initialReconnectDelay = initialReconnectDelay
        self.maximumReconnectDelay = maximumReconnectDelay
        self.maximumRedirects = maximumRedirects
        self.decoderLimits = decoderLimits
    }
}
