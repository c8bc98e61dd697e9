import CachetTestSupport
import Foundation
import NIOCore
import Testing

@testable import CachetRedis

/// The client against a 3-master Redis Cluster made by the test.
@Suite("Redis Cluster client against redis-server", .enabled(if: RedisAvailability.enabled, Comment(rawValue: RedisAvailability.reason)))
struct RedisClusterTests {
    static let configuration = RedisConfiguration(connectTimeout: .seconds(10), commandTimeout: .seconds(10), initialReconnectDelay: .milliseconds(10), maximumReconnectDelay: .milliseconds(200))

    @Test("slot map from one seed, keys spread over all three masters, hash tags keep an entry's parts together, MOVED and ASK during a slot migration")
    func cluster() async throws {
        let cluster = try await RedisTestCluster.start()
        defer { cluster.stop() }
        // One seed is enough: the slot map names the other masters.
        let redis = try RedisClient(url: cluster.seedURL, configuration: Self.configuration)
        defer { Task { await redis.shutdown() } }

        let map = try #require(try await redis.refreshSlotMap())
        #expect(map.coveredSlots == HashSlot.count)
        #expect(Set(map.nodes.map(\.port)) == Set(cluster.nodes.map(\.port)))

        // 300 keys land on all three masters, each on the node that owns its slot.
        for index in 0..<300 { #expect(try await redis.set("key:\(index)", to: "value \(index)")) }
        for node in cluster.nodes {
            #expect((Int(try await node.cli("DBSIZE")) ?? 0) > 50, "node \(node.port) holds too few keys")
        }
        for index in 0..<300 { #expect(try await redis.get("key:\(index)") == ByteBuffer(string: "value \(index)")) }
        #expect(try await Int(cluster.nodes[0].cli("CLUSTER", "KEYSLOT", "key:7")) == HashSlot.slot(forKey: "key:7"))

        // The parts of one entry share a slot through a hash tag, so a transaction and a script
        // can touch them together.
        let parts = ["{entry:/a}.pointer", "{entry:/a}.head.v1", "{entry:/a}.chunk.v1.0"]
        let results = try await redis.transaction([["SET", parts[1], "head"], ["SET", parts[2], "body"], ["SET", parts[0], "v1"]])
        #expect(results.count == 3)
        #expect(try await redis.evaluate(RedisScript("return redis.call('MGET', KEYS[1], KEYS[2], KEYS[3])"), keys: parts).array?.compactMap(\.string) == ["v1", "head", "body"])
        await #expect(throws: RedisError.self) { try await redis.send(["MGET", "key:1", "key:2"]) }
        // Keyless commands and pub/sub work through any node.
        #expect(try await redis.ping() == "PONG")
        let subscription = try await redis.subscribe(to: ["purge"])
        #expect(try await redis.publish("/x", to: "purge") >= 0)
        var iterator = subscription.makeAsyncIterator()
        #expect(try await iterator.next()?.payload == ByteBuffer(string: "/x"))
        await subscription.close()
        #expect(redis.statistics.movedRedirects == 0)

        // MOVED: the slot of "moving" goes to another master behind the client's back.
        #expect(try await redis.set("moving", to: "here"))
        try await migrateSlot(of: "moving", in: cluster, client: redis)
        #expect(try await redis.get("moving") == ByteBuffer(string: "here"))
        #expect(redis.statistics.movedRedirects == 1)
        // The map was corrected: the next command goes straight to the new owner.
        #expect(try await redis.get("moving") == ByteBuffer(string: "here"))
        #expect(redis.statistics.movedRedirects == 1)

        // ASK: during a migration, a key already moved is asked for on the importing node.
        try await askDuringMigration(in: cluster, client: redis)
    }

    @Test("a master killed: its slots fail fast, the other masters keep serving, and the client reconnects when it is back")
    func masterKilled() async throws {
        let cluster = try await RedisTestCluster.start()
        defer { cluster.stop() }
        let logs = LogCapture()
        let redis = try RedisClient(url: cluster.seedURL, configuration: Self.configuration, logger: logs.logger)
        defer { Task { await redis.shutdown() } }
        let map = try #require(try await redis.refreshSlotMap())
        let victim = cluster.nodes[2]
        let keys = (0..<60).map { "k\($0)" }
        for key in keys { #expect(try await redis.set(key, to: key)) }
        let onVictim = keys.filter { map.node(forSlot: HashSlot.slot(forKey: $0))?.port == victim.port }
        let elsewhere = keys.filter { !onVictim.contains($0) }
        #expect(!onVictim.isEmpty && !elsewhere.isEmpty)

        victim.crash()
        for key in onVictim {
            await #expect(throws: RedisError.self) { try await redis.get(key) }
        }
        for key in elsewhere { #expect(try await redis.get(key) == ByteBuffer(string: key)) }
        #expect(logs.count("Redis node down") == 1, "\(logs.all)")

        // Back on its port with its node id (the cluster config file survived): no persistence,
        // so its keys are gone, but its slots answer again.
        try await victim.restart()
        try await cluster.waitUntilConsistent()
        try await waitUntil(within: 10, "the client reconnects to the restarted master") {
            try await redis.get(onVictim[0]) == nil
        }
        for key in elsewhere { #expect(try await redis.get(key) == ByteBuffer(string: key)) }
        #expect(logs.count("Redis node down") == 1, "\(logs.all)")
    }

    /// Moves the slot of `key` from its owner to another master (Redis Cluster spec,
    /// "Live reconfiguration": SETSLOT IMPORTING / MIGRATING, MIGRATE, SETSLOT NODE).
    private func migrateSlot(of key: String, in cluster: RedisTestCluster, client: RedisClient) async throws {
        let slot = HashSlot.slot(forKey: key)
        let map = try #require(try await client.refreshSlotMap())
        let source = cluster.node(port: try #require(map.node(forSlot: slot)).port)
        let target = try #require(cluster.nodes.first { $0.port != source.port })
        let (sourceID, targetID) = (try await source.id, try await target.id)
        #expect(try await target.cli("CLUSTER", "SETSLOT", "\(slot)", "IMPORTING", sourceID) == "OK")
        #expect(try await source.cli("CLUSTER", "SETSLOT", "\(slot)", "MIGRATING", targetID) == "OK")
        #expect(try await source.cli("MIGRATE", "127.0.0.1", "\(target.port)", key, "0", "5000") == "OK")
        for node in [target, source] + cluster.nodes.filter({ $0.port != source.port && $0.port != target.port }) {
            #expect(try await node.cli("CLUSTER", "SETSLOT", "\(slot)", "NODE", targetID) == "OK")
        }
        try await cluster.waitUntilConsistent()
    }

    private func askDuringMigration(in cluster: RedisTestCluster, client redis: RedisClient) async throws {
        // Two keys in one slot: one will have moved, one not yet.
        let moved = "{ask}.moved", stays = "{ask}.stays"
        #expect(try await redis.set(moved, to: "m"))
        #expect(try await redis.set(stays, to: "s"))
        let slot = HashSlot.slot(forKey: moved)
        let map = try #require(try await redis.refreshSlotMap())
        let source = cluster.node(port: try #require(map.node(forSlot: slot)).port)
        let target = try #require(cluster.nodes.first { $0.port != source.port })
        let (sourceID, targetID) = (try await source.id, try await target.id)
        #expect(try await target.cli("CLUSTER", "SETSLOT", "\(slot)", "IMPORTING", sourceID) == "OK")
        #expect(try await source.cli("CLUSTER", "SETSLOT", "\(slot)", "MIGRATING", targetID) == "OK")
        #expect(try await source.cli("MIGRATE", "127.0.0.1", "\(target.port)", "", "0", "5000", "KEYS", moved) == "OK")

        let before = redis.statistics
        // The source no longer has it: ASK → ASKING + GET on the target.
        #expect(try await redis.get(moved) == ByteBuffer(string: "m"))
        #expect(redis.statistics.askRedirects == before.askRedirects + 1)
        // The key not yet moved is still served by the source, without a redirect.
        #expect(try await redis.get(stays) == ByteBuffer(string: "s"))
        // A new key in a migrating slot is created on the target (the source answers ASK).
        #expect(try await redis.set("{ask}.new", to: "n"))
        #expect(redis.statistics.askRedirects == before.askRedirects + 2)
        #expect(try await target.cli("CLUSTER", "COUNTKEYSINSLOT", "\(slot)") == "2")
        // ASK changes nothing in the map: the slot still belongs to the source.
        #expect(redis.statistics.movedRedirects == before.movedRedirects)

        // Finish the migration: MOVED from then on.
        #expect(try await source.cli("MIGRATE", "127.0.0.1", "\(target.port)", "", "0", "5000", "KEYS", stays) == "OK")
        for node in [target, source] + cluster.nodes.filter({ $0.port != source.port && $0.port != target.port }) {
            #expect(try await node.cli("CLUSTER", "SETSLOT", "\(slot)", "NODE", targetID) == "OK")
        }
        try await cluster.waitUntilConsistent()
        #expect(try await redis.get(stays) == ByteBuffer(string: "s"))
        #expect(try await redis.get("{ask}.new") == ByteBuffer(string: "n"))
        #expect(redis.statistics.movedRedirects == before.movedRedirects + 1)
    }
}
