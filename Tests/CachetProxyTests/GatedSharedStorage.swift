import CachetStorage
import HTTPCachePolicy
import NIOConcurrencyHelpers
import NIOCore

/// A ``SharedStorage`` in memory whose publications and reads can be held at the door, so a
/// test can put a purge exactly where a race would put it; and which can be made to fail.
final class GatedSharedStorage: SharedStorage {
    enum Operation: Hashable, Sendable {
        case publish
        case read
        case claim
    }

    private struct State {
        var entries: [CacheKey: [StoredResponse]] = [:]
        var failing = false
        var claim: FillClaim = .claimed(.init("t"))
        var held: Set<Operation> = []
        /// Operations waiting at the door, and whether each has arrived.
        var waiting: [Operation: [CheckedContinuation<Void, Never>]] = [:]
        var arrived: [Operation: Int] = [:]
    }

    private let state = NIOLockedValueBox(State())
    private let stream = AsyncStream<SharedStorageEvent>.makeStream()

    struct Unavailable: Error {}

    var failing: Bool {
        get { state.withLockedValue { $0.failing } }
        set { state.withLockedValue { $0.failing = newValue } }
    }

    var claim: FillClaim {
        get { state.withLockedValue { $0.claim } }
        set { state.withLockedValue { $0.claim = newValue } }
    }

    func entries(_ key: CacheKey) -> [StoredResponse] { state.withLockedValue { $0.entries[key] ?? [] } }

    func put(_ stored: StoredResponse) { state.withLockedValue { $0.entries[stored.key, default: []].append(stored) } }

    /// From now on, `operation`s wait at the door until ``release(_:)``.
    func hold(_ operation: Operation) { state.withLockedValue { _ = $0.held.insert(operation) } }

    /// How many `operation`s have reached the door since the start.
    func arrived(_ operation: Operation) -> Int { state.withLockedValue { $0.arrived[operation] ?? 0 } }

    func release(_ operation: Operation) {
        let waiting = state.withLockedValue { state in
            state.held.remove(operation)
            return state.waiting.removeValue(forKey: operation) ?? []
        }
        waiting.forEach { $0.resume() }
    }

    private func door(_ operation: Operation) async throws {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let pass = state.withLockedValue { state in
                state.arrived[operation, default: 0] += 1
                guard state.held.contains(operation) else { return true }
                state.waiting[operation, default: []].append(continuation)
                return false
            }
            if pass { continuation.resume() }
        }
        if failing { throw Unavailable() }
    }

    private func check() throws {
        if failing { throw Unavailable() }
    }

    func variants(for key: CacheKey) async throws -> [StoredResponse] {
        try await door(.read)
        return entries(key)
    }

    func publish(_ response: StoredResponse, lifetime: Duration) async throws {
        try await door(.publish)
        state.withLockedValue { state in
            var list = state.entries[response.key] ?? []
            list.removeAll { $0.policy.varyKey == response.policy.varyKey }
            list.append(response)
            state.entries[response.key] = list
        }
    }

    func freshen(_ old: StoredResponse, to updated: StoredResponse, lifetime: Duration) async throws -> Bool {
        try check()
        return state.withLockedValue { state in
            guard var list = state.entries[old.key], let index = list.firstIndex(where: { $0.isSameResponse(as: old) }) else { return false }
            list[index] = updated
            state.entries[old.key] = list
            return true
        }
    }

    func remove(_ key: CacheKey, taggedWithAnyOf tags: Set<String>?) async throws -> Int {
        try check()
        return state.withLockedValue { state in
            let list = state.entries[key] ?? []
            let kept = list.filter { stored in tags.map { !stored.isTagged(withAnyOf: $0) } ?? false }
            state.entries[key] = kept.isEmpty ? nil : kept
            return list.count - kept.count
        }
    }

    func keys(taggedWith tags: Set<String>) async throws -> [CacheKey] {
        try check()
        return state.withLockedValue { state in state.entries.compactMap { key, list in list.contains { $0.isTagged(withAnyOf: tags) } ? key : nil } }
    }

    func claimFill(of key: CacheKey, lease: Duration) async throws -> FillClaim {
        try await door(.claim)
        return claim
    }

    func releaseFill(of key: CacheKey, claim: FillClaim.Token) async throws {
        try check()
        stream.continuation.yield(.filled(key))
    }

    func broadcast(_ payload: ByteBuffer) async throws {
        try check()
        stream.continuation.yield(.broadcast(payload))
    }

    func events() -> AsyncStream<SharedStorageEvent> { stream.stream }

    var rejectedValues: Int { 0 }
}
