import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

/// The shared tier's way to Redis: standalone or Cluster, pooled, pipelined, with timeouts and
/// reconnects. Any number of tasks may use one client at once.
///
/// ```swift
/// let redis = try RedisClient(url: "redis-cluster://127.0.0.1:7000,127.0.0.1:7001")
/// try await redis.send(["SET", key, value, "PX", 1000, "NX"])
/// let body = try await redis.get(key)
/// ```
///
/// `send` returns the reply and throws `RedisError.server` for an error reply; connection
/// failures, timeouts and a node in backoff throw the other `RedisError` cases. Nothing is
/// retried except Cluster redirects: a command whose connection failed may or may not have
/// run, and only the caller knows whether running it twice is safe.
public final class RedisClient: Sendable {
    public let endpoint: RedisEndpoint
    public let configuration: RedisConfiguration
    private let group: any EventLoopGroup
    let logger: Logger
    private let topology: Topology
    /// Whether `shutdown` was called, and the tasks of lasting subscriptions, which it ends.
    let lifecycle = NIOLockedValueBox(Lifecycle())

    struct Lifecycle {
        var shutDown = false
        var nextTask = 0
        var lastingSubscriptions: [Int: Task<Void, Never>] = [:]
    }

    private enum Topology: Sendable {
        case standalone(RedisNodePool)
        case cluster(RedisClusterRouter)
    }

    /// Connects lazily: nothing happens on the network until the first command.
    public init(
        endpoint: RedisEndpoint,
        configuration: RedisConfiguration = .init(),
        eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        logger: Logger = Logger(label: "cachet.redis")
    ) {
        self.endpoint = endpoint
        self.configuration = configuration
        group = eventLoopGroup
        self.logger = logger
        switch endpoint {
        case .standalone(let address):
            topology = .standalone(RedisNodePool(address: address, configuration: configuration, group: eventLoopGroup, logger: logger))
        case .cluster(let seeds):
            topology = .cluster(RedisClusterRouter(seeds: seeds, configuration: configuration, group: eventLoopGroup, logger: logger))
        }
    }

    /// `redis://host:port` or `redis-cluster://host:port,host:port`.
    public convenience init(
        url: String,
        configuration: RedisConfiguration = .init(),
        eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        logger: Logger = Logger(label: "cachet.redis")
    ) throws {
        self.init(endpoint: try RedisEndpoint(url: url), configuration: configuration, eventLoopGroup: eventLoopGroup, logger: logger)
    }

    /// Sends a command and returns its reply; an error reply is thrown as `RedisError.server`.
    @discardableResult
    public func send(_ command: RESPCommand) async throws -> RESPValue {
        let reply: RESPValue
        switch topology {
        case .standalone(let pool): reply = try await pool.send(command)
        case .cluster(let router): reply = try await router.send(command)
        }
        if let message = reply.errorMessage { throw RedisError.server(message) }
        return reply
    }

    /// `try await client.send(["SET", key, value, "PX", 1000, "NX"])`.
    @discardableResult
    public func send(_ arguments: [any RESPArgumentConvertible]) async throws -> RESPValue {
        try await send(RESPCommand(arguments))
    }

    /// Runs `commands` atomically: `MULTI`, the commands, `EXEC`, in one write on one
    /// connection, so no other client's command runs between them (Redis transactions docs).
    /// Returns `EXEC`'s replies, one per command; a command that failed while running has an
    /// `.error` reply there (Redis does not roll back). A command refused while queueing
    /// aborts the whole transaction and is thrown. In a Cluster every key must hash to one
    /// slot (use a hash tag); the slot of the first key routes the transaction.
    public func transaction(_ commands: [RESPCommand]) async throws -> [RESPValue] {
        let batch: [RESPCommand] = [["MULTI"]] + commands + [["EXEC"]]
        // The first queueing error, which is the reason for an `EXECABORT`.
        func queueingError(_ replies: [RESPValue]) -> String? {
            replies.dropLast().lazy.compactMap(\.errorMessage).first
        }
        let replies: [RESPValue]
        switch topology {
        case .standalone(let pool):
            replies = try await pool.send(batch: batch)
        case .cluster(let router):
            let slot = commands.lazy.compactMap(\.routingKey).first.map { HashSlot.slot(forKey: $0) }
            replies = try await router.send(batch: batch, slot: slot, redirectIn: queueingError)
        }
        switch replies.last {
        case .array(let results)?:
            return results
        case .null?:
            throw RedisError.transactionAborted
        default:
            throw RedisError.server(queueingError(replies) ?? replies.last?.errorMessage ?? "EXEC failed")
        }
    }

    /// A subscription to `channels` on a connection of its own.
    public func subscribe(to channels: [String]) async throws -> RedisSubscription {
        if lifecycle.withLockedValue({ $0.shutDown }) { throw RedisError.shutDown }
        let address: RedisAddress
        switch topology {
        case .standalone(let pool): address = pool.address
        case .cluster(let router): address = try await router.anyAddress()
        }
        return try await RedisSubscription.open(to: address, channels: channels, configuration: configuration, group: group)
    }

    /// The Cluster's slot map, fetched now (nil for a standalone server).
    public func refreshSlotMap() async throws -> ClusterSlotMap? {
        guard case .cluster(let router) = topology else { return nil }
        return try await router.refreshedMap()
    }

    /// Counts of Cluster events (all zero for a standalone server), for metrics and tests.
    public var statistics: RedisClientStatistics {
        guard case .cluster(let router) = topology else { return RedisClientStatistics() }
        return router.statistics
    }

    /// Closes every connection and ends every lasting subscription; commands sent afterwards
    /// fail with `RedisError.shutDown`. Subscriptions from `subscribe(to:)` are closed by their
    /// owners.
    public func shutdown() async {
        let lasting = lifecycle.withLockedValue { lifecycle in
            lifecycle.shutDown = true
            defer { lifecycle.lastingSubscriptions = [:] }
            return Array(lifecycle.lastingSubscriptions.values)
        }
        for task in lasting {
            task.cancel()
            await task.value
        }
        switch topology {
        case .standalone(let pool): await pool.shutdown()
        case .cluster(let router): await router.shutdown()
        }
    }
}
