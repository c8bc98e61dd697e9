import CachetStorage
import HTTPCachePolicy
import HTTPPreconditions
import HTTPTypes

/// Storing and removing through the tiers: memory at once; disk (``DiskTier``) and the
/// shared tier (``SharedTier``) behind it. Every response put into memory goes through
/// `headers.entry(...)`, which prepares its heads.
extension RequestFlow {
    /// Which tier answered a lookup.
    enum Tier {
        case memory
        case disk
        case shared
    }

    /// The stored variants of `key`: from memory, else from disk, else from the shared tier
    /// (what the lower tiers find is promoted into the ones above).
    func storedVariants(for key: CacheKey) async -> (variants: [StoredResponse], tier: Tier) {
        let inMemory = store.variants(for: key)
        if !inMemory.isEmpty { return (inMemory, .memory) }
        let headers = self.headers
        if let disk {
            let found = await disk.promote(key, into: store) { headers.entry(key: $0.key, policy: $0.policy, body: $0.body) }
            if !found.variants.isEmpty { return (found.variants, found.fromDisk ? .disk : .memory) }
        }
        if shared != nil {
            let found = await promoteShared(key)
            if !found.isEmpty { return (found, .shared) }
        }
        return ([], .memory)
    }

    /// The shared tier's variants of `key`, kept in this node's own tiers (not published
    /// back).
    func promoteShared(_ key: CacheKey) async -> [StoredResponse] {
        guard let shared else { return [] }
        let mark = shared.purgeMark()
        let entries = await shared.variants(for: key, since: mark).map { headers.entry(key: $0.key, policy: $0.policy, body: $0.body) }
        // Oldest first, so memory's order (most recent first) matches the shared tier's.
        for entry in entries.reversed() { keep(entry, publish: false) }
        return entries.filter { unlessPurged($0, since: mark) }
    }

    /// Whether `entry`, just kept from the shared tier, may stay: a purge that began while it
    /// was on its way (and may have missed it here) takes it out again.
    private func unlessPurged(_ entry: StoredResponse, since mark: Int) -> Bool {
        guard let shared, shared.isPurged(entry, since: mark) else { return true }
        forget(entry)
        return false
    }

    /// A fresh response for `request` in the shared tier, kept here in place of this node's
    /// stale one; `nil` when the shared tier has none (or no shared tier is configured).
    func fresherShared(for request: HTTPRequest, key: CacheKey, now: HTTPDate) async -> StoredResponse? {
        guard let shared else { return nil }
        let mark = shared.purgeMark()
        let found = await shared.variants(for: key, since: mark)
        guard let index = Self.select(found, for: request), case .fresh = found[index].policy.evaluate(request: request, now: now) else {
            return nil
        }
        let entry = headers.entry(key: key, policy: found[index].policy, body: found[index].body)
        keep(entry, publish: false)
        return unlessPurged(entry, since: mark) ? entry : nil
    }

    /// Stores a storable response: in memory now, on disk and in the shared tier behind it.
    /// Written to disk even when memory declines it (larger than a memory shard).
    func keep(_ stored: StoredResponse, publish: Bool = true) {
        let mark = disk?.mark(stored.key)
        store.insert(stored)
        if let disk, let mark { disk.insert(stored, unlessRemovedSince: mark) }
        if publish { shared?.publish(stored, now: clock.now()) }
    }

    /// Replaces `old` with its freshened copy after a 304 (RFC 9111 §4.3.4), in every tier:
    /// the other nodes see the new freshness too (unless `share` is false). `mark` is the
    /// shared tier's purge mark from before the validation request.
    func keepFreshened(_ old: StoredResponse, as updated: StoredResponse, share: Bool = true, since purgeMark: Int? = nil) {
        let mark = disk?.mark(updated.key)
        store.replace(old, with: updated)
        if let disk, let mark { disk.replace(old, with: updated, unlessRemovedSince: mark) }
        if share { shared?.freshen(old, to: updated, now: clock.now(), since: purgeMark) }
    }

    /// Removes one stored response from this node's tiers. The shared copy is left to its
    /// TTL: the callers replace it (a new response, a freshened one) or it is unusable
    /// without revalidation anyway.
    func forget(_ stored: StoredResponse) {
        guard let disk else { return store.remove(stored) }
        disk.remove(stored) { store.remove(stored) }
    }

    /// Removes every variant of `key` from every tier, and tells the other nodes to drop
    /// theirs (RFC 9111 §4.4).
    func forget(_ key: CacheKey) {
        shared?.invalidate(key, now: clock.now())
        guard let disk else {
            store.remove(key)
            return
        }
        disk.remove(key) { store.remove(key) }
    }
}
