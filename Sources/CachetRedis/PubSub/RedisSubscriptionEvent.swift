/// What a lasting subscription reports: each time it is (re)subscribed, and each message.
///
/// Pub/sub delivers at most once (Redis pub/sub docs, "Delivery semantics"): messages
/// published while the subscriber was disconnected are lost. A `.subscribed` event after the
/// first therefore means "messages may have been missed": the shared tier treats it as a purge
/// of everything it cannot vouch for.
public enum RedisSubscriptionEvent: Sendable, Hashable {
    case subscribed(RedisAddress)
    case message(RedisPubSubMessage)
}
