#if os(Linux)
import HTTPTypes
import Hummingbird
import HummingbirdCore
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import ServiceLifecycle

/// `cachet serve`'s server: static files at the speed of the socket, everything else through
/// Hummingbird.
///
/// Its own epoll loops (``SocketLoop``, one thread each) accept the connections and answer
/// the requests that need no I/O — a 304, or a file whose content is in memory — from the
/// raw bytes, with no per-request work beyond reading the head and copying the answer. A
/// connection whose request needs more is handed to NIO with the bytes not answered yet, and
/// from there on goes through ``FileFastPathChannel``: NIO's HTTP/1 decoder, the router and
/// the files' middleware, exactly as a Hummingbird `Application` would serve it.
///
/// ```swift
/// let server = FileSocketServer(
///     files: files, router: router,
///     configuration: .init(host: "127.0.0.1", port: 8080, threads: 2, serverName: "cachet")
/// )
/// try await ServiceGroup(services: [server], gracefulShutdownSignals: [.sigterm], logger: logger).run()
/// ```
public struct FileSocketServer: Service {
    public struct Configuration: Sendable {
        public var host: String
        public var port: Int
        /// Threads of socket loops.
        public var threads: Int
        public var serverName: String?
        /// For the connections handed to NIO.
        public var http1: HTTP1Channel.Configuration
        /// From the first byte of a request head to its end, however it trickles in
        /// (slowloris): then 408 and the connection is closed.
        public var requestHeadTimeout: TimeAmount
        /// How long a connection may go without the client sending a byte or taking one of its
        /// answers (between requests, or reading slowly): then it is closed. On the loops, and
        /// on the connections handed to NIO (``IdleTimeout``, on the event loop's clock).
        public var idleTimeout: TimeAmount
        /// The clock the loops' timeouts are measured with: tests move their own.
        var clock: @Sendable () -> NIODeadline = { .now() }

        public init(
            host: String, port: Int, threads: Int = System.coreCount, serverName: String? = nil, http1: HTTP1Channel.Configuration = .init(),
            requestHeadTimeout: TimeAmount = .seconds(10), idleTimeout: TimeAmount = .seconds(60)
        ) {
            self.host = host
            self.port = port
            self.threads = threads
            self.serverName = serverName
            self.http1 = http1
            self.requestHeadTimeout = requestHeadTimeout
            self.idleTimeout = idleTimeout
        }
    }

    let configuration: Configuration
    /// Internal and settable so that tests can count and hold them.
    var answer: SocketLoop.Answer
    var prepare: SocketLoop.Prepare
    let generation: @Sendable () -> Int
    let childChannel: FileFastPathChannel
    let eventLoopGroup: any EventLoopGroup
    let logger: Logger
    let onRunning: @Sendable (Int) async -> Void

    /// - Parameters:
    ///   - files: the files' middleware, also on `router`; the loops ask it for the answers
    ///     it can give at once.
    ///   - router: answers every other request, on NIO's event loops (`eventLoopGroup`).
    ///   - onRunning: called with the port once the server listens.
    public init<Router: HTTPResponderBuilder, Context>(
        files: ConditionalFileMiddleware<Context>,
        router: Router,
        configuration: Configuration,
        eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        logger: Logger = Logger(label: "cachet.serve"),
        onRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) where Router.Responder.Context == Context, Context: InitializableFromSource<ApplicationRequestContextSource> {
        self.configuration = configuration
        self.answer = { request, now in files.answerAtOnce(request, now: now) }
        self.generation = { files.lookupGeneration }
        self.prepare = { request in await files.prepareAnswer(request) }
        let responder = HummingbirdResponder.make(router.buildResponder(), serverName: configuration.serverName, logger: logger)
        self.childChannel = FileFastPathChannel(
            responder: responder, configuration: configuration.http1, answeringFirst: files, serverName: configuration.serverName)
        self.eventLoopGroup = eventLoopGroup
        self.logger = logger
        self.onRunning = onRunning
    }

    public func run() async throws {
        let listener = try ListeningSocket(host: configuration.host, port: configuration.port)
        defer { listener.close() }
        let (handedOff, arrivals) = AsyncStream<FileFastPathChannel.Value>.makeStream()
        let open = NIOLockedValueBox([ObjectIdentifier: any Channel]())
        let childChannel = self.childChannel
        let logger = self.logger
        let group = self.eventLoopGroup
        let idleTimeout = configuration.idleTimeout

        let handOff: @Sendable (Int32, ByteBuffer) -> Void = { descriptor, bytes in
            ClientBootstrap(group: group)
                // As Hummingbird's server sets it: a client that stops sending still gets its answers.
                .channelOption(ChannelOptions.allowRemoteHalfClosure, value: true)
                .channelInitializer { channel in
                    childChannel.setup(channel: channel, logger: logger).flatMapThrowing { value in
                        // The loop's idle timeout goes on with the connection, ahead of the raw
                        // answers, told by the router's side when the server is the one working.
                        let pipeline = channel.pipeline.syncOperations
                        let idle = IdleTimeout(idleTimeout)
                        try pipeline.addHandler(idle, position: .first)
                        try pipeline.addHandler(RequestsInFlight(idle), position: .before(try pipeline.handler(type: HTTPConnectionStateHandler.self)))
                        try pipeline.addHandler(ReceivedBytes(bytes), position: .first)
                        open.withLockedValue { $0[ObjectIdentifier(channel)] = channel }
                        channel.closeFuture.whenComplete { _ in _ = open.withLockedValue { $0.removeValue(forKey: ObjectIdentifier(channel)) } }
                        // Arriving after the server stopped taking connections: nobody would answer.
                        if case .terminated = arrivals.yield(value) { channel.close(promise: nil) }
                    }
                }
                .withConnectedSocket(descriptor)
                .whenFailure { error in
                    // The channel's failure closed the descriptor with it.
                    logger.debug("could not hand a connection to NIO", metadata: ["error": "\(error)"])
                }
        }
        let loops = try (0..<max(configuration.threads, 1)).map { _ in
            try SocketLoop(
                listener: listener, answer: answer, prepare: prepare, generation: generation, serverName: configuration.serverName,
                timeouts: .init(requestHead: configuration.requestHeadTimeout, idle: configuration.idleTimeout, clock: configuration.clock),
                handOff: handOff
            )
        }
        let threads = NIOThreadPool(numberOfThreads: loops.count)
        threads.start()
        defer { threads.shutdownGracefully { _ in } }

        await onRunning(listener.port)
        await withDiscardingTaskGroup { tasks in
            tasks.addTask {
                await withTaskGroup(of: Void.self) { running in
                    for loop in loops {
                        running.addTask { try? await threads.runIfActive { loop.run() } }
                    }
                    // Until a graceful shutdown or cancellation: then the loops stop.
                    try? await gracefulShutdown()
                    for loop in loops { loop.stop() }
                    await running.waitForAll()
                }
                // Connections that went to NIO finish the request they are on, then close.
                arrivals.finish()
                for channel in open.withLockedValue({ Array($0.values) }) {
                    channel.pipeline.fireUserInboundEventTriggered(ChannelShouldQuiesceEvent())
                }
            }
            for await value in handedOff {
                tasks.addTask { await childChannel.handle(value: value, logger: logger) }
            }
        }
    }
}

/// The first handler of a connection handed over from a ``SocketLoop``: when the channel
/// becomes active, it passes on the bytes the loop received and did not answer, before
/// anything NIO reads from the socket, and leaves.
final class ReceivedBytes: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    private var bytes: ByteBuffer?

    init(_ bytes: ByteBuffer) {
        self.bytes = bytes
    }

    func channelActive(context: ChannelHandlerContext) {
        context.fireChannelActive()
        if let bytes, bytes.readableBytes > 0 {
            context.fireChannelRead(wrapInboundOut(bytes))
            context.fireChannelReadComplete()
        }
        bytes = nil
        context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
    }
}
#endif
