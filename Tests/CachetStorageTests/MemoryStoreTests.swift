import CachetStorage
import HTTPCachePolicy
import HTTPPreconditions
import HTTPTypes
import NIOCore
import Testing

@Suite("MemoryStore: LRU bounded by bytes")
struct MemoryStoreTests {
    static let now = HTTPDate(secondsSince1970: 1_795_000_000)

    static func entry(_ path: String, body: Int, vary: (String, String)? = nil, etag: String = "e") -> StoredResponse {
        var request = HTTPRequest(method: .get, scheme: "http", authority: "example.com", path: path)
        var response = HTTPResponse(status: .ok)
        response.headerFields = [.date: now.imfFixdate, .cacheControl: "max-age=60", .eTag: "\"\(etag)\""]
        if let (name, value) = vary {
            response.headerFields[.vary] = name
            request.headerFields[HTTPField.Name(name)!] = value
        }
        let policy = CachePolicy(request: request, response: response, requestTime: now, responseTime: now)
        return StoredResponse(key: CacheKey(request: request)!, policy: policy, body: ByteBuffer(repeating: 0x61, count: body))
    }

    @Test("an entry costs the memory its body occupies, its fields and a fixed allowance")
    func cost() {
        let small = Self.entry("/a", body: 0)
        let large = Self.entry("/a", body: 10_000)
        #expect(large.cost - small.cost == max(large.body.capacity, 10_000) - max(small.body.capacity, 0))
        #expect(large.cost - small.cost >= 10_000)
        #expect(small.cost > 512)
    }

    @Test("variants per key are capped; the oldest goes first")
    func variantCap() {
        let store = MemoryStore(limit: 1 << 20, maximumVariants: 3)
        for agent in ["a", "b", "c", "d"] {
            store.insert(Self.entry("/ua", body: 10, vary: ("User-Agent", agent), etag: agent))
        }
        let kept = store.variants(for: Self.entry("/ua", body: 0).key).map { $0.policy.etag?.opaqueTag }
        #expect(kept == ["d", "c", "b"])
        #expect(store.statistics.entries == 3)
    }

    @Test("a sharded store keeps exact totals and never exceeds its limit")
    func sharded() {
        let store = MemoryStore(limit: 16 << 20, shards: 16)
        var inserted = 0
        for i in 0..<2_000 where store.insert(Self.entry("/s\(i)", body: 20_000)) { inserted += 1 }
        let statistics = store.statistics
        #expect(inserted == 2_000)
        #expect(statistics.bytes <= store.limit)
        #expect(statistics.entries == statistics.keys)
        #expect(statistics.entries + statistics.evictions == 2_000)
        #expect(statistics.entries > 400)
    }

    @Test("the least recently used key is evicted first, and a lookup counts as a use")
    func leastRecentlyUsed() {
        let unit = Self.entry("/x", body: 1000).cost
        let store = MemoryStore(limit: unit * 3)
        #expect(store.insert(Self.entry("/a", body: 1000)))
        #expect(store.insert(Self.entry("/b", body: 1000)))
        #expect(store.insert(Self.entry("/c", body: 1000)))
        _ = store.variants(for: Self.entry("/a", body: 0).key)  // /a is now the most recent
        #expect(store.insert(Self.entry("/d", body: 1000)))
        #expect(store.variants(for: Self.entry("/b", body: 0).key).isEmpty)
        #expect(store.variants(for: Self.entry("/a", body: 0).key).count == 1)
        #expect(store.variants(for: Self.entry("/c", body: 0).key).count == 1)
        #expect(store.variants(for: Self.entry("/d", body: 0).key).count == 1)
        let statistics = store.statistics
        #expect(statistics.entries == 3)
        #expect(statistics.evictions == 1)
        #expect(statistics.bytes <= store.limit)
        #expect(statistics.bytes == unit * 3)
    }

    @Test("an entry larger than the whole store is not stored")
    func tooLarge() {
        let store = MemoryStore(limit: 4096)
        #expect(!store.insert(Self.entry("/big", body: 10_000)))
        #expect(store.statistics.entries == 0)
        #expect(store.statistics.bytes == 0)
    }

    @Test("variants of one key live side by side; the same Vary key replaces (RFC 9111 §4.1)")
    func variants() {
        let store = MemoryStore(limit: 1 << 20)
        store.insert(Self.entry("/v", body: 10, vary: ("Accept-Encoding", "gzip"), etag: "g1"))
        store.insert(Self.entry("/v", body: 10, vary: ("Accept-Encoding", "br"), etag: "b1"))
        store.insert(Self.entry("/v", body: 10, vary: ("Accept-Encoding", "gzip"), etag: "g2"))
        let variants = store.variants(for: Self.entry("/v", body: 0).key)
        #expect(variants.map { $0.policy.etag?.opaqueTag } == ["g2", "b1"])
        #expect(store.statistics.entries == 2)
        #expect(store.remove(Self.entry("/v", body: 0).key) == 2)
        #expect(store.statistics.entries == 0)
        #expect(store.statistics.bytes == 0)
    }

    @Test("replace freshens a stored entry but never resurrects a removed one")
    func replaceAfterPurge() {
        let store = MemoryStore(limit: 1 << 20)
        let old = Self.entry("/r", body: 10, etag: "old")
        store.insert(old)
        #expect(store.replace(old, with: Self.entry("/r", body: 10, etag: "new")))
        #expect(store.variants(for: old.key).first?.policy.etag?.opaqueTag == "new")
        store.remove(old.key)
        #expect(!store.replace(old, with: Self.entry("/r", body: 10, etag: "newer")))
        #expect(store.variants(for: old.key).isEmpty)
    }

    @Test("byte accounting stays exact through inserts, replacements and removals")
    func accounting() {
        let store = MemoryStore(limit: 1 << 20)
        var expected = 0
        for i in 0..<50 {
            let entry = Self.entry("/k\(i % 10)", body: i * 7)
            let previous = store.variants(for: entry.key).first?.cost ?? 0
            store.insert(entry)
            expected += entry.cost - previous
        }
        #expect(store.statistics.bytes == expected)
        #expect(store.statistics.keys == 10)
        for i in 0..<10 { store.remove(Self.entry("/k\(i)", body: 0).key) }
        #expect(store.statistics.bytes == 0)
        #expect(store.statistics.keys == 0)
    }
}
