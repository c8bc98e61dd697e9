import NIOConcurrencyHelpers

/// Holds whoever waits at it (a scripted origin, a held step of the server) until the test
/// opens it; counts who arrived.
public final class Gate: Sendable {
    private let state = NIOLockedValueBox((open: false, waiting: [CheckedContinuation<Void, Never>](), arrived: 0))

    public init() {}

    public var arrived: Int { state.withLockedValue { $0.arrived } }

    public func wait() async {
        await withCheckedContinuation { continuation in
            let go = state.withLockedValue { state -> Bool in
                state.arrived += 1
                if state.open { return true }
                state.waiting.append(continuation)
                return false
            }
            if go { continuation.resume() }
        }
    }

    public func open() {
        let waiting = state.withLockedValue { state -> [CheckedContinuation<Void, Never>] in
            state.open = true
            defer { state.waiting = [] }
            return state.waiting
        }
        for continuation in waiting { continuation.resume() }
    }
}
