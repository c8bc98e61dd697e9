import CachetStorage
import CachetTestSupport
import HTTPCachePolicy
import NIOCore
import Testing

@testable import CachetRedis

/// `RedisStore` against a 3-master Redis Cluster: the same cases as standalone, entries
/// whose keys live on different masters, and pub/sub across nodes.
@Suite("RedisStore against a Redis Cluster", .enabled(if: RedisAvailability.enabled, Comment(rawValue: RedisAvailability.reason)))
struct RedisStoreClusterTests {
    @Test("core cases, keys on every master, fills and broadcasts heard on another node")
    func cluster() async throws {
        let cluster = try await RedisTestCluster.start()
        defer { cluster.stop() }
        let client = try RedisClient(url: cluster.seedURL, configuration: StoreFixtures.clientConfiguration)
        // Clients of one node each, as standalone: their subscriptions are on that node.
        let nodeClients = cluster.nodes.map {
            RedisClient(endpoint: .standalone(RedisAddress(host: "127.0.0.1", port: $0.port)), configuration: StoreFixtures.clientConfiguration)
        }
        defer {
            Task {
                await client.shutdown()
                for nodeClient in nodeClients { await nodeClient.shutdown() }
            }
        }
        let store = StoreFixtures.store(client)

        // The core cases, each on keys that land wherever their hash tags put them.
        try await RedisStoreScenarios.roundTrip(store)
        try await RedisStoreScenarios.variantsAndReplacement(store)
        try await RedisStoreScenarios.lifetimes(store)
        try await RedisStoreScenarios.freshen(store)
        try await RedisStoreScenarios.removeAndTags(store)

        // Entries on each of the three masters, tagged alike (the tag sets on yet other
        // slots), read back, found by tag and removed.
        let map = try #require(try await client.refreshSlotMap())
        var byNode: [RedisAddress: StoredResponse] = [:]
        for index in 0..<200 where byNode.count < 3 {
            let entry = StoreFixtures.entry("/spread/\(index)", body: 100, tags: "spread")
            let node = try #require(map.node(forSlot: HashSlot.slot(forKey: store.layout.pointer(entry.key))))
            if byNode[node] == nil { byNode[node] = entry }
        }
        #expect(byNode.count == 3)
        for entry in byNode.values { try await store.publish(entry, lifetime: .seconds(60)) }
        for (node, entry) in byNode {
            #expect(try await store.variants(for: entry.key).map(\.body) == [entry.body])
            // Every key of the entry is on its master.
            let server = cluster.node(port: node.port)
            #expect(try await server.cli("EXISTS", store.layout.pointer(entry.key)) == "1")
            #expect(try await server.cli("EXISTS", StoreFixtures.versionKey(of: entry, in: store)) == "1")
        }
        #expect(Set(try await store.keys(taggedWith: ["spread"])) == Set(byNode.values.map(\.key)))
        for entry in byNode.values { #expect(try await store.remove(entry.key, taggedWithAnyOf: ["spread"]) == 1) }
        #expect(store.rejectedValues == 0)

        // Fills: the claim runs on the key's master; the release's PUBLISH, made inside a
        // script there, is heard by a store subscribed on another node.
        let fillKey = StoreFixtures.key("/fill")
        let fillMaster = try #require(map.node(forSlot: HashSlot.slot(forKey: store.layout.fillLock(fillKey))))
        let listenerIndex = try #require(cluster.nodes.firstIndex { $0.port != fillMaster.port })
        let listener = StoreFixtures.store(nodeClients[listenerIndex])
        let recorder = EventRecorder(listener)
        defer { recorder.stop() }
        try await recorder.waitUntilConnected()
        try await RedisStoreScenarios.fills(store, other: StoreFixtures.store(client), recorder: recorder)

        // Broadcast: sent through one node, heard by subscribers on the other two.
        let hearers = [1, 2].map { EventRecorder(StoreFixtures.store(nodeClients[$0])) }
        defer { for hearer in hearers { hearer.stop() } }
        for hearer in hearers { try await hearer.waitUntilConnected() }
        let payload = ByteBuffer(string: "purge everything")
        try await StoreFixtures.store(nodeClients[0]).broadcast(payload)
        for hearer in hearers { try await hearer.wait(for: "the broadcast on another node") { $0 == .broadcast(payload) } }
    }
}
