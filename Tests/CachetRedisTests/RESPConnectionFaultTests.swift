import CachetTestSupport
import NIOCore
import NIOPosix
import Testing

@testable import CachetRedis

/// What a connection and a pool do when the peer misbehaves, against small fake servers (no
/// redis-server needed).
@Suite("Redis connection faults")
struct RESPConnectionFaultTests {
    @Test("bytes that are not RESP fail the pending command with a protocol error and close the connection")
    func protocolError() async throws {
        let server = try await FakeServer.start { _ in ByteBuffer(string: "HTTP/1.1 400 Bad Request\r\n\r\n") }
        defer { server.close() }
        let connection = try await RedisConnection.connect(to: server.address, configuration: .init(commandTimeout: .seconds(60)))
        await #expect(throws: RedisError.protocolError(.unknownType(UInt8(ascii: "H")))) { try await connection.send(["PING"]) }
        try await waitUntil(within: 5, "the connection closes") { !connection.isActive }
    }

    @Test("EOF fails every command pipelined on the connection")
    func eofFailsAllPending() async throws {
        let server = try await FakeServer.start { _ in nil }
        defer { server.close() }
        // What is checked is the close, not the clock: a timeout far beyond a loaded machine's delays.
        let connection = try await RedisConnection.connect(to: server.address, configuration: .init(commandTimeout: .seconds(60)))
        let pending = (0..<10).map { _ in connection.sendFuture(["GET", "k"]) }
        for future in pending {
            await #expect(throws: RedisError.connectionClosed) { try await future.get() }
        }
    }

    @Test("a reply nobody asked for closes the connection: later replies could not be matched")
    func unsolicitedReply() async throws {
        let server = try await FakeServer.start(greeting: ByteBuffer(string: "+HELLO\r\n")) { _ in ByteBuffer(string: "+PONG\r\n") }
        defer { server.close() }
        let connection = try await RedisConnection.connect(to: server.address)
        try await waitUntil(within: 5, "the connection closes") { !connection.isActive }
        await #expect(throws: RedisError.self) { try await connection.send(["PING"]) }
    }

    @Test("a refused node: the pool fails at once while it backs off, with one log line")
    func refusedNodeBacksOff() async throws {
        // Bound but never listening: refuses connections, and no other test can take the port.
        let refusing = try RefusingPort()
        let port = refusing.port
        let logs = LogCapture()
        let redis = RedisClient(
            endpoint: .standalone(RedisAddress(host: "127.0.0.1", port: port)),
            configuration: RedisConfiguration(connectionsPerNode: 1, initialReconnectDelay: .seconds(60), maximumReconnectDelay: .seconds(60)),
            logger: logs.logger)
        await #expect(throws: RedisError.self) { try await redis.ping() }
        // Within the backoff: failed at once with the last reason, no connect attempted.
        for _ in 0..<100 {
            do {
                _ = try await redis.ping()
                Issue.record("a refused node answered")
            } catch RedisError.unavailable(let node, let reason) {
                #expect(node.port == port)
                #expect(!reason.isEmpty)
            }
        }
        #expect(logs.count("Redis node down") == 1, "\(logs.all)")
        #expect(logs.all.count == 1, "\(logs.all)")
        await redis.shutdown()
        withExtendedLifetime(refusing) {}
    }
}

/// A loopback TCP server that answers each read with `reply(bytes)`, or closes the connection
/// when that is nil; `greeting` is sent unasked on connect.
struct FakeServer {
    let channel: any Channel

    var address: RedisAddress { RedisAddress(host: "127.0.0.1", port: channel.localAddress!.port!) }

    static func start(greeting: ByteBuffer? = nil, reply: @escaping @Sendable (ByteBuffer) -> ByteBuffer?) async throws -> FakeServer {
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(Responder(greeting: greeting, reply: reply))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        return FakeServer(channel: channel)
    }

    func close() {
        channel.close(promise: nil)
    }

    private final class Responder: ChannelInboundHandler {
        typealias InboundIn = ByteBuffer
        typealias OutboundOut = ByteBuffer
        let greeting: ByteBuffer?
        let reply: @Sendable (ByteBuffer) -> ByteBuffer?

        init(greeting: ByteBuffer?, reply: @escaping @Sendable (ByteBuffer) -> ByteBuffer?) {
            self.greeting = greeting
            self.reply = reply
        }

        func channelActive(context: ChannelHandlerContext) {
            if let greeting { context.writeAndFlush(wrapOutboundOut(greeting), promise: nil) }
            context.fireChannelActive()
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            if let answer = reply(unwrapInboundIn(data)) {
                context.writeAndFlush(wrapOutboundOut(answer), promise: nil)
            } else {
                context.close(promise: nil)
            }
        }
    }
}
