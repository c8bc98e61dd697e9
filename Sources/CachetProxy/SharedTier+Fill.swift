import CachetStorage
import HTTPCachePolicy

/// Coalescing across nodes: while one node fetches a key the shared tier misses, the others
/// wait for it instead of asking the origin too. A short claim (SET NX PX) says who fills;
/// its release wakes the waiting nodes through the shared tier's events. Each node's own
/// ``Coalescer`` already merges its requests, so only one request per node gets here.
extension SharedTier {
    /// How a node goes on after asking to fill a key.
    enum FillStart: Sendable {
        /// This node fills the key; ``endFill(_:claim:)`` once its response is published.
        case claimed(FillClaim.Token)
        /// Another node stored the key meanwhile, or filled it while this one waited (or the
        /// wait ran out): look in the shared tier again.
        case lookAgain
        /// The shared tier failed: fetch without coordinating.
        case fetch
    }

    /// One node's wait for another's fill of a key.
    struct FillWaiter: Sendable {
        var woken = false
        var continuation: CheckedContinuation<Void, Never>?
    }

    /// Asks to fill `key`. When another node holds the claim, waits for its release, at most
    /// ``SharedConfiguration/fillWait``.
    func startFill(_ key: CacheKey) async -> FillStart {
        // Listening before claiming: a release between the two is not missed.
        guard mayTry() else { return .fetch }
        let id = register(key)
        defer { unregister(key, id) }
        guard let claim = await attempt({ try await storage.claimFill(of: key, lease: configuration.fillLease) }) else {
            return .fetch
        }
        switch claim {
        case .claimed(let token):
            return .claimed(token)
        case .stored:
            return .lookAgain
        case .busy:
            counters.count(\.fillWaits)
            let bound = configuration.fillWait
            let timer = Task { [self] in
                try? await Task.sleep(for: bound)
                if !Task.isCancelled { wake(key, only: id) }
            }
            await wait(key, id)
            timer.cancel()
            return .lookAgain
        }
    }

    /// Releases the claim on `key` after what this node queued for it (its publication), so a
    /// woken node finds the response.
    func endFill(_ key: CacheKey, claim: FillClaim.Token) {
        enqueue(key) { [self] in
            await attempt { try await storage.releaseFill(of: key, claim: claim) }
        }
    }

    /// Wakes the nodes' requests waiting for `key` (all of them, or the one `only` names).
    func wake(_ key: CacheKey, only: Int? = nil) {
        let continuations = state.withLockedValue { state -> [CheckedContinuation<Void, Never>] in
            guard var waiters = state.waiters[key] else { return [] }
            var woken: [CheckedContinuation<Void, Never>] = []
            for (id, var waiter) in waiters where only == nil || only == id {
                if let continuation = waiter.continuation { woken.append(continuation) }
                waiter.continuation = nil
                waiter.woken = true
                waiters[id] = waiter
            }
            state.waiters[key] = waiters
            return woken
        }
        continuations.forEach { $0.resume() }
    }

    private func register(_ key: CacheKey) -> Int {
        state.withLockedValue { state in
            defer { state.nextWaiter += 1 }
            state.waiters[key, default: [:]][state.nextWaiter] = FillWaiter()
            return state.nextWaiter
        }
    }

    /// Drops the waiter, and the key's entry with its last one: a node sees millions of keys.
    private func unregister(_ key: CacheKey, _ id: Int) {
        state.withLockedValue { state in
            state.waiters[key]?.removeValue(forKey: id)
            if state.waiters[key]?.isEmpty == true { state.waiters[key] = nil }
        }
    }

    private func wait(_ key: CacheKey, _ id: Int) async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let now = state.withLockedValue { state -> Bool in
                guard var waiter = state.waiters[key]?[id], !waiter.woken else { return true }
                waiter.continuation = continuation
                state.waiters[key]?[id] = waiter
                return false
            }
            if now { continuation.resume() }
        }
    }
}
