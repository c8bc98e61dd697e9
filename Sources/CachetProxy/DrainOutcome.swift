/// How a shutdown ended: whether every request in flight finished within the drain bound
/// (`ProxyConfiguration.drainTimeout`, `--drain-timeout`).
public enum DrainOutcome: Sendable, Hashable {
    /// Every request in flight was answered and every connection closed in time.
    case drained
    /// The bound passed first: this many connections were closed with their requests
    /// unanswered or cut, and the requests still waiting on the origin were cancelled.
    case cutShort(connections: Int)
}
