import HTTPCachePolicy
import NIOConcurrencyHelpers

/// Runs operations on one key in the order they were queued, each after the previous one
/// on the same key, while operations on other keys run side by side: an invalidation queued
/// after a write is never overtaken by it (RFC 9111 §4.4), and a fill's release runs after
/// its publication. Tasks are tracked by `registry`, so shutdown waits for them.
final class KeySerialQueue: Sendable {
    private let registry: TaskRegistry
    private let state = NIOLockedValueBox(State())

    private struct State: Sendable {
        var nextID = 0
        /// The last queued operation of each key with one pending: the next waits for it.
        var tails: [CacheKey: (id: Int, task: Task<Void, Never>)] = [:]
    }

    init(registry: TaskRegistry) {
        self.registry = registry
    }

    /// Queues `operation` after the key's pending ones and returns its task.
    @discardableResult
    func enqueue(_ key: CacheKey, _ operation: @escaping @Sendable () async -> Void) -> Task<Void, Never> {
        state.withLockedValue { state in
            let previous = state.tails[key]?.task
            let id = state.nextID
            state.nextID += 1
            let task = registry.spawn { [self] in
                await previous?.value
                await operation()
                self.state.withLockedValue { state in
                    if state.tails[key]?.id == id { state.tails[key] = nil }
                }
            }
            state.tails[key] = (id, task)
            return task
        }
    }

    /// Waits for the key's queued operations.
    func settled(_ key: CacheKey) async {
        await state.withLockedValue { $0.tails[key]?.task }?.value
    }
}
