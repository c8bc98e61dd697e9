/// What can go wrong talking to Redis. A `server` error leaves the connection usable; every
/// other failure of a connection fails all the commands pending on it and closes it.
public enum RedisError: Error, Sendable, Hashable {
    /// The server answered with an error reply (`-ERR ...`, `-WRONGTYPE ...`, `-NOSCRIPT ...`).
    case server(String)
    /// No reply within the command timeout; the connection was closed, since a reply that
    /// arrives later could no longer be matched to its command.
    case timeout
    /// The connection closed (EOF, reset, or closed by the client) before the reply.
    case connectionClosed
    /// The server's bytes are not RESP2.
    case protocolError(RESPDecodingError)
    /// A reply arrived that no command was waiting for.
    case unsolicitedReply
    /// The node could not be reached; the pool waits out its backoff before trying again and
    /// fails commands at once meanwhile, so a caller never queues behind a dead node.
    case unavailable(node: RedisAddress, reason: String)
    /// A reply of a shape the command never produces.
    case unexpectedReply(command: String, reply: String)
    /// More `MOVED`/`ASK` redirects than `RedisConfiguration.maximumRedirects` (Redis Cluster
    /// spec, "Redirection and resharding").
    case tooManyRedirects
    /// No node could be asked for the slot map, or it did not parse.
    case clusterMapUnavailable(String)
    /// `EXEC` returned null: the transaction was aborted.
    case transactionAborted
    /// The client was shut down.
    case shutDown
    /// A `redis://` or `redis-cluster://` URL that does not parse.
    case invalidURL(String)
}

extension RedisError: CustomStringConvertible {
    public var description: String {
        switch self {
        case .server(let message): "Redis error: \(message)"
        case .timeout: "Redis command timed out"
        case .connectionClosed: "Redis connection closed"
        case .protocolError(let error): "Redis protocol error: \(error)"
        case .unsolicitedReply: "Redis sent a reply no command was waiting for"
        case .unavailable(let node, let reason): "Redis node \(node) unavailable: \(reason)"
        case .unexpectedReply(let command, let reply): "unexpected reply to \(command): \(reply)"
        case .tooManyRedirects: "too many Redis Cluster redirects"
        case .clusterMapUnavailable(let reason): "Redis Cluster slot map unavailable: \(reason)"
        case .transactionAborted: "Redis transaction aborted"
        case .shutDown: "Redis client shut down"
        case .invalidURL(let url): "invalid Redis URL: \(url)"
        }
    }
}
