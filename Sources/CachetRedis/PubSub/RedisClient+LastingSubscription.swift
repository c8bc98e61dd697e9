import Logging
import NIOCore

extension RedisClient {
    /// A subscription that outlives its connections: when the connection is lost it
    /// subscribes again (in a Cluster, on whichever master answers), waiting between attempts as
    /// the pools do (`ReconnectBackoff`), until the sequence is dropped, its task cancelled or
    /// the client shut down (the sequence then ends). Logged once when lost and once when
    /// restored, on `logger` or else the client's.
    public func lastingSubscription(to channels: [String], logger: Logger? = nil) -> AsyncStream<RedisSubscriptionEvent> {
        let logger = logger ?? self.logger
        let (events, continuation) = AsyncStream<RedisSubscriptionEvent>.makeStream()
        let backoff = ReconnectBackoff(initial: configuration.initialReconnectDelay, maximum: configuration.maximumReconnectDelay)
        let task = Task<Void, Never> {
            var failures = 0
            var lost = false
            while !Task.isCancelled {
                do {
                    let subscription = try await subscribe(to: channels)
                    if lost { logger.info("Redis subscription restored", metadata: ["redis.node": "\(subscription.address)"]) }
                    lost = false
                    failures = 0
                    continuation.yield(.subscribed(subscription.address))
                    do {
                        try await withTaskCancellationHandler {
                            for try await message in subscription { continuation.yield(.message(message)) }
                        } onCancel: {
                            Task { await subscription.close() }
                        }
                    } catch {
                        // Falls through to the lost state below.
                    }
                    if Task.isCancelled { break }
                    throw RedisError.connectionClosed
                } catch RedisError.shutDown {
                    break
                } catch {
                    failures += 1
                    if !lost {
                        logger.warning("Redis subscription lost", metadata: ["error": "\(error)"])
                        lost = true
                    }
                    let delay = backoff.delay(afterFailures: failures)
                    try? await Task.sleep(nanoseconds: UInt64(max(delay.nanoseconds, 0)))
                }
            }
            continuation.finish()
        }
        let registered = lifecycle.withLockedValue { lifecycle -> Int? in
            guard !lifecycle.shutDown else { return nil }
            lifecycle.nextTask += 1
            lifecycle.lastingSubscriptions[lifecycle.nextTask] = task
            return lifecycle.nextTask
        }
        guard let id = registered else {
            task.cancel()
            return events
        }
        continuation.onTermination = { [weak self] _ in
            task.cancel()
            _ = self?.lifecycle.withLockedValue { $0.lastingSubscriptions.removeValue(forKey: id) }
        }
        return events
    }
}
