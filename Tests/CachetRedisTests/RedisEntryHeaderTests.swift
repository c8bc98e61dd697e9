import CachetStorage
import HTTPCachePolicy
import NIOCore
import Testing

@testable import CachetRedis

/// The header block on its own: no Redis needed.
@Suite("Redis entry header block")
struct RedisEntryHeaderTests {
    @Test("encodes and decodes: key, policy, lengths, chunk count, body checksum")
    func roundTrip() throws {
        let entry = StoreFixtures.entry("/h", body: 50, vary: ("Accept", "x"), tags: "a b")
        let header = RedisEntryHeader(entry, chunkSize: 7)
        #expect(header.chunkCount == 8)
        #expect(header.chunkLength(0) == 7)
        #expect(header.chunkLength(7) == 1)
        #expect(header.bodyChecksum == CRC32C.checksum(entry.body.readableBytesView))
        let decoded = try RedisEntryHeader(decoding: header.encoded())
        #expect(decoded.key == entry.key)
        #expect(try StoreFixtures.json(decoded.policy) == StoreFixtures.json(entry.policy))
        #expect(decoded.bodyLength == 50)
        #expect(decoded.chunkSize == 7)
        #expect(decoded.bodyChecksum == header.bodyChecksum)
        #expect(RedisEntryHeader(StoreFixtures.entry("/e", body: 0), chunkSize: 7).chunkCount == 0)
    }

    @Test("any prefix, any single bit flipped, any byte appended: a typed error, never a crash or a header")
    func damagedBlocks() throws {
        let encoded = Array(try RedisEntryHeader(StoreFixtures.entry("/h", body: 50), chunkSize: 7).encoded().readableBytesView)
        for length in 0..<encoded.count {
            #expect(throws: RedisEntryError.self) { try RedisEntryHeader(decoding: ByteBuffer(bytes: encoded.prefix(length))) }
        }
        for index in encoded.indices {
            for bit in 0..<8 {
                var damaged = encoded
                damaged[index] ^= UInt8(1 << bit)
                #expect(throws: RedisEntryError.self) { try RedisEntryHeader(decoding: ByteBuffer(bytes: damaged)) }
            }
        }
        #expect(throws: RedisEntryError.trailingBytes) { try RedisEntryHeader(decoding: ByteBuffer(bytes: encoded + [0])) }
    }

    @Test("random bytes, and random bytes after a valid fixed part, decode to errors")
    func randomBytes() {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<2000 {
            let count = Int.random(in: 0..<200, using: &generator)
            var bytes = (0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) }
            if Bool.random(using: &generator), bytes.count >= 8 {
                bytes.replaceSubrange(0..<8, with: Array("CRDS".utf8) + [1, 0, 0, 0])
            }
            #expect(throws: RedisEntryError.self) { try RedisEntryHeader(decoding: ByteBuffer(bytes: bytes)) }
        }
    }

    @Test("a checksum-valid block whose chunk count disagrees with its lengths is rejected")
    func inconsistentChunkCount() throws {
        var bytes = Array(try RedisEntryHeader(StoreFixtures.entry("/h", body: 50), chunkSize: 7).encoded().readableBytesView)
        bytes[28] = 9
        let body = bytes.count - 4
        let checksum = CRC32C.checksum(bytes[0..<body])
        for index in 0..<4 { bytes[body + index] = UInt8(truncatingIfNeeded: checksum >> (8 * index)) }
        #expect(throws: RedisEntryError.lengthOutOfRange) { try RedisEntryHeader(decoding: ByteBuffer(bytes: bytes)) }
    }

    @Test("pointer values: encoded and parsed; malformed ones are nil")
    func pointerValues() {
        let entry = StoreFixtures.entry("/p", tags: "one two")
        let value = RedisPointerValue(version: "00ab", policy: entry.policy, tags: entry.surrogateKeys)
        #expect(RedisPointerValue(parsing: value.encoded) == value)
        #expect(value.tags == ["one", "two"])
        #expect(RedisPointerValue(parsing: "") == nil)
        #expect(RedisPointerValue(parsing: "v") == nil)
        #expect(RedisPointerValue(parsing: "v\nshort") == nil)
        #expect(RedisPointerValue(parsing: "v\n0123456789abcdef\n\nx") == nil)
        #expect(RedisEntryLayout.key(fromText: "GET http://a/b c") == CacheKey(method: .get, normalizedURI: "http://a/b c"))
        #expect(RedisEntryLayout.key(fromText: "GET") == nil)
        #expect(RedisEntryLayout.key(fromText: " http://a/") == nil)
    }

    @Test("key names: one hash tag per primary key, stable across processes")
    func layout() {
        let layout = RedisEntryLayout(namespace: "cachet")
        let key = CacheKey(method: .get, normalizedURI: "http://example.com/")
        // Fixed values: a change of hash would orphan every entry of a running cache.
        #expect(layout.pointer(key) == "cachet:{69e850c4744fceced06a52db37a18ff3}:p")
        #expect(RedisEntryLayout.variantID(VaryKey(request: [:], response: [:])) == "25fc6dd36ce04b208a186c74bd69805a")
        #expect(layout.hashTag(key) != layout.hashTag(key.with(method: .head)))
        let slot = HashSlot.slot(forKey: layout.pointer(key))
        #expect(HashSlot.slot(forKey: layout.version(key, id: RedisEntryLayout.newVersionID())) == slot)
        #expect(HashSlot.slot(forKey: layout.fillLock(key)) == slot)
        #expect(RedisEntryLayout.newVersionID().utf8.count == 16)
        #expect(RedisEntryLayout.newVersionID() != RedisEntryLayout.newVersionID())
    }
}
