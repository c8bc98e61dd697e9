import NIOCore

/// A message published on a channel the subscription listens to.
public struct RedisPubSubMessage: Sendable, Hashable {
    public var channel: String
    public var payload: ByteBuffer

    public init(channel: String, payload: ByteBuffer) {
        self.channel = channel
        self.payload = payload
    }
}
