import HTTPCachePolicy
import NIOConcurrencyHelpers

/// The in-memory store: entries grouped by primary key (one per Vary variant), least recently
/// used first out, bounded by bytes.
///
/// Lookups take a lock held only for a dictionary read and a list splice; no I/O, no
/// allocation on a hit.
public final class MemoryStore: Sendable {
    /// The most bytes the store holds (`StoredResponse.cost` summed).
    public let limit: Int
    private let state: NIOLockedValueBox<State>

    public init(limit: Int) {
        self.limit = limit
        self.state = NIOLockedValueBox(State())
    }

    /// What the store holds.
    public struct Statistics: Sendable, Hashable {
        public var bytes: Int
        public var entries: Int
        public var keys: Int
        public var evictions: Int
    }

    public var statistics: Statistics {
        state.withLockedValue { Statistics(bytes: $0.bytes, entries: $0.entries, keys: $0.nodes.count, evictions: $0.evictions) }
    }

    /// The stored variants of `key`, most recently stored first; marks the key as used.
    public func variants(for key: CacheKey) -> [StoredResponse] {
        state.withLockedValue { state in
            guard let node = state.nodes[key] else { return [] }
            state.moveToFront(node)
            return node.variants
        }
    }

    /// Stores `response`, replacing a stored variant with the same Vary key, and evicts the
    /// least recently used entries until the store fits its limit. A response larger than the
    /// whole store is not stored. Returns whether it was stored.
    @discardableResult
    public func insert(_ response: StoredResponse) -> Bool {
        let cost = response.cost
        guard cost <= limit else { return false }
        return state.withLockedValue { state in
            let node: State.Node
            if let existing = state.nodes[response.key] {
                node = existing
                if let index = node.variants.firstIndex(where: { $0.policy.varyKey == response.policy.varyKey }) {
                    let old = node.variants.remove(at: index)
                    node.cost -= old.cost
                    state.bytes -= old.cost
                    state.entries -= 1
                }
                state.moveToFront(node)
            } else {
                node = State.Node(key: response.key)
                state.nodes[response.key] = node
                state.pushFront(node)
            }
            node.variants.insert(response, at: 0)
            node.cost += cost
            state.bytes += cost
            state.entries += 1
            while state.bytes > limit, let tail = state.tail, tail !== node || node.variants.count > 1 {
                if tail === node {
                    // Only this key is left: drop its oldest variants.
                    let old = node.variants.removeLast()
                    node.cost -= old.cost
                    state.bytes -= old.cost
                    state.entries -= 1
                } else {
                    state.remove(tail)
                }
                state.evictions += 1
            }
            return true
        }
    }

    /// Replaces `old` (matched by its Vary key) with `new` if `old` is still stored; used to
    /// freshen an entry after a 304 without resurrecting one that was purged meanwhile.
    @discardableResult
    public func replace(_ old: StoredResponse, with new: StoredResponse) -> Bool {
        let present = state.withLockedValue { state in
            state.nodes[old.key]?.variants.contains { $0.policy.varyKey == old.policy.varyKey } ?? false
        }
        guard present else { return false }
        return insert(new)
    }

    /// Removes every variant of `key`. Returns how many were removed.
    @discardableResult
    public func remove(_ key: CacheKey) -> Int {
        state.withLockedValue { state in
            guard let node = state.nodes[key] else { return 0 }
            let count = node.variants.count
            state.remove(node)
            return count
        }
    }

    /// Removes one variant.
    public func remove(_ response: StoredResponse) {
        state.withLockedValue { state in
            guard let node = state.nodes[response.key],
                let index = node.variants.firstIndex(where: { $0.policy.varyKey == response.policy.varyKey })
            else { return }
            let old = node.variants.remove(at: index)
            node.cost -= old.cost
            state.bytes -= old.cost
            state.entries -= 1
            if node.variants.isEmpty { state.remove(node) }
        }
    }

    struct State: @unchecked Sendable {
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

        var nodes: [CacheKey: Node] = [:]
        var head: Node?
        var tail: Node?
        var bytes = 0
        var entries = 0
        var evictions = 0

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

        mutating func remove(_ node: Node) {
            unlink(node)
            nodes[node.key] = nil
            bytes -= node.cost
            entries -= node.variants.count
        }
    }
}
