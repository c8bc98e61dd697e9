import CachetStorage
import HTTPCachePolicy

/// The names of the Redis keys and channels of the shared tier, under a namespace
/// (`cachet` unless configured), so that several caches (or tests) can share one Redis.
///
/// Every key of one primary cache key carries the same hash tag, `{h}` with `h` the 32 hex
/// digits of a stable 128-bit hash of the key (`NameHasher`, not Swift's per-process
/// `Hasher`), so that in a Cluster they share one hash slot and one script can touch them all
/// (Redis Cluster spec, "Hash tags"):
///
/// ```
/// ns:{h}:p            HASH  variant id → pointer value (RedisPointerValue)
/// ns:{h}:v:<version>  HASH  "h" → header block (RedisEntryHeader), "0", "1", … → body chunks
/// ns:{h}:fill         STRING the token of the node filling the key (a lease)
/// ns:tag:{<tag>}      SET   "METHOD uri" of every primary key with a variant tagged <tag>
/// ns:fill             channel: "METHOD uri" when a fill ends
/// ns:broadcast        channel: the nodes' broadcasts
/// ```
///
/// A variant id is the hash of the Vary key; a version id is 64 random bits in hex, fresh for
/// each publication, so a version hash is written once and never rewritten (but for its
/// header block, by a freshening).
struct RedisEntryLayout: Sendable {
    let namespace: String

    init(namespace: String) {
        precondition(!namespace.isEmpty && !namespace.contains("{") && !namespace.contains("}"), "a namespace names no hash tag")
        self.namespace = namespace
    }

    /// `{h}`: the hash tag of every key of `key`.
    func hashTag(_ key: CacheKey) -> String {
        var hasher = NameHasher()
        hasher.add(key)
        return "{\(hasher.hexDigest)}"
    }

    func pointer(_ key: CacheKey) -> String { "\(namespace):\(hashTag(key)):p" }

    /// The name of a version hash less the version id, which the scripts complete.
    func versionPrefix(_ key: CacheKey) -> String { "\(namespace):\(hashTag(key)):v:" }

    func version(_ key: CacheKey, id: String) -> String { versionPrefix(key) + id }

    func fillLock(_ key: CacheKey) -> String { "\(namespace):\(hashTag(key)):fill" }

    func tagSet(_ tag: String) -> String { "\(namespace):tag:{\(tag)}" }

    var fillChannel: String { "\(namespace):fill" }
    var broadcastChannel: String { "\(namespace):broadcast" }

    /// The field of a variant in its key's pointer hash.
    static func variantID(_ varyKey: VaryKey) -> String {
        var hasher = NameHasher()
        hasher.add(varyKey)
        return hasher.hexDigest
    }

    /// A fresh version id: 16 hex digits of the system's random generator.
    static func newVersionID() -> String {
        hex(UInt64.random(in: .min ... .max))
    }

    static func hex(_ value: UInt64) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }

    /// `METHOD uri`: how a tag set member and a fill message name a primary key.
    static func text(of key: CacheKey) -> String { key.description }

    /// The key of `text`, or nil when it is not `METHOD uri`.
    static func key(fromText text: String) -> CacheKey? {
        guard let space = text.firstIndex(of: " "), space != text.startIndex else { return nil }
        let uri = text[text.index(after: space)...]
        guard !uri.isEmpty else { return nil }
        var key = CacheKey(method: .get, normalizedURI: String(uri))
        key.method = String(text[..<space])
        return key
    }
}
