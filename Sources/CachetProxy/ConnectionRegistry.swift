import NIOConcurrencyHelpers
import NIOCore

/// The client connections a server has open, so that a shutdown can ask them to finish
/// (`ChannelShouldQuiesceEvent`: idle ones close at once, busy ones after their response) and,
/// once the drain bound has passed, cut the ones that are left.
final class ConnectionRegistry: Sendable {
    private struct State {
        var channels: [ObjectIdentifier: any Channel] = [:]
        var quiescing = false
        var emptied: [CheckedContinuation<Void, Never>] = []
    }

    private let state = NIOLockedValueBox(State())

    /// Tracks `channel` until it closes. A connection accepted just before the listener
    /// closed, and set up after `quiesce()`, is closed at once: it has not been read from yet.
    func register(_ channel: any Channel) {
        let id = ObjectIdentifier(channel)
        let quiescing = state.withLockedValue { state in
            if !state.quiescing { state.channels[id] = channel }
            return state.quiescing
        }
        if quiescing {
            // Not from inside the channel initializer: after it, on the channel's loop.
            channel.eventLoop.execute { channel.close(promise: nil) }
            return
        }
        channel.closeFuture.whenComplete { _ in
            let waiters = self.state.withLockedValue { state -> [CheckedContinuation<Void, Never>] in
                state.channels.removeValue(forKey: id)
                guard state.channels.isEmpty else { return [] }
                defer { state.emptied = [] }
                return state.emptied
            }
            waiters.forEach { $0.resume() }
        }
    }

    /// Asks every open connection to close once it owes no response; connections registered
    /// from now on are closed at once.
    func quiesce() {
        let channels = state.withLockedValue { state in
            state.quiescing = true
            return Array(state.channels.values)
        }
        for channel in channels {
            channel.pipeline.fireUserInboundEventTriggered(ChannelShouldQuiesceEvent())
        }
    }

    /// Closes every connection still open, whatever it is doing, and returns how many there were.
    @discardableResult
    func closeAll() -> Int {
        let channels = state.withLockedValue { Array($0.channels.values) }
        for channel in channels { channel.close(promise: nil) }
        return channels.count
    }

    /// Waits until no connection is open.
    func waitUntilEmpty() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let empty = state.withLockedValue { state in
                if state.channels.isEmpty { return true }
                state.emptied.append(continuation)
                return false
            }
            if empty { continuation.resume() }
        }
    }
}
