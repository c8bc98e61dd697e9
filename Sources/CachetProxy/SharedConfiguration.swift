/// The tier several nodes share (`--shared redis://HOST:PORT` or
/// `--shared redis-cluster://HOST:PORT,HOST:PORT`), behind each node's memory and disk.
public struct SharedConfiguration: Sendable {
    /// `redis://host:port` or `redis-cluster://host:port,host:port`.
    public var url: String
    /// The longest wait for one Redis reply. Past it the shared tier counts as failing for
    /// that request, which goes on with the node's own tiers and the origin: a slow Redis
    /// never holds a client longer than this per step.
    public var timeout: Duration
    /// How long a node that found another node filling a key waits for it before fetching
    /// from the origin itself.
    public var fillWait: Duration
    /// How long a claim to fill a key holds when the node that took it never releases it
    /// (it died): the most the other nodes' waits can be extended by a dead filler.
    public var fillLease: Duration
    /// Seconds an entry with a validator is kept past its freshness and stale windows, so
    /// that a revalidation can still freshen it with a 304 (RFC 9111 §4.3.1).
    public var keep: Int64
    /// Body bytes of writes waiting for Redis; beyond it new writes are dropped (counted),
    /// never removals.
    public var maximumQueuedBytes: Int
    /// How long the shared tier must answer without a failure before it counts as available
    /// again (logged once, `cachet_shared_up` back to 1).
    public var recovery: Duration
    /// While Redis keeps failing, how often a read, fill claim or publication goes to it as a
    /// probe; the others go without it meanwhile.
    public var probeInterval: Duration
    /// The prefix of every Redis key and channel, so that several fleets can share a Redis.
    public var namespace: String

    public init(
        url: String, timeout: Duration = .milliseconds(500), fillWait: Duration = .seconds(5), fillLease: Duration = .seconds(10),
        keep: Int64 = 3600, maximumQueuedBytes: Int = 64 << 20, namespace: String = "cachet", recovery: Duration = .seconds(2),
        probeInterval: Duration = .milliseconds(200)
    ) {
        self.url = url
        self.timeout = timeout
        self.fillWait = fillWait
        self.fillLease = fillLease
        self.keep = keep
        self.maximumQueuedBytes = maximumQueuedBytes
        self.namespace = namespace
        self.recovery = recovery
        self.probeInterval = probeInterval
    }
}
