import HTTPCachePolicy
import HTTPTypes
import NIOCore

/// One stored response: its policy (which holds the stored header fields, the timing and the
/// Vary key) and its complete body.
///
/// A stored response never changes: freshening after a 304 stores a new value that shares the
/// same body buffer, so clients being served the old one are never disturbed.
public struct StoredResponse: Sendable {
    /// The primary cache key (RFC 9111 §4.1).
    public let key: CacheKey
    /// Everything RFC 9111 needs to decide what this response may be used for.
    public let policy: CachePolicy
    /// The complete content. Written to clients without copying.
    public let body: ByteBuffer
    /// The response heads the server holding this entry writes for a fresh hit, serialised
    /// once so that a hit does not rebuild them. Opaque to the store.
    public private(set) var prepared: PreparedHeads?
    /// The response's surrogate keys (``SurrogateKeys``), by which a purge can find it.
    public let surrogateKeys: [String]

    public init(key: CacheKey, policy: CachePolicy, body: ByteBuffer, prepared: PreparedHeads? = nil) {
        self.key = key
        self.policy = policy
        self.body = body
        self.prepared = prepared
        self.surrogateKeys = SurrogateKeys.of(policy.response.headerFields)
    }

    /// The same response with `heads` prepared for it.
    public func with(prepared heads: PreparedHeads?) -> StoredResponse {
        var copy = self
        copy.prepared = heads
        return copy
    }

    /// Bytes this entry costs the store: the memory its content occupies (allocated
    /// capacity, not just the bytes read), its header fields as Swift holds them (a field's
    /// name twice, raw and canonical, its value, and the allocations around them), its
    /// prepared heads, and an allowance for the policy, the key and the store's own
    /// bookkeeping. Measured against RSS under load (bench/soak), so that a memory limit
    /// bounds the process rather than the payload alone.
    public var cost: Int {
        var fieldBytes = 0
        for field in policy.response.headerFields {
            fieldBytes += 2 * field.name.rawName.utf8.count + field.value.utf8.count + 128
        }
        for key in surrogateKeys { fieldBytes += key.utf8.count + 64 }
        return max(body.capacity, body.readableBytes) + fieldBytes + (prepared?.bytes ?? 0) + 1024 + 2 * key.uri.utf8.count
    }

    /// Whether the response carries one of the surrogate keys `tags`.
    public func isTagged(withAnyOf tags: Set<String>) -> Bool {
        surrogateKeys.contains(where: tags.contains)
    }

    /// Whether this is the same stored response as `other`: same key, Vary key, validators
    /// and response time (a freshened copy of it is not).
    public func isSameResponse(as other: StoredResponse) -> Bool {
        key == other.key && policy.varyKey == other.policy.varyKey && policy.etag == other.policy.etag
            && policy.responseTime == other.policy.responseTime && policy.lastModified == other.policy.lastModified
    }
}

/// A stored response's heads as a server writes them for a fresh hit, less the fields that
/// change with each delivery (`Age`, `Cache-Status`).
public struct PreparedHeads: Sendable {
    /// The head of the full response (200, or whatever status was stored).
    public var full: ByteBuffer
    /// The head of a 304 answering a client's matching conditional request, if the stored
    /// response has validators to match.
    public var notModified: ByteBuffer?

    public init(full: ByteBuffer, notModified: ByteBuffer?) {
        self.full = full
        self.notModified = notModified
    }

    /// The memory the heads occupy.
    public var bytes: Int { full.capacity + (notModified?.capacity ?? 0) }
}
