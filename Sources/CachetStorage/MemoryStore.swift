import HTTPCachePolicy
import NIOConcurrencyHelpers

/// The in-memory store: entries grouped by primary key (one per Vary variant), least recently
/// used first out, bounded by bytes.
///
/// Keys are spread over independent shards, each with its own lock and LRU list, so that
/// event loops serving hits for different keys rarely meet on one lock; a lookup holds its
/// shard's lock only for a dictionary read and a list splice.
public final class MemoryStore: Sendable {
    /// The most bytes the store holds (`StoredResponse.cost` summed).
    public let limit: Int
    /// The most Vary variants kept per primary key; the oldest goes first.
    public let maximumVariants: Int
    private let shards: [NIOLockedValueBox<Shard>]

    /// - Parameter shards: independent partitions; each holds at most `limit / shards` bytes.
    public init(limit: Int, shards: Int = 16, maximumVariants: Int = 32) {
        let count = max(1, min(shards, limit / (64 << 10)))
        self.limit = limit
        self.maximumVariants = maximumVariants
        self.shards = (0..<count).map { _ in NIOLockedValueBox(Shard(limit: limit / count)) }
    }

    /// What the store holds.
    public struct Statistics: Sendable, Hashable {
        public var bytes: Int
        public var entries: Int
        public var keys: Int
        public var evictions: Int
    }

    public var statistics: Statistics {
        var total = Statistics(bytes: 0, entries: 0, keys: 0, evictions: 0)
        for shard in shards {
            shard.withLockedValue {
                total.bytes += $0.bytes
                total.entries += $0.entries
                total.keys += $0.nodes.count
                total.evictions += $0.evictions
            }
        }
        return total
    }

    private func shard(_ key: CacheKey) -> NIOLockedValueBox<Shard> {
        shards.count == 1 ? shards[0] : shards[Int(UInt(bitPattern: key.hashValue) % UInt(shards.count))]
    }

    /// The stored variants of `key`, most recently stored first; marks the key as used.
    public func variants(for key: CacheKey) -> [StoredResponse] {
        shard(key).withLockedValue { shard in
            guard let node = shard.nodes[key] else { return [] }
            shard.moveToFront(node)
            return node.variants
        }
    }

    /// Stores `response`, replacing a stored variant with the same Vary key, and evicts the
    /// least recently used entries until the store fits its limit. A response larger than a
    /// shard is not stored. Returns whether it was stored.
    @discardableResult
    public func insert(_ response: StoredResponse) -> Bool {
        shard(response.key).withLockedValue { $0.insert(response, maximumVariants: maximumVariants) }
    }

    /// Replaces `old` with `new` only if `old` itself (not a newer response with the same
    /// Vary key) is still stored: freshening after a 304 never resurrects a purged entry nor
    /// overwrites one stored meanwhile.
    @discardableResult
    public func replace(_ old: StoredResponse, with new: StoredResponse) -> Bool {
        shard(old.key).withLockedValue { shard in
            guard shard.nodes[old.key]?.variants.contains(where: { $0.isSameResponse(as: old) }) == true else { return false }
            return shard.insert(new, maximumVariants: maximumVariants)
        }
    }

    /// Removes every variant of `key`. Returns how many were removed.
    @discardableResult
    public func remove(_ key: CacheKey) -> Int {
        shard(key).withLockedValue { shard in
            guard let node = shard.nodes[key] else { return 0 }
            let count = node.variants.count
            shard.remove(node)
            return count
        }
    }

    /// Removes the variants of `key` that carry one of the surrogate keys `tags`. Returns how many.
    @discardableResult
    public func remove(_ key: CacheKey, taggedWithAnyOf tags: Set<String>) -> Int {
        shard(key).withLockedValue { shard in
            guard let node = shard.nodes[key] else { return 0 }
            var removed = 0
            for index in node.variants.indices.reversed() where node.variants[index].isTagged(withAnyOf: tags) {
                shard.removeVariant(at: index, of: node)
                removed += 1
            }
            return removed
        }
    }

    /// Removes everything. Returns how many responses went.
    @discardableResult
    public func removeAll() -> Int {
        var removed = 0
        for shard in shards {
            shard.withLockedValue { shard in
                for node in Array(shard.nodes.values) {
                    removed += node.variants.count
                    shard.remove(node)
                }
            }
        }
        return removed
    }

    /// Removes one stored response, if it is still the one stored.
    public func remove(_ response: StoredResponse) {
        shard(response.key).withLockedValue { shard in
            guard let node = shard.nodes[response.key],
                let index = node.variants.firstIndex(where: { $0.isSameResponse(as: response) })
            else { return }
            shard.removeVariant(at: index, of: node)
        }
    }

    /// The keys holding a response tagged with surrogate key `tag` (``SurrogateKeys``).
    public func keys(taggedWith tag: String) -> [CacheKey] {
        var keys: [CacheKey] = []
        for shard in shards {
            shard.withLockedValue { shard in
                if let tagged = shard.tagged[tag] { keys.append(contentsOf: tagged.keys) }
            }
        }
        return keys
    }

    struct Shard: @unchecked Sendable {
        final class Node {
            let key: CacheKey
            var variants: [StoredResponse] = []
            var cost = 0
            var newer: Node?
            var older: Node?

            init(key: CacheKey) {
                self.key = key
            }
        }

        let limit: Int
        var nodes: [CacheKey: Node] = [:]
        var head: Node?
        var tail: Node?
        var bytes = 0
        var entries = 0
        var evictions = 0
        /// Surrogate key → the keys with a variant carrying it, and how many variants do.
        var tagged: [String: [CacheKey: Int]] = [:]

        init(limit: Int) {
            self.limit = limit
        }

        mutating func insert(_ response: StoredResponse, maximumVariants: Int) -> Bool {
            let cost = response.cost
            guard cost <= limit else { return false }
            let node: Node
            if let existing = nodes[response.key] {
                node = existing
                if let index = node.variants.firstIndex(where: { $0.policy.varyKey == response.policy.varyKey }) {
                    removeVariant(at: index, of: node, keepingNode: true)
                }
                moveToFront(node)
            } else {
                node = Node(key: response.key)
                nodes[response.key] = node
                pushFront(node)
            }
            node.variants.insert(response, at: 0)
            tag(response, by: 1)
            node.cost += cost
            bytes += cost
            entries += 1
            while node.variants.count > maximumVariants {
                removeVariant(at: node.variants.count - 1, of: node, keepingNode: true)
                evictions += 1
            }
            while bytes > limit, let tail {
                if tail === node {
                    // Only this key is left: drop its oldest variants, never the new one.
                    guard node.variants.count > 1 else { break }
                    removeVariant(at: node.variants.count - 1, of: node, keepingNode: true)
                } else {
                    remove(tail)
                }
                evictions += 1
            }
            return true
        }

        mutating func removeVariant(at index: Int, of node: Node, keepingNode: Bool = false) {
            let old = node.variants.remove(at: index)
            tag(old, by: -1)
            node.cost -= old.cost
            bytes -= old.cost
            entries -= 1
            if node.variants.isEmpty && !keepingNode { remove(node) }
        }

        mutating func pushFront(_ node: Node) {
            node.older = head
            node.newer = nil
            head?.newer = node
            head = node
            if tail == nil { tail = node }
        }

        mutating func unlink(_ node: Node) {
            if let newer = node.newer { newer.older = node.older } else { head = node.older }
            if let older = node.older { older.newer = node.newer } else { tail = node.newer }
            node.newer = nil
            node.older = nil
        }

        mutating func moveToFront(_ node: Node) {
            guard head !== node else { return }
            unlink(node)
            pushFront(node)
        }

        /// Counts `response` in (or out of) the surrogate key index.
        mutating func tag(_ response: StoredResponse, by change: Int) {
            for tag in response.surrogateKeys {
                var keys = tagged[tag, default: [:]]
                let count = keys[response.key, default: 0] + change
                keys[response.key] = count > 0 ? count : nil
                tagged[tag] = keys.isEmpty ? nil : keys
            }
        }

        mutating func remove(_ node: Node) {
            for variant in node.variants { tag(variant, by: -1) }
            unlink(node)
            nodes[node.key] = nil
            bytes -= node.cost
            entries -= node.variants.count
        }
    }
}
