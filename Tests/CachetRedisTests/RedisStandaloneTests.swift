import CachetTestSupport
import Foundation
import Logging
import NIOCore
import NIOPosix
import Testing

@testable import CachetRedis

/// The client against a real `redis-server` started by each test.
@Suite("Redis client against redis-server", .enabled(if: RedisAvailability.enabled, Comment(rawValue: RedisAvailability.reason)))
struct RedisStandaloneTests {
    /// Generous timeouts: the machine may be busy with builds; only the timeout test is tight.
    static let configuration = RedisConfiguration(connectTimeout: .seconds(10), commandTimeout: .seconds(10), initialReconnectDelay: .milliseconds(10), maximumReconnectDelay: .milliseconds(200))

    @Test("GET, SET with NX / PX / EX, DEL, EXPIRE, PEXPIRE, sets, PING, binary values")
    func basicCommands() async throws {
        let server = try await RedisServer.start()
        defer { server.stop() }
        let redis = try RedisClient(url: server.url, configuration: Self.configuration)

        #expect(try await redis.ping() == "PONG")
        #expect(try await redis.get("missing") == nil)
        #expect(try await redis.set("k", to: "v1"))
        #expect(try await redis.get("k") == ByteBuffer(string: "v1"))
        #expect(try await redis.set("k", to: "v2", condition: .ifNotExists) == false)
        #expect(try await redis.get("k") == ByteBuffer(string: "v1"))
        #expect(try await redis.set("lock", to: "owner", expiration: .milliseconds(60_000), condition: .ifNotExists))
        #expect((1...60_000).contains(try await redis.pttl("lock")))
        #expect(try await redis.set("ex", to: "x", expiration: .seconds(100)))
        #expect((1...100_000).contains(try await redis.pttl("ex")))
        #expect(try await redis.expire("k", seconds: 50))
        #expect((1...50_000).contains(try await redis.pttl("k")))
        #expect(try await redis.pexpire("k", milliseconds: 5000))
        #expect((1...5000).contains(try await redis.pttl("k")))
        #expect(try await redis.expire("missing", seconds: 5) == false)
        #expect(try await redis.delete(["k", "ex", "missing"]) == 2)
        #expect(try await redis.pttl("k") == -2)

        // Every byte value survives, CR and LF included.
        let binary = ByteBuffer(bytes: (0...255).map { UInt8($0) } + [13, 10, 13, 10])
        #expect(try await redis.set(ByteBuffer(bytes: [0, 1, 13, 10]), to: binary))
        #expect(try await redis.get(ByteBuffer(bytes: [0, 1, 13, 10])) == binary)

        // The surrogate-key index's commands.
        #expect(try await redis.sadd("tag:front", members: ["/a", "/b", "/c"]) == 3)
        #expect(try await redis.sadd("tag:front", members: ["/a"]) == 0)
        #expect(try await redis.srem("tag:front", members: ["/b", "/z"]) == 1)
        #expect(Set(try await redis.smembers("tag:front").map { String(buffer: $0) }) == ["/a", "/c"])
        #expect(try await redis.smembers("tag:none") == [])

        // The generic form, and error replies thrown with their message.
        #expect(try await redis.send(["SET", "n", "5", "PX", 1000, "NX"]) == .simpleString(ByteBuffer(string: "OK")))
        #expect(try await redis.send(["INCR", "n"]) == .integer(6))
        await #expect(throws: RedisError.server("WRONGTYPE Operation against a key holding the wrong kind of value")) {
            try await redis.get("tag:front")
        }
        await #expect(throws: RedisError.self) { try await redis.send(["NOSUCHCOMMAND"]) }
        // The connection is still usable after error replies.
        #expect(try await redis.ping() == "PONG")
        await redis.shutdown()
        await #expect(throws: RedisError.shutDown) { try await redis.ping() }
    }

    @Test("scripts: EVALSHA, NOSCRIPT answered with EVAL, the SHA-1 is the server's")
    func scripts() async throws {
        let server = try await RedisServer.start()
        defer { server.stop() }
        let redis = try RedisClient(url: server.url, configuration: Self.configuration)
        // An atomic pointer flip: set the pointer only if it still names the expected version.
        let flip = RedisScript(
            """
            if redis.call('GET', KEYS[1]) == ARGV[1] or (ARGV[1] == '' and redis.call('EXISTS', KEYS[1]) == 0) then
              redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
              return 1
            end
            return 0
            """)
        // First call: the server has never seen it (NOSCRIPT), so EVAL runs and caches it.
        #expect(try await redis.evaluate(flip, keys: ["{e}.pointer"], arguments: ["", "v1", 60_000]) == .integer(1))
        #expect(try await redis.evaluate(flip, keys: ["{e}.pointer"], arguments: ["v0", "v2", 60_000]) == .integer(0))
        #expect(try await redis.evaluate(flip, keys: ["{e}.pointer"], arguments: ["v1", "v2", 60_000]) == .integer(1))
        #expect(try await redis.get("{e}.pointer") == ByteBuffer(string: "v2"))
        #expect(try await redis.send(["SCRIPT", "LOAD", flip.source]).string == flip.sha1)
        #expect(try await redis.send(["SCRIPT", "EXISTS", flip.sha1]) == .array([.integer(1)]))
        await redis.shutdown()
    }

    @Test("pipelining: 1000 commands written back to back on one connection get their replies in order")
    func pipeliningInOrder() async throws {
        let server = try await RedisServer.start()
        defer { server.stop() }
        let connection = try await RedisConnection.connect(to: RedisAddress(host: "127.0.0.1", port: server.port), configuration: Self.configuration)
        // Not awaited one by one: all 1000 are in flight before the first reply is read.
        let futures = (0..<1000).map { _ in connection.sendFuture(["INCR", "counter"]) }
        for (index, future) in futures.enumerated() {
            #expect(try await future.get() == .integer(Int64(index + 1)))
        }
        await connection.close()
    }

    @Test("pipelining: 1000 concurrent tasks on a pool each get their own reply")
    func pipeliningConcurrent() async throws {
        let server = try await RedisServer.start()
        defer { server.stop() }
        let redis = try RedisClient(url: server.url, configuration: Self.configuration)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<1000 {
                group.addTask {
                    let reply = try await redis.send(["ECHO", "message \(index)"])
                    #expect(reply.string == "message \(index)")
                }
            }
            try await group.waitForAll()
        }
        // The pool's two connections carried them all (plus redis-cli's own, asking).
        #expect(try await server.cli("INFO", "clients").contains("connected_clients:3"))
        await redis.shutdown()
    }

    @Test("a command timeout fails every command pending on the connection and closes it; the next command reconnects")
    func commandTimeout() async throws {
        let server = try await RedisServer.start()
        defer { server.stop() }
        let configuration = RedisConfiguration(connectionsPerNode: 1, connectTimeout: .seconds(10), commandTimeout: .milliseconds(300))
        let connection = try await RedisConnection.connect(to: RedisAddress(host: "127.0.0.1", port: server.port), configuration: configuration)
        // The server stops answering for 3 s (`DEBUG SLEEP` blocks it).
        let sleeping = connection.sendFuture(["DEBUG", "SLEEP", "3"])
        let behind = connection.sendFuture(["PING"])
        // A timeout, not DEBUG's OK: the timer fired before the server could answer.
        await #expect(throws: RedisError.timeout) { try await sleeping.get() }
        await #expect(throws: RedisError.timeout) { try await behind.get() }
        try await waitUntil(within: 5, "the timed-out connection closes") { !connection.isActive }
        await #expect(throws: RedisError.self) { try await connection.send(["PING"]) }

        // A client's pool drops the closed connection and opens another once the server answers.
        let redis = try RedisClient(url: server.url, configuration: configuration)
        try await server.cli("CLIENT", "PAUSE", "1500", "ALL")
        await #expect(throws: RedisError.timeout) { try await redis.ping() }
        try await waitUntil(within: 10, "the client answers again") { try await redis.ping() == "PONG" }
        await redis.shutdown()
    }

    @Test("reconnect with backoff after the server is killed and restarted on its port; one log line per state change")
    func reconnect() async throws {
        let server = try await RedisServer.start()
        defer { server.stop() }
        let logs = LogCapture()
        let redis = try RedisClient(url: server.url, configuration: Self.configuration, logger: logs.logger)
        #expect(try await redis.set("before", to: "1"))
        #expect(logs.count("Redis node up") == 1)

        server.crash()
        // Commands fail while it is down: the one on the dead connection, then connects
        // refused, then fast failures during the backoff; many of them.
        for _ in 0..<50 {
            await #expect(throws: RedisError.self) { try await redis.ping() }
        }
        #expect(logs.count("Redis node down") == 1, "\(logs.all)")

        try await server.restart()
        try await waitUntil(within: 10, "the client reconnects") { try await redis.ping() == "PONG" }
        // The restarted server has no persistence: the key is gone, the connection is new.
        #expect(try await redis.get("before") == nil)
        #expect(logs.count("Redis node down") == 1, "\(logs.all)")
        #expect(logs.count("Redis node up") == 2, "\(logs.all)")
        await redis.shutdown()
    }

    @Test("pub/sub: a dedicated subscriber connection delivers messages in order as an AsyncSequence")
    func pubSub() async throws {
        let server = try await RedisServer.start()
        defer { server.stop() }
        let redis = try RedisClient(url: server.url, configuration: Self.configuration)
        let subscription = try await redis.subscribe(to: ["purge", "other"])
        // Subscribed once `subscribe` returns: these are delivered.
        #expect(try await redis.publish("/a", to: "purge") == 1)
        #expect(try await redis.publish(ByteBuffer(bytes: [0, 13, 10]), to: "other") == 1)
        #expect(try await redis.publish("/b", to: "purge") == 1)
        #expect(try await redis.publish("nobody", to: "unheard") == 0)
        var received: [RedisPubSubMessage] = []
        for try await message in subscription {
            received.append(message)
            if received.count == 3 { break }
        }
        #expect(received == [
            RedisPubSubMessage(channel: "purge", payload: ByteBuffer(string: "/a")),
            RedisPubSubMessage(channel: "other", payload: ByteBuffer(bytes: [0, 13, 10])),
            RedisPubSubMessage(channel: "purge", payload: ByteBuffer(string: "/b")),
        ])
        // Closed: the server sees no subscriber any more.
        await subscription.close()
        try await waitUntil(within: 5, "the subscriber is gone") { try await redis.publish("late", to: "purge") == 0 }

        // A lost connection ends the sequence with an error, so its owner can subscribe again.
        let second = try await redis.subscribe(to: ["purge"])
        try await server.cli("CLIENT", "KILL", "TYPE", "pubsub")
        await #expect(throws: RedisError.connectionClosed) {
            for try await _ in second {}
        }
        let third = try await redis.subscribe(to: ["purge"])
        await third.close()
        var iterator = third.makeAsyncIterator()
        #expect(try await iterator.next() == nil)
        await redis.shutdown()
    }

    @Test("a lasting subscription subscribes again after the server is killed and restarted, and says so", .timeLimit(.minutes(1)))
    func lastingSubscription() async throws {
        let server = try await RedisServer.start()
        defer { server.stop() }
        let redis = try RedisClient(url: server.url, configuration: Self.configuration)
        let logs = LogCapture()
        let address = RedisAddress(host: "127.0.0.1", port: server.port)
        var events = redis.lastingSubscription(to: ["purge"], logger: logs.logger).makeAsyncIterator()
        #expect(await events.next() == .subscribed(address))
        #expect(try await redis.publish("/a", to: "purge") == 1)
        #expect(await events.next() == .message(RedisPubSubMessage(channel: "purge", payload: ByteBuffer(string: "/a"))))

        server.crash()
        try await server.restart()
        // Subscribed again: whatever was published in between is lost, which this event says.
        #expect(await events.next() == .subscribed(address))
        #expect(try await redis.publish("/b", to: "purge") == 1)
        #expect(await events.next() == .message(RedisPubSubMessage(channel: "purge", payload: ByteBuffer(string: "/b"))))
        #expect(logs.count("Redis subscription lost") == 1, "\(logs.all)")
        #expect(logs.count("Redis subscription restored") == 1, "\(logs.all)")
        // Shutting the client down ends the sequence.
        await redis.shutdown()
        #expect(await events.next() == nil)
        await #expect(throws: RedisError.shutDown) { try await redis.subscribe(to: ["purge"]) }
    }

    @Test("MULTI/EXEC: the commands run together, never interleaved with other clients' commands")
    func transactions() async throws {
        let server = try await RedisServer.start()
        defer { server.stop() }
        let redis = try RedisClient(url: server.url, configuration: RedisConfiguration(connectionsPerNode: 4, connectTimeout: .seconds(10), commandTimeout: .seconds(10)))
        let results = try await redis.transaction([["SET", "a", "1"], ["INCR", "a"], ["GET", "a"]])
        #expect(results == [.simpleString(ByteBuffer(string: "OK")), .integer(2), .bulkString(ByteBuffer(string: "2"))])

        // 200 transactions of two INCRs each, concurrently over 4 connections: each pair of
        // replies is consecutive, so no INCR ran between the two of any transaction.
        let pairs = try await withThrowingTaskGroup(of: [RESPValue].self) { group in
            for _ in 0..<200 { group.addTask { try await redis.transaction([["INCR", "c"], ["INCR", "c"]]) } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        for pair in pairs {
            guard case .integer(let first) = pair[0], case .integer(let second) = pair[1] else {
                Issue.record("not integers: \(pair)")
                continue
            }
            #expect(second == first + 1)
            #expect(first % 2 == 1)
        }
        #expect(try await redis.get("c") == ByteBuffer(string: "400"))

        // A command refused while queueing aborts the transaction: nothing ran.
        await #expect(throws: RedisError.self) { try await redis.transaction([["SET", "x", "1"], ["SET", "only-a-key"]]) }
        #expect(try await redis.get("x") == nil)
        // A command failing while running does not roll back the others (Redis semantics).
        let mixed = try await redis.transaction([["SET", "y", "1"], ["SADD", "y", "m"], ["GET", "y"]])
        #expect(mixed[1].errorMessage?.hasPrefix("WRONGTYPE") == true)
        #expect(mixed[2] == .bulkString(ByteBuffer(string: "1")))
        await redis.shutdown()
    }
}
