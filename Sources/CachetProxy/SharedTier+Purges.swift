import CachetStorage
import HTTPCachePolicy
import HTTPPreconditions

/// Purges racing this node's own traffic with the shared tier. Nothing orders a purge that
/// reached Redis from one node against another node's publication still on its way, or a
/// read that started before it, so each node remembers the purges it ran or heard of lately:
///
/// - what a read brings back is not kept when a purge that began after the read started
///   (or has not ended) names it: the purge may have reached Redis after the read;
/// - what this node published lately and a purge names is removed again (marked again, for
///   a soft purge) behind its own queued writes: the publication may have reached Redis
///   after the purge did.
extension SharedTier {
    /// The purges of the last ``purgeMemory``, in the order they began.
    struct PurgeLog: Sendable {
        struct Entry: Sendable {
            var number: Int
            var purge: PurgeRequest
            var ended: ContinuousClock.Instant?
        }

        var last = 0
        /// Every purge up to this number has been forgotten.
        var forgottenUpTo = 0
        var entries: [Entry] = []
        /// Keys this node published, or is about to: until ``publishMemory`` after the last
        /// publication of the key reached the shared tier.
        var publishes: [CacheKey: RecentPublish] = [:]
        var pruneAt = 1024
    }

    struct RecentPublish: Sendable {
        var tags: Set<String>
        var pending = 0
        var until: ContinuousClock.Instant?
    }

    /// How long an ended purge is remembered: longer than any read or write may take.
    static let purgeMemory = Duration.seconds(30)
    /// How long after a publication a purge heard of may still have overtaken it: the time a
    /// broadcast takes to arrive.
    static let publishMemory = Duration.seconds(10)

    /// Taken before a read: ``isPurged(_:since:)`` then says whether what it read may be kept.
    func purgeMark() -> Int {
        state.withLockedValue { $0.purges.last }
    }

    /// Whether a purge that began after `mark`, or has not ended yet, names `stored` (or
    /// whether that can no longer be known: then it counts as purged).
    func isPurged(_ stored: StoredResponse, since mark: Int) -> Bool {
        state.withLockedValue { state in
            let log = state.purges
            if mark < log.forgottenUpTo { return true }
            return log.entries.contains { ($0.number > mark || $0.ended == nil) && Self.names($0.purge, stored.key, tags: stored.surrogateKeys) }
        }
    }

    /// Records a purge before any tier runs it, and queues its removal again behind this
    /// node's publications it names. Returns the number to end it with.
    func beginPurge(_ purge: PurgeRequest, now: HTTPDate) -> Int {
        let clockNow = ContinuousClock.now
        let (number, keys) = state.withLockedValue { state -> (Int, [CacheKey]) in
            state.purges.last += 1
            let number = state.purges.last
            state.purges.entries.removeAll { entry in
                guard let ended = entry.ended, clockNow - ended > Self.purgeMemory else { return false }
                state.purges.forgottenUpTo = max(state.purges.forgottenUpTo, entry.number)
                return true
            }
            state.purges.entries.append(PurgeLog.Entry(number: number, purge: purge, ended: nil))
            Self.pruneRecentPublishes(&state.purges, now: clockNow)
            let keys = state.purges.publishes.compactMap { key, recent in Self.names(purge, key, tags: recent.tags) ? key : nil }
            return (number, keys)
        }
        for key in keys {
            enqueue(key) { [self] in
                await attempt {
                    purge.soft ? try await markInvalid(key, taggedWithAnyOf: nil, now: now) : try await storage.remove(key, taggedWithAnyOf: nil)
                }
            }
        }
        return number
    }

    func endPurge(_ number: Int) {
        let now = ContinuousClock.now
        state.withLockedValue { state in
            if let index = state.purges.entries.firstIndex(where: { $0.number == number }) { state.purges.entries[index].ended = now }
        }
    }

    /// Notes a publication of `stored` queued now.
    func publishQueued(_ stored: StoredResponse) {
        let now = ContinuousClock.now
        state.withLockedValue { state in
            if state.purges.publishes.count >= state.purges.pruneAt {
                Self.pruneRecentPublishes(&state.purges, now: now)
                state.purges.pruneAt = max(1024, 2 * state.purges.publishes.count)
            }
            var recent = state.purges.publishes[stored.key] ?? RecentPublish(tags: [])
            recent.tags.formUnion(stored.surrogateKeys)
            recent.pending += 1
            recent.until = nil
            state.purges.publishes[stored.key] = recent
        }
    }

    /// Notes that a publication of `key` ended (made or not).
    func publishEnded(_ key: CacheKey) {
        let until = ContinuousClock.now + Self.publishMemory
        state.withLockedValue { state in
            guard var recent = state.purges.publishes[key] else { return }
            recent.pending -= 1
            if recent.pending == 0 { recent.until = until }
            state.purges.publishes[key] = recent
        }
    }

    private static func pruneRecentPublishes(_ log: inout PurgeLog, now: ContinuousClock.Instant) {
        log.publishes = log.publishes.filter { _, recent in recent.until.map { $0 > now } ?? true }
    }

    /// Whether `purge` names a response stored under `key` with the surrogate keys `tags`.
    static func names<Tags: Sequence<String>>(_ purge: PurgeRequest, _ key: CacheKey, tags: Tags) -> Bool {
        switch purge.target {
        case .url(let target): target == key
        case .surrogateKeys(let names): tags.contains(where: names.contains)
        }
    }
}
