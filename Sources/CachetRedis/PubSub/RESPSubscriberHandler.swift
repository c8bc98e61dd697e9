import NIOCore

/// The inbound side of a subscriber connection. Once a connection has sent `SUBSCRIBE`, Redis
/// sends it only pub/sub frames (Redis pub/sub docs, "Format of pushed messages"): arrays whose
/// first element says what they are (`subscribe` confirmations, `message` deliveries), so
/// nothing is matched in FIFO order here; messages go to the subscription's stream.
final class RESPSubscriberHandler: ChannelInboundHandler {
    typealias InboundIn = RESPValue

    private let continuation: AsyncThrowingStream<RedisPubSubMessage, any Error>.Continuation
    private let subscribed: EventLoopPromise<Void>
    private var awaitingConfirmations: Int

    init(channels: Int, subscribed: EventLoopPromise<Void>, continuation: AsyncThrowingStream<RedisPubSubMessage, any Error>.Continuation) {
        awaitingConfirmations = channels
        self.subscribed = subscribed
        self.continuation = continuation
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let value = unwrapInboundIn(data)
        if let message = value.errorMessage {
            finish(.server(message), context: context)
            return
        }
        guard let parts = value.array, parts.count >= 3, let kind = parts[0].string else {
            finish(.unexpectedReply(command: "SUBSCRIBE", reply: "\(value)"), context: context)
            return
        }
        switch kind {
        case "message":
            guard let channel = parts[1].string, let payload = parts[2].bytes else { return }
            continuation.yield(RedisPubSubMessage(channel: channel, payload: payload))
        case "subscribe":
            awaitingConfirmations -= 1
            if awaitingConfirmations == 0 { subscribed.succeed() }
        default:
            // `unsubscribe` confirmations and anything newer: nothing to deliver.
            break
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        finish((error as? RESPDecodingError).map(RedisError.protocolError) ?? .connectionClosed, context: context)
    }

    func channelInactive(context: ChannelHandlerContext) {
        subscribed.fail(RedisError.connectionClosed)
        // A subscription closed by its owner has already finished its stream normally; an
        // unexpected close ends it with an error, so the owner knows to subscribe again.
        continuation.finish(throwing: RedisError.connectionClosed)
        context.fireChannelInactive()
    }

    private func finish(_ error: RedisError, context: ChannelHandlerContext) {
        subscribed.fail(error)
        continuation.finish(throwing: error)
        context.close(promise: nil)
    }
}
