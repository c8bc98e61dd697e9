import NIOCore
import NIOPosix

/// Messages published on some channels, received on a connection of their own (a subscribed
/// connection can run no other command in RESP2). Iterate it with `for try await`; the
/// sequence ends normally after `close()`, and with an error when the connection is lost, so
/// that its owner can subscribe again. Messages are buffered until read: the reader must keep
/// up (the shared tier's purge messages are few and small).
///
/// In a Cluster, any node will do: classic pub/sub messages are broadcast to every node over
/// the cluster bus (Redis Cluster spec, "Publish/Subscribe").
public struct RedisSubscription: AsyncSequence, Sendable {
    public typealias Element = RedisPubSubMessage
    public typealias AsyncIterator = AsyncThrowingStream<RedisPubSubMessage, any Error>.Iterator

    private let messages: AsyncThrowingStream<RedisPubSubMessage, any Error>
    private let continuation: AsyncThrowingStream<RedisPubSubMessage, any Error>.Continuation
    private let channel: any Channel
    public let address: RedisAddress

    /// Connects, subscribes, and returns once the server has confirmed every channel, so that
    /// a message published after this returns is delivered.
    static func open(to address: RedisAddress, channels: [String], configuration: RedisConfiguration, group: any EventLoopGroup) async throws -> RedisSubscription {
        precondition(!channels.isEmpty, "subscribe to at least one channel")
        let (messages, continuation) = AsyncThrowingStream<RedisPubSubMessage, any Error>.makeStream()
        let limits = configuration.decoderLimits
        let channel: any Channel
        do {
            channel = try await ClientBootstrap(group: group)
                .connectTimeout(configuration.connectTimeout)
                .channelOption(.socketOption(.tcp_nodelay), value: 1)
                .connect(host: address.host, port: address.port)
                .get()
        } catch {
            throw RedisError.unavailable(node: address, reason: "\(error)")
        }
        let subscribed = channel.eventLoop.makePromise(of: Void.self)
        let timeout = configuration.commandTimeout
        try await channel.eventLoop.submit {
            try channel.pipeline.syncOperations.addHandlers([
                ByteToMessageHandler(RESPDecoder(limits: limits)),
                RESPSubscriberHandler(channels: channels.count, subscribed: subscribed, continuation: continuation),
            ])
            var buffer = channel.allocator.buffer(capacity: 64)
            RESPCommand(["SUBSCRIBE"] + channels).encode(into: &buffer)
            channel.writeAndFlush(buffer, promise: nil)
            let timer = channel.eventLoop.scheduleTask(in: timeout) {
                subscribed.fail(RedisError.timeout)
                channel.close(promise: nil)
            }
            subscribed.futureResult.whenComplete { _ in timer.cancel() }
        }.get()
        do {
            try await subscribed.futureResult.get()
        } catch {
            try? await channel.close()
            throw error
        }
        let subscription = RedisSubscription(messages: messages, continuation: continuation, channel: channel, address: address)
        continuation.onTermination = { _ in channel.close(promise: nil) }
        return subscription
    }

    public func makeAsyncIterator() -> AsyncIterator {
        messages.makeAsyncIterator()
    }

    /// Ends the sequence normally and closes the connection.
    public func close() async {
        continuation.finish()
        try? await channel.close()
    }
}
