import CachetStorage
import CachetTestSupport
import HTTPCachePolicy
import HTTPTypes
import NIOCore
import Testing

@testable import CachetStorage

/// Surrogate keys in both stores: the memory index follows inserts, replacements and
/// evictions; entries with keys are written as format version 2 and their keys are read
/// back at start-up.
@Suite("Surrogate keys in the stores")
struct SurrogateKeyStorageTests {
    static func tagged(_ path: String, _ keys: String, body: Int = 100, vary: (String, String)? = nil) -> StoredResponse {
        DiskFixtures.entry(path, body: body, vary: vary, extraFields: [SurrogateKeys.surrogateKey: keys])
    }

    @Test("the memory index: insert, replace, remove by key, and eviction leave no stale key behind")
    func memoryIndex() {
        let store = MemoryStore(limit: 64 << 10, shards: 1)
        store.insert(Self.tagged("/a", "x y", vary: ("Accept", "1")))
        store.insert(Self.tagged("/a", "x", vary: ("Accept", "2")))
        store.insert(Self.tagged("/b", "y"))
        #expect(Set(store.keys(taggedWith: "x").map(\.uri)) == ["http://example.com/a"])
        #expect(Set(store.keys(taggedWith: "y").map(\.uri)) == ["http://example.com/a", "http://example.com/b"])

        // Removing the variants tagged y leaves /a's other variant, still tagged x.
        #expect(store.remove(Self.tagged("/a", "").key, taggedWithAnyOf: ["y"]) == 1)
        #expect(store.variants(for: Self.tagged("/a", "").key).count == 1)
        #expect(store.keys(taggedWith: "y").map(\.uri) == ["http://example.com/b"])
        #expect(store.keys(taggedWith: "x").count == 1)

        // A replacement without keys drops them.
        store.insert(DiskFixtures.entry("/b", body: 100))
        #expect(store.keys(taggedWith: "y").isEmpty)

        // Evictions take their keys along: the index names exactly the keys still stored.
        for index in 0..<200 { store.insert(Self.tagged("/many\(index)", "bulk", body: 2000)) }
        #expect(store.statistics.evictions > 0)
        let stillStored = (0..<200).filter { !store.variants(for: Self.tagged("/many\($0)", "").key).isEmpty }
        #expect(!stillStored.isEmpty && stillStored.count < 200)
        #expect(Set(store.keys(taggedWith: "bulk").map(\.uri)) == Set(stillStored.map { "http://example.com/many\($0)" }))
    }

    @Test("an entry with keys is version 2, decodes to the same keys, and its index entry carries them")
    func format() throws {
        let response = Self.tagged("/f", "alpha beta")
        #expect(response.surrogateKeys == ["alpha", "beta"])
        let bytes = Array(try DiskEntryFormat.encode(response).readableBytesView)
        #expect(bytes[4] == 2)
        let (header, key, keys) = try bytes.withUnsafeBytes { try DiskEntryFormat.decodeIndexEntry($0) }
        #expect(header.version == 2)
        #expect(header.totalLength == bytes.count)
        #expect(key == response.key)
        #expect(keys == ["alpha", "beta"])
        let decoded = try DiskEntryFormat.decode(ByteBuffer(bytes: bytes))
        #expect(decoded.surrogateKeys == ["alpha", "beta"])
        #expect(decoded.key == response.key)
        // Without keys: version 1, as before.
        let plain = Array(try DiskEntryFormat.encode(DiskFixtures.entry("/f", body: 10)).readableBytesView)
        #expect(plain[4] == 1)
    }

    @Test("keys in the key section that differ from the response's own are rejected")
    func mismatchedKeys() throws {
        let response = Self.tagged("/m", "one")
        var bytes = Array(try DiskEntryFormat.encode(response).readableBytesView)
        // "one\n" → "onf\n", both checksums recomputed so only the mismatch remains.
        let header = try bytes.withUnsafeBytes { try DiskEntryFormat.decodeHeader($0) }
        let end = DiskEntryFormat.headerSize + header.keyLength
        #expect(bytes[end - 2] == UInt8(ascii: "e"))
        bytes[end - 2] = UInt8(ascii: "f")
        DiskEntryFormatTests.reseal(&bytes)
        #expect(throws: DiskEntryError.malformedKey) { try DiskEntryFormat.decode(ByteBuffer(bytes: bytes)) }
    }

    @Test("a new disk store finds the keys of the entries on disk; removal by key takes only the tagged variants")
    func diskIndex() async throws {
        try await withTemporaryFolder { folder in
            let first = try await DiskStoreTests.open(folder)
            #expect(await first.insert(Self.tagged("/d", "red", vary: ("Accept", "1"))))
            #expect(await first.insert(Self.tagged("/d", "blue", vary: ("Accept", "2"))))
            #expect(await first.insert(Self.tagged("/e", "red")))
            let reopened = try await DiskStoreTests.open(folder)
            #expect(Set(reopened.keys(taggedWith: "red").map(\.uri)) == ["http://example.com/d", "http://example.com/e"])
            let key = Self.tagged("/d", "").key
            #expect(await reopened.remove(key, taggedWithAnyOf: ["red"]) == 1)
            #expect(await reopened.variants(for: key).map(\.surrogateKeys) == [["blue"]])
            #expect(reopened.keys(taggedWith: "red").map(\.uri) == ["http://example.com/e"])
        }
    }
}
