import CachetStorage
import HTTPCachePolicy
import HTTPPreconditions

/// What the other nodes tell this one: purges to run on its own tiers, fills that ended.
extension SharedTier {
    /// Starts listening. `purge` runs a broadcast purge on this node's own tiers;
    /// `missedMessages` runs when the subscription came back after a loss, during which
    /// purges may have gone unheard (pub/sub delivers at most once).
    func listen(
        now: @escaping @Sendable () -> HTTPDate, purge: @escaping @Sendable (PurgeRequest) async -> Void,
        missedMessages: @escaping @Sendable () -> Void
    ) {
        let events = storage.events()
        let task = Task { [self] in
            var connections = 0
            for await event in events {
                switch event {
                case .connected:
                    connections += 1
                    // Not the first subscription, or the first after the tier failed: other
                    // nodes may have purged meanwhile.
                    if connections > 1 || counters.current.errors > 0 { missedMessages() }
                case .broadcast(let payload):
                    guard let broadcast = PurgeBroadcast(payload: payload) else {
                        logger.debug("shared tier: ignored a broadcast that is not a purge", metadata: ["bytes": "\(payload.readableBytes)"])
                        continue
                    }
                    guard broadcast.node != node else { continue }
                    // Recorded here, in the order heard; run one after another beside the other
                    // events, so a slow disk purge holds up no fill's wake-up. Counted once applied.
                    let number = beginPurge(broadcast.purge, heard: true, now: now())
                    let previous = state.withLockedValue { $0.broadcastPurges }
                    let task = writes.spawn { [self] in
                        await previous?.value
                        await purge(broadcast.purge)
                        endPurge(number)
                        counters.count(\.broadcastsReceived)
                    }
                    state.withLockedValue { $0.broadcastPurges = task }
                case .filled(let key):
                    wake(key)
                }
            }
        }
        state.withLockedValue { $0.events = task }
    }
}
