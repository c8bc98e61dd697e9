import CachetStorage
import CachetTestSupport
import HTTPCachePolicy
import NIOCore
import Testing

@testable import CachetRedis

/// Values damaged in Redis (by a bug, an operator, another program sharing the namespace)
/// are never returned: each is counted in `rejectedValues` and deleted.
@Suite("RedisStore rejects damaged values", .enabled(if: RedisAvailability.enabled, Comment(rawValue: RedisAvailability.reason)))
struct RedisStoreCorruptionTests {
    /// One damage: what it does to the version hash of a published 50-byte entry (8 chunks:
    /// "0" to "6" of 7 bytes, "7" of 1).
    struct Damage: Sendable, CustomTestStringConvertible {
        var name: String
        /// Whether the reader can name the version to delete (not when the pointer is what
        /// is damaged: the version then waits for its TTL).
        var versionDeleted = true
        var apply: @Sendable (_ client: RedisClient, _ version: String, _ store: RedisStore) async throws -> Void
        var testDescription: String { name }
    }

    static let damages: [Damage] = [
        Damage(name: "a chunk overwritten, same length") { client, version, _ in
            try await client.send(["HSET", version, "3", "XXXXXXX"])
        },
        Damage(name: "a chunk one byte longer") { client, version, _ in
            let chunk = try await client.send(["HGET", version, "2"]).bytes!
            try await client.send(["HSET", version, "2", ByteBuffer(bytes: Array(chunk.readableBytesView) + [0])])
        },
        Damage(name: "the last chunk one byte shorter") { client, version, _ in
            try await client.send(["HSET", version, "7", ""])
        },
        Damage(name: "a chunk dropped") { client, version, _ in
            try await client.send(["HDEL", version, "4"])
        },
        Damage(name: "the first chunk dropped") { client, version, _ in
            try await client.send(["HDEL", version, "0"])
        },
        Damage(name: "the last chunk dropped") { client, version, _ in
            try await client.send(["HDEL", version, "7"])
        },
        Damage(name: "a chunk past the last") { client, version, _ in
            try await client.send(["HSET", version, "8", "extra"])
        },
        Damage(name: "the header truncated") { client, version, _ in
            let header = try await client.send(["HGET", version, "h"]).bytes!
            try await client.send(["HSET", version, "h", header.getSlice(at: header.readerIndex, length: header.readableBytes - 5)!])
        },
        Damage(name: "the header with a byte more") { client, version, _ in
            let header = try await client.send(["HGET", version, "h"]).bytes!
            try await client.send(["HSET", version, "h", ByteBuffer(bytes: Array(header.readableBytesView) + [0])])
        },
        Damage(name: "the header's policy flipped in one bit") { client, version, _ in
            var header = Array(try await client.send(["HGET", version, "h"]).bytes!.readableBytesView)
            header[header.count - 20] ^= 0x04
            try await client.send(["HSET", version, "h", header])
        },
        Damage(name: "garbage for a header") { client, version, _ in
            try await client.send(["HSET", version, "h", "garbage that is no header block at all"])
        },
        Damage(name: "no header") { client, version, _ in
            try await client.send(["HDEL", version, "h"])
        },
        Damage(name: "the valid header of another key") { client, version, store in
            let other = StoreFixtures.entry("/other", body: 50)
            try await store.publish(other, lifetime: .seconds(60))
            let header = try await client.send(["HGET", StoreFixtures.versionKey(of: other, in: store), "h"]).bytes!
            try await client.send(["HSET", version, "h", header])
        },
        Damage(name: "the valid header of another Vary key of the same key") { client, version, store in
            let other = StoreFixtures.entry("/damaged", body: 50, vary: ("Accept", "x"))
            try await store.publish(other, lifetime: .seconds(60))
            let header = try await client.send(["HGET", StoreFixtures.versionKey(of: other, in: store), "h"]).bytes!
            try await client.send(["HSET", version, "h", header])
        },
        Damage(name: "the valid header of an older response of the same variant, with its body") { client, version, store in
            // A node's copy of yesterday's entry pasted in whole: valid, but not what the
            // pointer names (another identity).
            let older = StoreFixtures.entry("/damaged", body: 50, etag: "older")
            let scratch = RedisStore(client: client, configuration: RedisStoreConfiguration(namespace: "scratch", chunkSize: 7, bytesPerCommand: 21))
            try await scratch.publish(older, lifetime: .seconds(60))
            let fields = try await client.send(["HGETALL", StoreFixtures.versionKey(of: older, in: scratch)]).array!
            try await client.send(["DEL", version])
            try await client.send(["HSET", version] + fields.map { $0.bytes! })
        },
        Damage(name: "a pointer value that does not parse", versionDeleted: false) { client, _, store in
            let entry = StoreFixtures.entry("/damaged", body: 50)
            try await client.send(["HSET", store.layout.pointer(entry.key), RedisEntryLayout.variantID(entry.policy.varyKey), "no-line-feed"])
        },
    ]

    @Test("never returned, counted, deleted", arguments: damages)
    func rejected(_ damage: Damage) async throws {
        try await StoreFixtures.withStore { store, _ in try await Self.check(damage, store: store) }
    }

    private static func check(_ damage: Damage, store: RedisStore) async throws {
        let client = store.client
        let entry = StoreFixtures.entry("/damaged", body: 50)
        try await store.publish(entry, lifetime: .seconds(60))
        #expect(try await store.variants(for: entry.key).map(\.body) == [entry.body])
        let version = try await StoreFixtures.versionKey(of: entry, in: store)

        try await damage.apply(client, version, store)
        let variants = try await store.variants(for: entry.key)
        #expect(!variants.contains { $0.policy.varyKey == entry.policy.varyKey }, "a damaged value was returned")
        #expect(store.rejectedValues == 1)
        // Unlinked and deleted: the next read finds nothing and rejects nothing more.
        #expect(try await client.send(["EXISTS", version]) == .integer(damage.versionDeleted ? 0 : 1))
        #expect(try await client.send(["HEXISTS", store.layout.pointer(entry.key), RedisEntryLayout.variantID(entry.policy.varyKey)]) == .integer(0))
        _ = try await store.variants(for: entry.key)
        #expect(store.rejectedValues == 1)
        // And the variant can be published again.
        try await store.publish(entry, lifetime: .seconds(60))
        #expect(try await store.variants(for: entry.key).filter { $0.policy.varyKey == entry.policy.varyKey }.map(\.body) == [entry.body])
    }

    @Test("an expired version under a longer-lived pointer is a miss, not a rejection, and is unlinked")
    func expiredVersion() async throws {
        try await StoreFixtures.withStore { store, _ in
            let client = store.client
            let entry = StoreFixtures.entry("/expired", body: 50)
            try await store.publish(entry, lifetime: .seconds(60))
            // As if its TTL ran out: the whole version hash is gone.
            try await client.send(["DEL", try await StoreFixtures.versionKey(of: entry, in: store)])
            #expect(try await store.variants(for: entry.key).isEmpty)
            #expect(store.rejectedValues == 0)
            #expect(try await client.send(["EXISTS", store.layout.pointer(entry.key)]) == .integer(0))
        }
    }
}
