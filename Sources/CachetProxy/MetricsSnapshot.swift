/// The proxy's counters and its stores at one moment: what `/metrics` exposes and the
/// status page shows.
public struct MetricsSnapshot: Sendable, Hashable {
    /// Monotonic counts since the server started.
    public struct Counts: Sendable, Hashable {
        public var requests: [RequestOutcome: Int] = [:]
        /// 304 Not Modified responses sent to clients.
        public var notModifiedSent = 0
        /// Response body bytes written to clients.
        public var deliveredBytes = 0
        /// Response body bytes read from origins.
        public var originBytes = 0
        /// Body bytes the 304s sent to clients stood in for.
        public var clientBytesSaved = 0
        /// Body bytes the origins' 304s to revalidations stood in for.
        public var originBytesSaved = 0
        /// Requests that waited for another request's origin fetch.
        public var coalescedRequests = 0
        /// Evictions by tier name.
        public var evictions: [String: Int] = [:]
        /// Fresh hits answered from the disk and from the shared tier (the rest of the hits
        /// came from memory).
        public var diskHits = 0
        public var sharedHits = 0
        /// The shared tier (`--shared`): lookups it missed, operations that failed, values
        /// it held that failed verification, body bytes read from and written to it,
        /// publications dropped while its writes were behind, and purge broadcasts sent to
        /// and received from the other nodes.
        public var sharedMisses = 0
        public var sharedErrors = 0
        public var sharedRejected = 0
        public var sharedBytesRead = 0
        public var sharedBytesWritten = 0
        public var sharedDroppedWrites = 0
        public var broadcastsSent = 0
        public var broadcastsReceived = 0
    }

    /// Whether the shared tier answers (`nil` without one).
    public var sharedAvailable: Bool?

    /// One storage tier (`memory`, `disk`).
    public struct Tier: Sendable, Hashable {
        public var name: String
        public var bytes: Int
        public var entries: Int
        public var limit: Int
        public var evictions: Int
    }

    public var counts: Counts
    public var tiers: [Tier]
    /// Requests waiting for another request's origin fetch right now.
    public var coalescedWaiting: Int

    /// Requests counted with `outcome`.
    public subscript(_ outcome: RequestOutcome) -> Int { counts.requests[outcome] ?? 0 }

    /// Every request counted.
    public var totalRequests: Int { counts.requests.values.reduce(0, +) }

    /// The share of the requests the cache could answer (not passed, not errors) that got
    /// stored content (hits, stale hits, revalidated with 304), or `nil` before any.
    public var hitRatio: Double? {
        var served = 0
        var cacheable = 0
        for (outcome, count) in counts.requests where outcome.isCacheable {
            cacheable += count
            if outcome.isServedFromStore { served += count }
        }
        return cacheable == 0 ? nil : Double(served) / Double(cacheable)
    }
}
