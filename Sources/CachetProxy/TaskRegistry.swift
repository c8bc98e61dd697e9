import NIOConcurrencyHelpers

/// The tasks the proxy starts on its own (a request being answered, a background
/// revalidation), so that shutdown can wait for them: SIGTERM drains, it does not cut.
final class TaskRegistry: Sendable {
    private let state = NIOLockedValueBox<(next: Int, tasks: [Int: Task<Void, Never>])>((0, [:]))

    /// Starts `work` as a tracked task, on `executor` when given, and returns it.
    @discardableResult
    func spawn(on executor: (any TaskExecutor)? = nil, _ work: @escaping @Sendable () async -> Void) -> Task<Void, Never> {
        state.withLockedValue { state in
            let id = state.next
            state.next += 1
            // Registered under the lock before it can finish, so drain() always finds it.
            let task = Task(executorPreference: executor) {
                await work()
                _ = self.state.withLockedValue { $0.tasks.removeValue(forKey: id) }
            }
            state.tasks[id] = task
            return task
        }
    }

    /// How many tracked tasks are running.
    var count: Int { state.withLockedValue { $0.tasks.count } }

    /// Cancels every tracked task: a drain that ran out of time stops waiting on the origin.
    func cancelAll() {
        let tasks = state.withLockedValue { Array($0.tasks.values) }
        tasks.forEach { $0.cancel() }
    }

    /// Waits until every task started so far, and any they start meanwhile, has ended.
    func drain() async {
        while true {
            let tasks = state.withLockedValue { Array($0.tasks.values) }
            if tasks.isEmpty { return }
            for task in tasks { await task.value }
        }
    }
}
