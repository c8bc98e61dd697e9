import HTTPCachePolicy
import CachetStorage
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOPosix

/// `cachet proxy`: a caching reverse proxy listening for HTTP/1.1 on one address.
public final class ProxyServer: Sendable {
    public let configuration: ProxyConfiguration
    private let group: MultiThreadedEventLoopGroup
    private let flow: RequestFlow
    private let origin: OriginClient
    private let channel: NIOLockedValueBox<(any Channel)?> = NIOLockedValueBox(nil)
    private let shutdownTask = NIOLockedValueBox<Task<Void, any Error>?>(nil)

    /// The memory store, for inspection.
    public var store: MemoryStore { flow.store }

    public init(configuration: ProxyConfiguration, clock: any ProxyClock = SystemClock(), logger: Logger = Logger(label: "cachet.proxy")) {
        self.configuration = configuration
        self.group = MultiThreadedEventLoopGroup(numberOfThreads: configuration.threads ?? System.coreCount)
        self.origin = OriginClient(timeouts: configuration.originTimeouts, eventLoopGroup: group)
        self.flow = RequestFlow(
            configuration: configuration,
            store: MemoryStore(limit: configuration.memoryLimit),
            origin: origin,
            clock: clock,
            logger: logger
        )
    }

    /// Requests waiting for another request's origin fetch of the same key (coalesced).
    public var coalescedWaiters: Int { flow.coalescer.waiting }

    /// Waits until background revalidations started so far have finished.
    public func waitForBackgroundWork() async {
        await flow.background.drain()
    }

    /// Binds the listening socket and returns the address it got.
    @discardableResult
    public func start() async throws -> SocketAddress {
        let flow = self.flow
        let maximumRequestBodySize = configuration.maximumRequestBodySize
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 1024)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelOption(.maxMessagesPerRead, value: 16)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    // The proxy frames its responses itself (ResponseEncoding), so only NIO's
                    // request parser is used.
                    try channel.pipeline.syncOperations.addHandler(Self.makeRequestDecoder())
                    try channel.pipeline.syncOperations.addHandler(
                        ClientConnectionHandler(flow: flow, maximumRequestBodySize: maximumRequestBodySize)
                    )
                }
            }
        let channel = try await bootstrap.bind(host: configuration.listenHost, port: configuration.listenPort).get()
        self.channel.withLockedValue { $0 = channel }
        return channel.localAddress!
    }

    /// Waits until the server is shut down.
    public func run() async throws {
        guard let channel = channel.withLockedValue({ $0 }) else { return }
        try await channel.closeFuture.get()
    }

    /// Stops listening, lets the requests in flight and background revalidations finish,
    /// then closes the remaining connections and releases the threads.
    public func shutdown() async throws {
        // The first call shuts down; later ones (a second signal, run()'s caller) wait for it.
        let task = shutdownTask.withLockedValue { existing in
            if let existing { return existing }
            let task = Task { [channel, flow, origin, group] in
                if let listener = channel.withLockedValue({ $0 }) {
                    try? await listener.close()
                }
                await flow.drain()
                try await origin.shutdown()
                try await group.shutdownGracefully()
            }
            existing = task
            return task
        }
        try await task.value
    }

    /// NIO's request parser as the server installs it; the fuzz targets use the same one.
    static func makeRequestDecoder() -> ByteToMessageHandler<HTTPRequestDecoder> {
        ByteToMessageHandler(HTTPRequestDecoder(leftOverBytesStrategy: .dropBytes))
    }
}
