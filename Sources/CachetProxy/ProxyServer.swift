import HTTPCachePolicy
import CachetStorage
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOPosix
import ServiceLifecycle

/// `cachet proxy`: a caching reverse proxy listening for HTTP/1.1 on one address.
public final class ProxyServer: Sendable {
    public let configuration: ProxyConfiguration
    private let group: MultiThreadedEventLoopGroup
    private let flow: RequestFlow
    private let origin: OriginClient
    /// Origin exchanges alive (tests check that none outlives its request).
    var liveOriginExchanges: Int { origin.liveExchanges.withLockedValue { $0 } }
    private let channel: NIOLockedValueBox<(any Channel)?> = NIOLockedValueBox(nil)
    private let shutdownTask = NIOLockedValueBox<Task<DrainOutcome, any Error>?>(nil)
    private let connections = ConnectionRegistry()
    /// The admin listener, once bound (ProxyServer+Admin.swift).
    let adminChannel: NIOLockedValueBox<(any Channel)?> = NIOLockedValueBox(nil)
    private let accessLog: AccessLog
    var eventLoopGroup: any EventLoopGroup { group }
    /// Requests that have waited for another request's origin fetch since the start.
    var coalescedRequests: Int { flow.coalescer.joined }

    /// This server's counters, on a registry of its own.
    public let metrics: ProxyMetrics

    /// Where the admin listener (`/metrics`, the status page) listens, once `start()` has
    /// bound it.
    public var adminAddress: SocketAddress? { adminChannel.withLockedValue { $0?.localAddress } }

    /// The memory store, for inspection.
    public var store: MemoryStore { flow.store }

    /// The shared tier behind memory and disk (`configuration.shared`).
    var sharedTier: SharedTier? { flow.shared }

    /// The disk store behind it, once `start()` has opened it (`configuration.disk`).
    public var diskStore: DiskStore? { flow.disk?.store }

    /// - Parameter accessLogger: where the access log goes, one line per request at `.info`.
    public init(
        configuration: ProxyConfiguration, clock: any ProxyClock = SystemClock(), logger: Logger = Logger(label: "cachet.proxy"),
        accessLogger: Logger = Logger(label: "cachet.access")
    ) {
        self.configuration = configuration
        self.group = MultiThreadedEventLoopGroup(numberOfThreads: configuration.threads ?? System.coreCount)
        self.metrics = ProxyMetrics()
        self.accessLog = AccessLog(logger: accessLogger)
        self.origin = OriginClient(timeouts: configuration.originTimeouts, eventLoopGroup: group, metrics: metrics)
        let shared = configuration.shared.flatMap { [group] in try? SharedTier.redis($0, group: group, logger: logger) }
        self.flow = RequestFlow(
            configuration: configuration,
            store: MemoryStore(limit: configuration.memoryLimit),
            disk: configuration.disk.map { DiskTier(configuration: $0, logger: logger) },
            shared: shared,
            origin: origin,
            clock: clock,
            logger: logger
        )
    }

    /// Requests waiting for another request's origin fetch of the same key (coalesced).
    public var coalescedWaiters: Int { flow.coalescer.waiting }

    /// Waits until background revalidations, and the disk writes queued so far, have finished.
    public func waitForBackgroundWork() async {
        await flow.background.drain()
        await flow.disk?.writes.drain()
        await flow.shared?.writes.drain()
    }

    /// Waits until the requests in flight (a client may have its whole response before the
    /// request's work ends), background revalidations and the disk writes they queued have
    /// finished.
    public func waitForPendingWork() async {
        await flow.drain()
    }

    /// Opens the disk store, if configured, then binds the listening socket and returns the
    /// address it got.
    ///
    /// - Throws: ``ProxyStartError/diskUnavailable(path:reason:)`` when the disk folder cannot
    ///   be used, ``ProxyStartError/cannotListen(address:reason:)`` when the address cannot be
    ///   bound; the server does not listen then (call ``shutdown()`` to release it).
    @discardableResult
    public func start() async throws -> SocketAddress {
        let flow = self.flow
        // Before binding: a request never finds the disk tier half open.
        try await flow.disk?.open()
        if let shared = configuration.shared, flow.shared == nil { throw ProxyStartError.invalidShared(url: shared.url) }
        if let tier = flow.shared {
            let store = flow.store
            let logger = flow.logger
            tier.listen(now: { [clock = flow.clock] in clock.now() }, purge: { _ = await flow.performLocally($0) }) {
                // Purges broadcast while this node was not listening are lost: what it holds
                // in memory can no longer be vouched for.
                let dropped = store.removeAll()
                logger.notice("shared tier: listening again after a loss; dropped this node's memory copies", metadata: ["responses": "\(dropped)"])
            }
        }
        let maximumRequestBodySize = configuration.maximumRequestBodySize
        let accessLog = self.accessLog
        let connections = self.connections
        let clientTimeouts = configuration.clientTimeouts
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 1024)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelOption(.maxMessagesPerRead, value: 16)
            // A client may shut its side after sending: it still gets its answers.
            .childChannelOption(.allowRemoteHalfClosure, value: true)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    // The proxy frames its responses itself (ResponseEncoding), so only NIO's
                    // request parser is used; the observer before it starts the clock on a
                    // request head (slowloris).
                    let connection = ClientConnectionHandler(
                        flow: flow, maximumRequestBodySize: maximumRequestBodySize, timeouts: clientTimeouts, accessLog: accessLog
                    )
                    try channel.pipeline.syncOperations.addHandler(ByteArrivalObserver(connection: connection))
                    try channel.pipeline.syncOperations.addHandler(Self.makeRequestDecoder())
                    try channel.pipeline.syncOperations.addHandler(connection)
                    connections.register(channel)
                }
            }
        let channel: any Channel
        do {
            channel = try await bootstrap.bind(host: configuration.listenHost, port: configuration.listenPort).get()
        } catch {
            throw ProxyStartError.listenFailure(host: configuration.listenHost, port: configuration.listenPort, error: error)
        }
        self.channel.withLockedValue { $0 = channel }
        try await startAdmin()
        return channel.localAddress!
    }

    /// Serves until the server is shut down, and returns once it is.
    ///
    /// In a `ServiceGroup` (`cachet proxy`), graceful shutdown (SIGTERM, SIGINT) or
    /// cancellation starts ``shutdown()``; elsewhere whoever calls ``shutdown()`` does.
    public func run() async throws {
        guard let channel = channel.withLockedValue({ $0 }) else { return }
        try await withTaskCancellationOrGracefulShutdownHandler {
            try await channel.closeFuture.get()
        } onCancelOrGracefulShutdown: {
            Task { try? await self.shutdown() }
        }
        // The listener closed: wait for the drain that closed it (or start one, if it closed
        // on its own).
        try await shutdown()
    }

    /// Stops listening, asks every connection to close once it owes no response (idle ones
    /// close at once), and waits for the requests in flight and background revalidations —
    /// no longer than `configuration.drainTimeout`, after which the remaining connections are
    /// closed and their requests cancelled. Then the queued disk writes are flushed, the disk
    /// index closed, and the threads released.
    @discardableResult
    public func shutdown() async throws -> DrainOutcome {
        // The first call shuts down; later ones (a second signal, run()'s caller) wait for it.
        let task = shutdownTask.withLockedValue { existing in
            if let existing { return existing }
            let task = Task { [channel, adminChannel, flow, origin, group, connections, bound = configuration.drainTimeout] in
                // Connections set up from here on close at once, so nothing slips in while
                // the listener closes.
                connections.quiesce()
                if let listener = channel.withLockedValue({ $0 }) {
                    try? await listener.close()
                }
                let outcome = await ConnectionDrain.run(connections: connections, flow: flow, bound: bound)
                await flow.drain()
                // The admin listener stays up through the drain, so it can be watched.
                if let admin = adminChannel.withLockedValue({ $0 }) {
                    try? await admin.close()
                }
                // The shared tier first: a purge another node broadcast may still be running on the disk.
                await flow.shared?.close()
                await flow.disk?.close()
                try await origin.shutdown()
                try await group.shutdownGracefully()
                return outcome
            }
            existing = task
            return task
        }
        return try await task.value
    }

    /// NIO's request parser as the server installs it; the fuzz targets use the same one.
    static func makeRequestDecoder() -> ByteToMessageHandler<HTTPRequestDecoder> {
        ByteToMessageHandler(HTTPRequestDecoder(leftOverBytesStrategy: .dropBytes))
    }
}
