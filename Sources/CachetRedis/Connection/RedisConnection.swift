import NIOCore
import NIOPosix

/// One TCP connection to one Redis node, shared by any number of tasks: their commands are
/// pipelined and each gets its own reply.
public final class RedisConnection: Sendable {
    public let address: RedisAddress
    let channel: any Channel

    private init(address: RedisAddress, channel: any Channel) {
        self.address = address
        self.channel = channel
    }

    /// Connects, with `configuration.connectTimeout`.
    public static func connect(to address: RedisAddress, configuration: RedisConfiguration, group: any EventLoopGroup) -> EventLoopFuture<RedisConnection> {
        let limits = configuration.decoderLimits
        let timeout = configuration.commandTimeout
        return ClientBootstrap(group: group)
            .connectTimeout(configuration.connectTimeout)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandlers([
                        ByteToMessageHandler(RESPDecoder(limits: limits)),
                        RESPCommandHandler(commandTimeout: timeout),
                    ])
                }
            }
            .connect(host: address.host, port: address.port)
            .map { RedisConnection(address: address, channel: $0) }
    }

    public static func connect(to address: RedisAddress, configuration: RedisConfiguration = .init(), group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton) async throws -> RedisConnection {
        try await connect(to: address, configuration: configuration, group: group).get()
    }

    public var isActive: Bool { channel.isActive }

    /// Completes when the connection has closed, for whatever reason.
    public var closeFuture: EventLoopFuture<Void> { channel.closeFuture }

    /// The raw reply: an error reply is returned as `.error`, not thrown.
    public func send(_ command: RESPCommand) async throws -> RESPValue {
        try await sendFuture(command).get()
    }

    /// Several commands in one write, in order, with their replies in the same order: the way
    /// `ASKING` must precede its command and `MULTI` … `EXEC` must stay together.
    public func send(batch commands: [RESPCommand]) async throws -> [RESPValue] {
        let promises = commands.map { _ in channel.eventLoop.makePromise(of: RESPValue.self) }
        write(RESPOutboundRequest(commands: commands, promises: promises))
        var replies: [RESPValue] = []
        replies.reserveCapacity(commands.count)
        for promise in promises { replies.append(try await promise.futureResult.get()) }
        return replies
    }

    func sendFuture(_ command: RESPCommand) -> EventLoopFuture<RESPValue> {
        let promise = channel.eventLoop.makePromise(of: RESPValue.self)
        write(RESPOutboundRequest(commands: [command], promises: [promise]))
        return promise.futureResult
    }

    /// A write to a closed channel never reaches the command handler (the pipeline is torn
    /// down), so a failed write fails the commands itself; a promise the handler has already
    /// completed ignores the second completion.
    private func write(_ request: RESPOutboundRequest) {
        let written = channel.eventLoop.makePromise(of: Void.self)
        written.futureResult.whenFailure { _ in
            for promise in request.promises { promise.fail(RedisError.connectionClosed) }
        }
        channel.writeAndFlush(request, promise: written)
    }

    public func close() async {
        try? await channel.close()
    }
}
