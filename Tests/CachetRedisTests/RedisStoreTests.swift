import CachetStorage
import CachetTestSupport
import HTTPCachePolicy
import NIOConcurrencyHelpers
import NIOCore
import Testing

@testable import CachetRedis

/// `RedisStore` against a real `redis-server` started by each test.
@Suite("RedisStore against redis-server", .enabled(if: RedisAvailability.enabled, Comment(rawValue: RedisAvailability.reason)))
struct RedisStoreTests {
    @Test("round trip: empty, one-chunk, exactly chunked and many-chunk bodies, with their policy")
    func roundTrip() async throws {
        try await StoreFixtures.withStore { store, _ in try await RedisStoreScenarios.roundTrip(store) }
    }

    @Test("several variants of one key; publishing one again replaces it and deletes the old version")
    func variants() async throws {
        try await StoreFixtures.withStore { store, _ in try await RedisStoreScenarios.variantsAndReplacement(store) }
    }

    @Test("TTL: the version lives its lifetime, the pointer and the tag sets are never shortened, zero stores nothing")
    func lifetimes() async throws {
        try await StoreFixtures.withStore { store, _ in try await RedisStoreScenarios.lifetimes(store) }
    }

    @Test("freshen replaces the policy, keeps the body, extends the TTL, and returns false once replaced or removed")
    func freshen() async throws {
        try await StoreFixtures.withStore { store, _ in try await RedisStoreScenarios.freshen(store) }
    }

    @Test("remove all variants or those with a tag; keys(taggedWith:)")
    func removeAndTags() async throws {
        try await StoreFixtures.withStore { store, _ in try await RedisStoreScenarios.removeAndTags(store) }
    }

    @Test("namespaces keep two caches on one Redis apart")
    func namespaces() async throws {
        try await StoreFixtures.withStore { store, _ in
            let other = StoreFixtures.store(store.client, namespace: "other")
            let entry = StoreFixtures.entry("/shared", tags: "t")
            try await store.publish(entry, lifetime: .seconds(60))
            #expect(try await other.variants(for: entry.key).isEmpty)
            #expect(try await other.keys(taggedWith: ["t"]).isEmpty)
            #expect(try await other.remove(entry.key, taggedWithAnyOf: nil) == 0)
            #expect(try await other.claimFill(of: entry.key, lease: .seconds(10)) != .stored)
            #expect(try await store.variants(for: entry.key).count == 1)
        }
    }

    @Test("a chunk size of another node's: the reader follows the header block's")
    func otherChunkSize() async throws {
        try await StoreFixtures.withStore { store, _ in
            let writer = RedisStore(client: store.client, configuration: RedisStoreConfiguration(namespace: "test", chunkSize: 100, bytesPerCommand: 150))
            let entry = StoreFixtures.entry("/big-chunks", body: 1234)
            try await writer.publish(entry, lifetime: .seconds(60))
            #expect(try await store.variants(for: entry.key).map(\.body) == [entry.body])
            let small = StoreFixtures.entry("/small-chunks", body: 1234)
            try await store.publish(small, lifetime: .seconds(60))
            #expect(try await writer.variants(for: small.key).map(\.body) == [small.body])
            #expect(store.rejectedValues + writer.rejectedValues == 0)
        }
    }

    @Test("a publication is atomic: a reader racing a writer of multi-chunk bodies only ever reads a whole published body")
    func atomicPublication() async throws {
        try await StoreFixtures.withStore { store, server in
            // A second client, so that reads and writes do not share connections.
            let readerClient = try RedisClient(url: server.url, configuration: StoreFixtures.clientConfiguration)
            defer { Task { await readerClient.shutdown() } }
            let reader = StoreFixtures.store(readerClient)
            // 300 bytes: 43 chunks in 15 commands; each round a body of another length.
            let published = (0..<40).map { round in StoreFixtures.entry("/race", body: 280 + round, etag: "r\(round)") }
            let bodies = Set(published.map(\.body))
            let key = published[0].key
            try await store.publish(published[0], lifetime: .seconds(60))

            let writing = NIOLockedValueBox(true)
            let writer = Task {
                defer { writing.withLockedValue { $0 = false } }
                for entry in published.dropFirst() { try await store.publish(entry, lifetime: .seconds(60)) }
            }
            var reads = 0
            var whole = 0
            // Until the writer is done, bounded by the number of reads, not by time.
            while reads < 5000 {
                let variants = try await reader.variants(for: key)
                #expect(variants.count <= 1)
                for variant in variants {
                    #expect(bodies.contains(variant.body), "a read body is not one of the published bodies")
                    whole += 1
                }
                reads += 1
                if !writing.withLockedValue({ $0 }) { break }
            }
            try await writer.value
            #expect(whole > 0)
            #expect(try await reader.variants(for: key).map(\.body) == [published.last!.body])
            // A version deleted under a reader is a race, not a corrupt value.
            #expect(reader.rejectedValues == 0)
        }
    }

    @Test("claimFill / releaseFill: exclusive, .busy, .filled event to every node, .stored, wrong token ignored")
    func fills() async throws {
        try await StoreFixtures.withStore { store, server in
            let otherClient = try RedisClient(url: server.url, configuration: StoreFixtures.clientConfiguration)
            defer { Task { await otherClient.shutdown() } }
            let other = StoreFixtures.store(otherClient)
            let recorder = EventRecorder(other)
            defer { recorder.stop() }
            try await recorder.waitUntilConnected()
            try await RedisStoreScenarios.fills(store, other: other, recorder: recorder)
        }
    }

    @Test("broadcast reaches the events of two independent stores, the sender's included")
    func broadcast() async throws {
        try await StoreFixtures.withStore { store, server in
            let otherClient = try RedisClient(url: server.url, configuration: StoreFixtures.clientConfiguration)
            defer { Task { await otherClient.shutdown() } }
            let other = StoreFixtures.store(otherClient)
            let mine = EventRecorder(store)
            let theirs = EventRecorder(other)
            defer {
                mine.stop()
                theirs.stop()
            }
            try await mine.waitUntilConnected()
            try await theirs.waitUntilConnected()
            let payload = ByteBuffer(bytes: [0, 13, 10, 255] + Array("purge /a".utf8))
            try await store.broadcast(payload)
            try await mine.wait(for: "the sender hears it") { $0 == .broadcast(payload) }
            try await theirs.wait(for: "the other store hears it") { $0 == .broadcast(payload) }
            // A store of another namespace hears nothing of it: its own marker, sent after,
            // is the first broadcast it hears.
            let strangerStore = StoreFixtures.store(otherClient, namespace: "stranger")
            let stranger = EventRecorder(strangerStore)
            defer { stranger.stop() }
            try await stranger.waitUntilConnected()
            try await other.broadcast(ByteBuffer(string: "not for strangers"))
            try await strangerStore.broadcast(ByteBuffer(string: "marker"))
            try await stranger.wait(for: "the stranger's marker") { $0 == .broadcast(ByteBuffer(string: "marker")) }
            #expect(stranger.events.filter { if case .broadcast = $0 { true } else { false } } == [.broadcast(ByteBuffer(string: "marker"))])
            try await theirs.wait(for: "the store hears its namespace's") { $0 == .broadcast(ByteBuffer(string: "not for strangers")) }
        }
    }

    @Test("a Redis that is down is an error, thrown within the client's timeouts")
    func redisDown() async throws {
        let server = try await RedisServer.start()
        let client = try RedisClient(url: server.url, configuration: RedisConfiguration(connectTimeout: .seconds(2), commandTimeout: .seconds(2)))
        defer { Task { await client.shutdown() } }
        let store = StoreFixtures.store(client)
        let entry = StoreFixtures.entry("/down")
        try await store.publish(entry, lifetime: .seconds(60))
        server.stop()
        let start = ContinuousClock.now
        await #expect(throws: (any Error).self) { try await store.variants(for: entry.key) }
        await #expect(throws: (any Error).self) { try await store.publish(entry, lifetime: .seconds(60)) }
        await #expect(throws: (any Error).self) { try await store.claimFill(of: entry.key, lease: .seconds(1)) }
        #expect(ContinuousClock.now - start < .seconds(10))
    }
}
