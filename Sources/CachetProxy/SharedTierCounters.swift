import NIOConcurrencyHelpers

/// What the shared tier did since the start, for `/metrics`. Counted under a lock: the
/// shared tier is only reached on misses of the node's own tiers, never on the fast path.
final class SharedTierCounters: Sendable {
    struct Counts: Sendable, Hashable {
        /// Lookups the shared tier answered with nothing.
        var misses = 0
        /// Operations that failed (unreachable, timed out, refused).
        var errors = 0
        /// Body bytes read from it and written to it.
        var bytesRead = 0
        var bytesWritten = 0
        /// Purges sent to the other nodes, and received from them.
        var broadcastsSent = 0
        var broadcastsReceived = 0
        /// Publications dropped because the writes were behind.
        var droppedWrites = 0
        /// Fills this node waited for another node to make.
        var fillWaits = 0
    }

    private let counts = NIOLockedValueBox(Counts())

    func count(_ field: WritableKeyPath<Counts, Int>, by amount: Int = 1) {
        counts.withLockedValue { $0[keyPath: field] += amount }
    }

    var current: Counts { counts.withLockedValue { $0 } }
}
