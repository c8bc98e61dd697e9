@testable import CachetStorage
import HTTPCachePolicy
import Testing

@Suite("DiskIndex: the disk store's LRU by bytes")
struct DiskIndexTests {
    static func key(_ path: String) -> CacheKey { CacheKey(method: .get, normalizedURI: "http://example.com" + path) }

    static func entry(_ name: String, _ path: String, size: Int = 100, identity: UInt64 = 0) -> DiskIndex.Entry {
        DiskIndex.Entry(name: name, key: key(path), size: size, identity: identity)
    }

    /// Inserts and returns the names of the entries evicted.
    static func insert(_ entry: DiskIndex.Entry, into index: inout DiskIndex) -> [String] {
        index.insert(entry).map(\.name)
    }

    @Test("eviction takes the least recently used first, never the entry being inserted")
    func eviction() {
        var index = DiskIndex(limit: 300, maximumVariants: 8)
        for name in ["a", "b", "c"] {
            #expect(Self.insert(Self.entry(name, "/" + name), into: &index).isEmpty)
        }
        let used = index.use(Self.key("/a"))
        #expect(used == ["a"])
        #expect(Self.insert(Self.entry("d", "/d"), into: &index) == ["b"])
        #expect(Self.insert(Self.entry("e", "/e", size: 250), into: &index) == ["c", "a", "d"])
        // Larger than the limit on its own: everything else goes, it stays (the store never
        // writes such an entry).
        #expect(Self.insert(Self.entry("f", "/f", size: 400), into: &index) == ["e"])
        #expect(index.entries == 1 && index.bytes == 400 && index.evictions == 5)
    }

    @Test("a key keeps at most maximumVariants variants, the oldest going first")
    func variantCap() {
        var index = DiskIndex(limit: 10_000, maximumVariants: 2)
        _ = index.insert(Self.entry("v1", "/v"))
        _ = index.insert(Self.entry("v2", "/v"))
        #expect(Self.insert(Self.entry("v3", "/v"), into: &index) == ["v1"])
        #expect(index.names(for: Self.key("/v")) == ["v3", "v2"])
    }

    @Test("replacing a name updates its size and, after a hash collision, its key")
    func replacement() {
        var index = DiskIndex(limit: 10_000, maximumVariants: 8)
        _ = index.insert(Self.entry("x", "/one", size: 100, identity: 1))
        _ = index.insert(Self.entry("x", "/one", size: 40, identity: 2))
        #expect(index.bytes == 40 && index.entries == 1)
        #expect(index.entry(named: "x")?.identity == 2)
        _ = index.insert(Self.entry("x", "/two", size: 10))
        #expect(index.names(for: Self.key("/one")).isEmpty)
        #expect(index.names(for: Self.key("/two")) == ["x"])
        #expect(index.keys == 1 && index.bytes == 10)
        let removed = index.remove(named: "x")
        #expect(removed?.key == Self.key("/two"))
        #expect(index.entries == 0 && index.bytes == 0 && index.keys == 0)
    }

    @Test("start-up appends entries newest first and refuses what does not fit")
    func startup() {
        var index = DiskIndex(limit: 250, maximumVariants: 8)
        let fits = [index.appendOldest(Self.entry("new", "/n")), index.appendOldest(Self.entry("old", "/o"))]
        let overflows = index.appendOldest(Self.entry("oldest", "/x"))
        #expect(fits == [true, true])
        #expect(!overflows)
        #expect(Self.insert(Self.entry("next", "/next"), into: &index) == ["old"])
    }
}
