import CachetStorage
import CachetTestSupport
import HTTPCachePolicy
import NIOCore
import Testing

@testable import CachetRedis

/// The cases every deployment must pass, run against a standalone server
/// (`RedisStoreTests`) and a 3-master Cluster (`RedisStoreClusterTests`). Each takes a store
/// with 7-byte chunks, 3 per command (`StoreFixtures.store`).
enum RedisStoreScenarios {
    /// Empty, one-chunk, exactly-chunked and many-chunk bodies come back byte for byte, with
    /// their policy; a key with nothing stored has no variants.
    static func roundTrip(_ store: RedisStore) async throws {
        #expect(try await store.variants(for: StoreFixtures.key("/nothing")).isEmpty)
        // 0, 1, 7 (one full chunk), 21 (one full command), 22, and 1000 bytes (143 chunks,
        // 48 round trips each way).
        for size in [0, 1, 7, 21, 22, 1000] {
            let entry = StoreFixtures.entry("/size/\(size)", body: size)
            try await store.publish(entry, lifetime: .seconds(60))
            let variants = try await store.variants(for: entry.key)
            #expect(variants.count == 1, "size \(size)")
            #expect(variants.first?.body == entry.body, "size \(size)")
            #expect(variants.first?.key == entry.key)
            #expect(try variants.first.map { try StoreFixtures.json($0.policy) } == StoreFixtures.json(entry.policy))
        }
        #expect(store.rejectedValues == 0)
    }

    /// Variants with different Vary keys live side by side; publishing one again replaces
    /// only it, and deletes the version it replaced.
    static func variantsAndReplacement(_ store: RedisStore) async throws {
        let english = StoreFixtures.entry("/page", body: 30, vary: ("Accept-Language", "en"), etag: "en")
        let french = StoreFixtures.entry("/page", body: 40, vary: ("Accept-Language", "fr"), etag: "fr")
        try await store.publish(english, lifetime: .seconds(60))
        try await store.publish(french, lifetime: .seconds(60))
        var bodies = Set(try await store.variants(for: english.key).map(\.body))
        #expect(bodies == [english.body, french.body])

        let replacedVersion = try await StoreFixtures.versionKey(of: english, in: store)
        let english2 = StoreFixtures.entry("/page", body: 35, vary: ("Accept-Language", "en"), etag: "en2")
        try await store.publish(english2, lifetime: .seconds(60))
        bodies = Set(try await store.variants(for: english.key).map(\.body))
        #expect(bodies == [english2.body, french.body])
        #expect(try await store.client.send(["EXISTS", replacedVersion]) == .integer(0))
        #expect(try await store.client.send(["HLEN", store.layout.pointer(english.key)]) == .integer(2))
        #expect(store.rejectedValues == 0)
    }

    /// The version lives for its lifetime; the pointer for its longest-lived variant; a zero
    /// lifetime stores nothing.
    static func lifetimes(_ store: RedisStore) async throws {
        let long = StoreFixtures.entry("/ttl", vary: ("Accept", "a"), etag: "long", tags: "ttl-tag")
        let short = StoreFixtures.entry("/ttl", vary: ("Accept", "b"), etag: "short")
        try await store.publish(long, lifetime: .seconds(600))
        try await store.publish(short, lifetime: .seconds(5))
        let pointer = store.layout.pointer(long.key)
        #expect((590_000...600_000).contains(try await store.client.pttl(pointer)), "the pointer keeps its longest variant's TTL")
        #expect((590_000...600_000).contains(try await store.client.pttl(StoreFixtures.versionKey(of: long, in: store))))
        #expect((1...5_000).contains(try await store.client.pttl(StoreFixtures.versionKey(of: short, in: store))))
        #expect((590_000...600_000).contains(try await store.client.pttl(store.layout.tagSet("ttl-tag"))))
        // A later, shorter publication of the tagged variant does not shorten the tag set.
        try await store.publish(StoreFixtures.entry("/ttl", vary: ("Accept", "a"), etag: "long2", tags: "ttl-tag"), lifetime: .seconds(2))
        #expect((590_000...600_000).contains(try await store.client.pttl(store.layout.tagSet("ttl-tag"))))
        #expect((590_000...600_000).contains(try await store.client.pttl(pointer)))

        let none = StoreFixtures.entry("/ttl-zero")
        try await store.publish(none, lifetime: .zero)
        try await store.publish(none, lifetime: .seconds(-3))
        #expect(try await store.variants(for: none.key).isEmpty)
        #expect(try await store.client.send(["EXISTS", store.layout.pointer(none.key)]) == .integer(0))
        // A sliver of a millisecond still stores with a TTL of 1 ms, which may be gone already.
        #expect(RedisStore.milliseconds(.microseconds(10)) == 1)
        #expect(RedisStore.milliseconds(.milliseconds(1500)) == 1500)
    }

    /// Freshening replaces the policy and keeps the body, extends the TTL, and refuses once
    /// the variant stored is no longer the one given.
    static func freshen(_ store: RedisStore) async throws {
        let old = StoreFixtures.entry("/fresh", body: 30, etag: "v1", maxAge: 60)
        try await store.publish(old, lifetime: .seconds(60))
        let bodyVersion = try await StoreFixtures.versionKey(of: old, in: store)
        // What a 304 makes of it: a new response time and a longer max-age, the same validator.
        let updated = StoreFixtures.entry("/fresh", body: 30, etag: "v1", tags: "after-304", maxAge: 600, responseTime: StoreFixtures.now.adding(seconds: 10))
        #expect(try await store.freshen(old, to: updated, lifetime: .seconds(600)))
        let variants = try await store.variants(for: old.key)
        #expect(variants.count == 1)
        #expect(variants.first?.body == old.body)
        #expect(try variants.first.map { try StoreFixtures.json($0.policy) } == StoreFixtures.json(updated.policy))
        #expect(variants.first?.surrogateKeys == ["after-304"])
        // Same version hash (the body did not move), longer TTL, and indexed by its new tag.
        #expect(try await StoreFixtures.versionKey(of: old, in: store) == bodyVersion)
        #expect((590_000...600_000).contains(try await store.client.pttl(bodyVersion)))
        #expect(try await store.keys(taggedWith: ["after-304"]) == [old.key])
        // `old` is no longer what is stored: its response time differs now.
        #expect(try await store.freshen(old, to: updated, lifetime: .seconds(600)) == false)

        // After a replacement, freshening the replaced response changes nothing.
        let replacement = StoreFixtures.entry("/fresh", body: 20, etag: "v2")
        try await store.publish(replacement, lifetime: .seconds(60))
        #expect(try await store.freshen(updated, to: updated, lifetime: .seconds(600)) == false)
        #expect(try await store.variants(for: old.key).map(\.body) == [replacement.body])
        // Nor after a removal.
        #expect(try await store.remove(old.key, taggedWithAnyOf: nil) == 1)
        #expect(try await store.freshen(replacement, to: replacement, lifetime: .seconds(60)) == false)
        #expect(try await store.variants(for: old.key).isEmpty)
        #expect(store.rejectedValues == 0)
    }

    /// Removal of all variants, or of those with a tag, counts what went; the tag index
    /// names the primary keys of tagged entries.
    static func removeAndTags(_ store: RedisStore) async throws {
        let a = StoreFixtures.entry("/r", vary: ("Accept", "a"), etag: "a", tags: "red blue")
        let b = StoreFixtures.entry("/r", vary: ("Accept", "b"), etag: "b", tags: "blue")
        let c = StoreFixtures.entry("/r", vary: ("Accept", "c"), etag: "c")
        let other = StoreFixtures.entry("/other", etag: "o", tags: "red")
        let elsewhere = StoreFixtures.entry("/elsewhere", etag: "x", tags: "green")
        for entry in [a, b, c, other, elsewhere] { try await store.publish(entry, lifetime: .seconds(60)) }

        #expect(try await store.keys(taggedWith: ["red"]) == [other.key, a.key])
        #expect(try await store.keys(taggedWith: ["blue"]) == [a.key])
        #expect(Set(try await store.keys(taggedWith: ["blue", "green"])) == [a.key, elsewhere.key])
        #expect(try await store.keys(taggedWith: ["none"]).isEmpty)
        #expect(try await store.keys(taggedWith: []).isEmpty)

        #expect(try await store.remove(a.key, taggedWithAnyOf: ["red", "nothing"]) == 1)
        #expect(Set(try await store.variants(for: a.key).map(\.body)) == [b.body, c.body])
        #expect(try await store.remove(a.key, taggedWithAnyOf: ["red"]) == 0)
        #expect(try await store.remove(a.key, taggedWithAnyOf: []) == 0)
        #expect(try await store.remove(a.key, taggedWithAnyOf: ["blue"]) == 1)
        #expect(try await store.variants(for: a.key).map(\.body) == [c.body])
        #expect(try await store.remove(a.key, taggedWithAnyOf: nil) == 1)
        #expect(try await store.variants(for: a.key).isEmpty)
        #expect(try await store.remove(a.key, taggedWithAnyOf: nil) == 0)
        // Nothing of the key is left in Redis, and the other keys are untouched.
        #expect(try await store.client.send(["EXISTS", store.layout.pointer(a.key)]) == .integer(0))
        #expect(try await store.variants(for: other.key).map(\.body) == [other.body])
        #expect(try await store.variants(for: elsewhere.key).map(\.body) == [elsewhere.body])
    }

    /// A claim is exclusive until released; the release tells every node; a stored key
    /// answers `.stored`; a release with another token does nothing.
    static func fills(_ store: RedisStore, other: RedisStore, recorder: EventRecorder) async throws {
        let key = StoreFixtures.key("/fill")
        guard case .claimed(let token) = try await store.claimFill(of: key, lease: .seconds(60)) else {
            Issue.record("the first claim is not granted")
            return
        }
        #expect(try await other.claimFill(of: key, lease: .seconds(60)) == .busy)
        #expect((1...60_000).contains(try await store.client.pttl(store.layout.fillLock(key))))

        // A wrong token neither releases nor tells anyone: the marker broadcast after it is
        // heard with no `.filled` before it.
        try await other.releaseFill(of: key, claim: FillClaim.Token("not-the-token"))
        try await other.broadcast(ByteBuffer(string: "marker"))
        let marker = try await recorder.wait(for: "the marker") { $0 == .broadcast(ByteBuffer(string: "marker")) }
        #expect(!recorder.events[..<marker].contains(.filled(key)))
        #expect(try await other.claimFill(of: key, lease: .seconds(60)) == .busy)

        try await store.releaseFill(of: key, claim: token)
        try await recorder.wait(for: "the fill's end") { $0 == .filled(key) }
        guard case .claimed(let second) = try await other.claimFill(of: key, lease: .seconds(60)) else {
            Issue.record("the claim after the release is not granted")
            return
        }
        try await other.releaseFill(of: key, claim: second)

        try await store.publish(StoreFixtures.entry("/fill"), lifetime: .seconds(60))
        #expect(try await other.claimFill(of: key, lease: .seconds(60)) == .stored)
        // A pointer whose versions are all gone is not "stored".
        try await store.client.delete([try await StoreFixtures.versionKey(of: StoreFixtures.entry("/fill"), in: store)])
        #expect(try await other.claimFill(of: key, lease: .seconds(60)) != .stored)

        // A lease runs out by itself.
        let brief = StoreFixtures.key("/fill-brief")
        #expect(try await store.claimFill(of: brief, lease: .milliseconds(1)) != .busy)
        try await waitUntil(within: 10, "the 1 ms lease runs out") {
            if case .claimed = try await other.claimFill(of: brief, lease: .seconds(60)) { return true }
            return false
        }
    }
}
