import CachetStorage
import HTTPCachePolicy
import HTTPPreconditions

/// Purges racing this node's own traffic with the shared tier. Nothing orders a purge that
/// reached Redis from one node against another node's publication still on its way, or a
/// read that started before it, so each node remembers the purges it ran or heard of lately:
///
/// - what a read brings back is not kept when a purge that began after the read started
///   (or has not ended) names it: the purge may have reached Redis after the read;
/// - what this node published lately and a purge heard from another node names is removed
///   again (marked again, for a soft purge) behind its own queued writes: the publication may
///   have reached Redis after the purge did.
extension SharedTier {
    /// The purges of the last ``purgeMemory``, indexed by what they name, so that a read
    /// asks about its own key and tags rather than scanning every purge.
    struct PurgeLog: Sendable {
        var last = 0
        /// Every purge up to this number has been forgotten.
        var forgottenUpTo = 0
        /// The latest purge of each key and tag, and how many of them are still running.
        var latestByKey: [CacheKey: Int] = [:]
        var latestByTag: [String: Int] = [:]
        var runningByKey: [CacheKey: Int] = [:]
        var runningByTag: [String: Int] = [:]
        var running: [Int: PurgeRequest] = [:]
        /// Ended purges, oldest first, until they are forgotten.
        var ended: [(number: Int, purge: PurgeRequest, at: ContinuousClock.Instant)] = []
        var endedStart = 0
        /// Keys this node published, or is about to: until ``publishMemory`` after the last
        /// publication of the key reached the shared tier.
        var publishes: [CacheKey: RecentPublish] = [:]
        var pruneAt = 1024

        mutating func forget(before cutoff: ContinuousClock.Instant) {
            while endedStart < ended.count, ended[endedStart].at < cutoff {
                let (number, purge, _) = ended[endedStart]
                endedStart += 1
                forgottenUpTo = max(forgottenUpTo, number)
                switch purge.target {
                case .url(let key):
                    if latestByKey[key] == number { latestByKey[key] = nil }
                case .surrogateKeys(let tags):
                    for tag in tags where latestByTag[tag] == number { latestByTag[tag] = nil }
                }
            }
            if endedStart > 1024, endedStart * 2 > ended.count {
                ended.removeFirst(endedStart)
                endedStart = 0
            }
        }
    }

    struct RecentPublish: Sendable {
        var tags: Set<String>
        var pending = 0
        var until: ContinuousClock.Instant?
    }

    /// How long an ended purge is remembered: longer than any read or write may take.
    static let purgeMemory = Duration.seconds(30)
    /// How long after a publication a purge heard of may still have overtaken it: the time
    /// the purging node takes to purge every key it names, then broadcast.
    static let publishMemory = Duration.seconds(60)

    /// Taken before a read, or before a request whose answer may be published:
    /// ``isPurged(_:since:)`` then says whether what came back may be kept.
    func purgeMark() -> Int {
        state.withLockedValue { $0.purges.last }
    }

    /// Whether a purge that began after `mark`, or has not ended yet, names `stored` (or
    /// whether that can no longer be known: then it counts as purged).
    func isPurged(_ stored: StoredResponse, since mark: Int) -> Bool {
        state.withLockedValue { state in
            let log = state.purges
            if mark < log.forgottenUpTo { return true }
            if log.latestByKey[stored.key].map({ $0 > mark }) == true || log.runningByKey[stored.key] != nil { return true }
            if log.latestByTag.isEmpty { return false }
            return stored.surrogateKeys.contains { tag in log.latestByTag[tag].map { $0 > mark } == true || log.runningByTag[tag] != nil }
        }
    }

    /// Records a purge before any tier runs it. One `heard` from another node also queues,
    /// behind this node's writes, its removal again from what this node published lately;
    /// this node's own purges are queued behind those writes already, except a purge by
    /// surrogate key, which may not find a publication not yet indexed. Returns the number to
    /// end it with.
    func beginPurge(_ purge: PurgeRequest, heard: Bool, now: HTTPDate) -> Int {
        let clockNow = ContinuousClock.now
        let (number, keys) = state.withLockedValue { state -> (Int, [CacheKey]) in
            state.purges.forget(before: clockNow - Self.purgeMemory)
            state.purges.last += 1
            let number = state.purges.last
            state.purges.running[number] = purge
            var keys: [CacheKey] = []
            switch purge.target {
            case .url(let key):
                state.purges.latestByKey[key] = number
                state.purges.runningByKey[key, default: 0] += 1
                if heard, Self.isRecent(state.purges.publishes[key], now: clockNow) { keys = [key] }
            case .surrogateKeys(let tags):
                for tag in tags {
                    state.purges.latestByTag[tag] = number
                    state.purges.runningByTag[tag, default: 0] += 1
                }
                keys = state.purges.publishes.compactMap { key, recent in
                    Self.isRecent(recent, now: clockNow) && recent.tags.contains(where: tags.contains) ? key : nil
                }
            }
            return (number, keys)
        }
        let tags: Set<String>? = if case .surrogateKeys(let names) = purge.target { names } else { nil }
        for key in keys {
            enqueue(key) { [self] in
                await attempt {
                    purge.soft ? try await markInvalid(key, taggedWithAnyOf: tags, now: now) : try await storage.remove(key, taggedWithAnyOf: tags)
                }
            }
        }
        return number
    }

    func endPurge(_ number: Int) {
        let now = ContinuousClock.now
        state.withLockedValue { state in
            guard let purge = state.purges.running.removeValue(forKey: number) else { return }
            switch purge.target {
            case .url(let key):
                Self.decrement(&state.purges.runningByKey, key)
            case .surrogateKeys(let tags):
                for tag in tags { Self.decrement(&state.purges.runningByTag, tag) }
            }
            state.purges.ended.append((number, purge, now))
        }
    }

    /// Notes a publication of `stored` queued now.
    func publishQueued(_ stored: StoredResponse) {
        let now = ContinuousClock.now
        state.withLockedValue { state in
            if state.purges.publishes.count >= state.purges.pruneAt {
                state.purges.publishes = state.purges.publishes.filter { Self.isRecent($0.value, now: now) }
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

    private static func isRecent(_ recent: RecentPublish?, now: ContinuousClock.Instant) -> Bool {
        guard let recent else { return false }
        return recent.until.map { $0 > now } ?? true
    }

    private static func decrement<Key: Hashable>(_ counts: inout [Key: Int], _ key: Key) {
        guard let count = counts[key] else { return }
        counts[key] = count > 1 ? count - 1 : nil
    }
}
