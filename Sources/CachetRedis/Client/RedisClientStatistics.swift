/// What the client has seen of a Cluster's changes since it started.
public struct RedisClientStatistics: Sendable, Hashable {
    /// `MOVED` replies followed: a slot had a new owner.
    public var movedRedirects = 0
    /// `ASK` replies followed: a slot was migrating.
    public var askRedirects = 0
    /// Slot maps fetched with `CLUSTER SLOTS`, the first included.
    public var slotMapRefreshes = 0

    public init() {}
}
