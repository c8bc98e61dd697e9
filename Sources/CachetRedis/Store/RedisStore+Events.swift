import CachetStorage
import HTTPCachePolicy
import NIOCore

extension RedisStore {
    public func broadcast(_ payload: ByteBuffer) async throws {
        try await client.publish(payload, to: layout.broadcastChannel)
    }

    /// One lasting subscription to the fill and broadcast channels. In a Cluster it is on
    /// one master only: classic `PUBLISH` reaches every node over the cluster bus (Redis
    /// Cluster spec, "Publish/Subscribe"), whichever node took it.
    public func events() -> AsyncStream<SharedStorageEvent> {
        let fillChannel = layout.fillChannel
        let broadcastChannel = layout.broadcastChannel
        let upstream = client.lastingSubscription(to: [fillChannel, broadcastChannel])
        let (events, continuation) = AsyncStream<SharedStorageEvent>.makeStream()
        let task = Task {
            for await event in upstream {
                switch event {
                case .subscribed:
                    continuation.yield(.connected)
                case .message(let message) where message.channel == broadcastChannel:
                    continuation.yield(.broadcast(message.payload))
                case .message(let message) where message.channel == fillChannel:
                    if let key = RedisEntryLayout.key(fromText: String(buffer: message.payload)) { continuation.yield(.filled(key)) }
                case .message:
                    break
                }
            }
            continuation.finish()
        }
        continuation.onTermination = { _ in task.cancel() }
        return events
    }
}
