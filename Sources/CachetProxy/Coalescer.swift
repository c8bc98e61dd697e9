import CachetStorage
import HTTPCachePolicy
import NIOConcurrencyHelpers
import Synchronization

/// Request coalescing: while one request for a key is fetching or revalidating, the others
/// for the same key wait for its outcome instead of going to the origin (one origin request
/// per key).
final class Coalescer: Sendable {
    /// What the leader's exchange produced, as the waiters see it.
    enum Outcome: Sendable {
        /// A response the waiters may be served from (stored or freshened).
        case shareable(StoredResponse)
        /// The response may not be shared (private, no-store, too large, Vary mismatch for
        /// some): each waiter goes to the origin itself.
        case notShareable
        /// The origin failed: each waiter serves stale content where its own request and
        /// the stored response allow stale-if-error, else answers with the same error.
        case failed(ProxyError)
        /// The flight ended before this request could join it: look in the store again.
        case retry
    }

    private let flights = NIOLockedValueBox<[CacheKey: [CheckedContinuation<Outcome, Never>]]>([:])
    private let joinedCount = Atomic<Int>(0)

    /// How many requests have waited for another one's flight since the start (metrics).
    var joined: Int { joinedCount.load(ordering: .relaxed) }

    /// Joins the flight for `key`: becomes its leader when there is none, or waits for the
    /// leader's outcome. Returns `nil` for the leader.
    func join(_ key: CacheKey) async -> Outcome? {
        let isLeader = flights.withLockedValue { flights -> Bool in
            if flights[key] == nil {
                flights[key] = []
                return true
            }
            return false
        }
        if isLeader { return nil }
        joinedCount.add(1, ordering: .relaxed)
        return await withCheckedContinuation { continuation in
            let stillFlying = flights.withLockedValue { flights -> Bool in
                guard flights[key] != nil else { return false }
                flights[key]!.append(continuation)
                return true
            }
            // The leader finished between our two looks: fetch again rather than wait forever.
            if !stillFlying { continuation.resume(returning: .retry) }
        }
    }

    /// How many requests are waiting for another one's flight, over all keys.
    var waiting: Int {
        flights.withLockedValue { $0.values.reduce(0) { $0 + $1.count } }
    }

    /// Starts a flight for `key` if none is under way; returns whether it did.
    func tryLead(_ key: CacheKey) -> Bool {
        flights.withLockedValue { flights in
            guard flights[key] == nil else { return false }
            flights[key] = []
            return true
        }
    }

    /// Ends the leader's flight and hands `outcome` to every waiter. Returns how many waited.
    @discardableResult
    func finish(_ key: CacheKey, with outcome: Outcome) -> Int {
        let waiters = flights.withLockedValue { flights in
            flights.removeValue(forKey: key) ?? []
        }
        for waiter in waiters { waiter.resume(returning: outcome) }
        return waiters.count
    }
}
