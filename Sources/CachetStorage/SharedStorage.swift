import HTTPCachePolicy
import NIOCore

/// A cache tier that several proxy nodes share, behind each node's own memory and disk tiers
/// (`RedisStore` in CachetRedis). It is remote: every call may fail, and a caller treats a
/// failure as a miss (or a write not made), never as an answer for a client.
///
/// - Published entries appear atomically: a reader sees a variant complete or not at all.
/// - Every entry read is verified (checksum and lengths); one that fails is not returned,
///   and is counted in ``rejectedValues``.
/// - An entry lives as long as it may still be used (`lifetime`, computed by the caller from
///   its policy); the store forgets it afterwards by itself.
public protocol SharedStorage: Sendable {
    /// The variants of `key` in the shared tier, each verified. Empty when there are none.
    func variants(for key: CacheKey) async throws -> [StoredResponse]

    /// Stores `response` as the variant of its key with its Vary key, replacing the one there
    /// (if any) in one atomic step, and indexes its surrogate keys. Kept for `lifetime`.
    func publish(_ response: StoredResponse, lifetime: Duration) async throws

    /// Replaces the stored policy of `old` (the same response: ``StoredResponse/isSameResponse(as:)``)
    /// with `updated`'s, leaving the body where it is (RFC 9111 §4.3.4), and keeps it for
    /// `lifetime`. Returns false, changing nothing, when the variant stored is no longer `old`
    /// (replaced or removed meanwhile).
    func freshen(_ old: StoredResponse, to updated: StoredResponse, lifetime: Duration) async throws -> Bool

    /// Removes every variant of `key`, or only those carrying one of `tags`. Returns how many
    /// went.
    func remove(_ key: CacheKey, taggedWithAnyOf tags: Set<String>?) async throws -> Int

    /// The primary keys with at least one variant carrying one of `tags`.
    func keys(taggedWith tags: Set<String>) async throws -> [CacheKey]

    /// Claims the right to fill `key` from the origin for `lease`, so that other nodes wait
    /// instead of fetching it too.
    func claimFill(of key: CacheKey, lease: Duration) async throws -> FillClaim

    /// Gives up a claim (only if still held by `claim`) and tells the waiting nodes, through
    /// ``events()``, that the fill of `key` ended.
    func releaseFill(of key: CacheKey, claim: FillClaim.Token) async throws

    /// Sends `payload` to every node's ``events()`` (this one's included).
    func broadcast(_ payload: ByteBuffer) async throws

    /// Broadcasts and fill endings from every node, for as long as the stream is iterated.
    /// A ``SharedStorageEvent/connected`` after the first means messages may have been missed.
    func events() -> AsyncStream<SharedStorageEvent>

    /// Entries read that failed verification (a wrong or truncated value), since the start.
    var rejectedValues: Int { get }
}

/// The answer to ``SharedStorage/claimFill(of:lease:)``.
public enum FillClaim: Sendable, Hashable {
    /// This node fills the key; it must call `releaseFill` with the token when done.
    case claimed(Token)
    /// Another node is filling the key: wait for its `filled` event (boundedly).
    case busy
    /// The key has variants in the shared tier already: read them instead.
    case stored

    /// Identifies one claim, so that a node never releases another's.
    public struct Token: Sendable, Hashable {
        public var value: String
        public init(_ value: String) { self.value = value }
    }
}

/// What a node hears from the shared tier.
public enum SharedStorageEvent: Sendable, Hashable {
    /// Subscribed (again, after the first: messages in between may be lost).
    case connected
    /// A payload one of the nodes broadcast.
    case broadcast(ByteBuffer)
    /// A node finished filling `key` (stored or not): waiting nodes look again.
    case filled(CacheKey)
}
