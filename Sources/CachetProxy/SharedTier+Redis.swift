import CachetRedis
import Logging
import NIOCore

extension SharedTier {
    /// The shared tier on Redis at `configuration.url`, connecting lazily on `group`: a node
    /// starts whether Redis answers or not, and uses it once it does.
    static func redis(_ configuration: SharedConfiguration, group: any EventLoopGroup, logger: Logger) throws(RedisError) -> SharedTier {
        let endpoint = try RedisEndpoint(url: configuration.url)
        let timeout = TimeAmount.nanoseconds(Int64(configuration.timeout.components.seconds) * 1_000_000_000 + configuration.timeout.components.attoseconds / 1_000_000_000)
        // The shared tier logs each change of state once; what every connection and pool
        // goes through on the way is detail for debugging.
        var redisLogger = Logger(label: "cachet.redis")
        redisLogger.logLevel = logger.logLevel <= .debug ? logger.logLevel : .error
        let client = RedisClient(
            endpoint: endpoint, configuration: RedisConfiguration(connectTimeout: timeout, commandTimeout: timeout), eventLoopGroup: group,
            logger: redisLogger
        )
        let storage = RedisStore(client: client, configuration: RedisStoreConfiguration(namespace: configuration.namespace))
        return SharedTier(configuration: configuration, storage: storage, logger: logger) { await client.shutdown() }
    }
}
