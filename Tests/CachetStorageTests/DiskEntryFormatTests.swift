import CachetStorage
import CachetTestSupport
import Foundation
import HTTPCachePolicy
import HTTPPreconditions
import HTTPTypes
import NIOCore
import Testing

@Suite("CRC-32C")
struct ChecksumTests {
    @Test("known answers (RFC 3720 §B.4 and the check value)")
    func knownAnswers() {
        #expect(CRC32C.checksum(Array("123456789".utf8)) == 0xE306_9283)
        #expect(CRC32C.checksum([UInt8](repeating: 0, count: 32)) == 0x8A91_36AA)
        #expect(CRC32C.checksum([UInt8](repeating: 0xFF, count: 32)) == 0x62A8_AB43)
        #expect(CRC32C.checksum(Array(0...31)) == 0x46DD_794E)
        #expect(CRC32C.checksum([UInt8]()) == 0)
    }

    @Test("fed in pieces of any size, the checksum is the same")
    func incremental() {
        let bytes = (0..<1000).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ $0 >> 3) }
        let whole = CRC32C.checksum(bytes)
        for split in [1, 3, 7, 8, 9, 63, 500, 999] {
            var crc = CRC32C()
            var start = 0
            while start < bytes.count {
                let end = min(start + split, bytes.count)
                crc.update(bytes[start..<end])
                start = end
            }
            #expect(crc.value == whole, "pieces of \(split)")
        }
    }
}

@Suite("Disk entry format")
struct DiskEntryFormatTests {
    /// A response whose policy uses most of what a policy holds: Vary on two fields, a
    /// targeted field, a weak validator, Last-Modified, an Age, private field names.
    static func richResponse() -> StoredResponse {
        let now = DiskFixtures.now
        var request = HTTPRequest(method: .get, scheme: "https", authority: "Example.COM:443", path: "/a/b?q=1&r=%2F")
        request.headerFields[.acceptEncoding] = "GZIP, br"
        request.headerFields[.acceptLanguage] = "fr-CH,  en;q=0.5"
        var response = HTTPResponse(status: .init(code: 299, reasonPhrase: "Odd"))
        response.headerFields = [
            .date: now.adding(seconds: -5).imfFixdate,
            .cacheControl: #"max-age=60, s-maxage=120, stale-while-revalidate=30, private="Set-Cookie""#,
            HTTPField.Name("CDN-Cache-Control")!: "max-age=300",
            .eTag: #"W/"v1-é""#,
            .lastModified: now.adding(seconds: -3600).imfFixdate,
            .age: "7",
            .vary: "Accept-Encoding, Accept-Language",
            .contentType: "text/plain; charset=utf-8",
            .setCookie: "a=b",
        ]
        let policy = CachePolicy(request: request, response: response, requestTime: now.adding(seconds: -1), responseTime: now)
        return StoredResponse(key: CacheKey(request: request)!, policy: policy, body: patternBytes(5000, seed: "rich"))
    }

    @Test("an entry decodes to the same key, policy and body, byte for byte")
    func roundTrip() throws {
        let original = Self.richResponse()
        let bytes = try DiskEntryFormat.encode(original)
        let decoded = try DiskEntryFormat.decode(bytes)
        #expect(decoded.key == original.key)
        #expect(decoded.body == original.body)
        let (a, b) = (original.policy, decoded.policy)
        #expect(try DiskFixtures.json(a) == DiskFixtures.json(b))
        #expect(a.varyKey == b.varyKey)
        #expect(a.varyKey.entries.count == 2)
        #expect(a.response == b.response)
        #expect(a.requestMethod == b.requestMethod)
        #expect(a.options == b.options)
        #expect(a.directives == b.directives)
        #expect(a.directivesSource == b.directivesSource)
        #expect(a.storability == b.storability)
        #expect(a.freshness == b.freshness)
        #expect(a.ageCalculation == b.ageCalculation)
        #expect(a.etag == b.etag)
        #expect(a.lastModified == b.lastModified)
        #expect(decoded.isSameResponse(as: original))
        for offset: Int64 in [-10, 0, 100, 299, 300, 301, 100_000] {
            let now = DiskFixtures.now.adding(seconds: offset)
            #expect(a.age(now: now) == b.age(now: now))
            #expect(a.isFresh(now: now) == b.isFresh(now: now))
            #expect(a.timeToLive(now: now) == b.timeToLive(now: now))
        }
        var request = HTTPRequest(method: .get, scheme: "https", authority: "example.com", path: "/a/b?q=1&r=%2F")
        request.headerFields[.acceptEncoding] = "gzip,br"
        request.headerFields[.acceptLanguage] = "fr-CH, en;q=0.5"
        #expect(b.varyKey.matches(request.headerFields))
        #expect(a.evaluate(request: request, now: DiskFixtures.now) == b.evaluate(request: request, now: DiskFixtures.now))
    }

    @Test("an empty body, a HEAD key and an unusual method round-trip")
    func edgeValues() throws {
        let empty = DiskFixtures.entry("/", body: 0)
        #expect(try DiskEntryFormat.decode(DiskEntryFormat.encode(empty)).body.readableBytes == 0)
        var key = CacheKey(method: .head, normalizedURI: "http://example.com/ü?x")
        key.method = "PROPFIND"
        let odd = StoredResponse(key: key, policy: empty.policy, body: empty.body)
        #expect(try DiskEntryFormat.decode(DiskEntryFormat.encode(odd)).key == key)
    }

    @Test("the layout: magic, version, lengths, header checksum, trailing checksum")
    func layout() throws {
        let response = DiskFixtures.entry("/layout", body: 100)
        let bytes = Array(try DiskEntryFormat.encode(response).readableBytesView)
        #expect(Array(bytes[0..<4]) == Array("CDSK".utf8))
        let header = try bytes.withUnsafeBytes { try DiskEntryFormat.decodeHeader($0) }
        #expect(header.bodyLength == 100)
        #expect(header.keyLength == 2 + 3 + "http://example.com/layout".utf8.count)
        #expect(header.totalLength == bytes.count)
        #expect(header.identity == DiskEntryFormat.identity(of: response.policy))
        let trailer = bytes.suffix(4).reversed().reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
        #expect(trailer == CRC32C.checksum(bytes.dropLast(4)))
        let (_, key) = try bytes.withUnsafeBytes { try DiskEntryFormat.decodeMetadata($0) }
        #expect(key == response.key)
    }

    @Test("every truncation of an entry is rejected")
    func truncations() throws {
        let bytes = Array(try DiskEntryFormat.encode(DiskFixtures.entry("/t", body: 300)).readableBytesView)
        for length in 0..<bytes.count {
            #expect(throws: DiskEntryError.self) { try DiskEntryFormat.decode(ByteBuffer(bytes: bytes[..<length])) }
        }
        #expect(throws: DiskEntryError.trailingBytes) { try DiskEntryFormat.decode(ByteBuffer(bytes: bytes + [0])) }
    }

    @Test("every single-bit flip anywhere in an entry is rejected")
    func bitFlips() throws {
        let bytes = Array(try DiskEntryFormat.encode(DiskFixtures.entry("/f", body: 200)).readableBytesView)
        for index in bytes.indices {
            for bit in 0..<8 {
                var damaged = bytes
                damaged[index] ^= 1 << bit
                #expect(throws: DiskEntryError.self) { try DiskEntryFormat.decode(ByteBuffer(bytes: damaged)) }
            }
        }
    }

    @Test("wrong magic, unknown version, flags and absurd lengths are typed errors, allocating nothing")
    func hostileHeaders() throws {
        let bytes = Array(try DiskEntryFormat.encode(DiskFixtures.entry("/h", body: 10)).readableBytesView)
        func decode(_ change: (inout [UInt8]) -> Void) -> DiskEntryError? {
            var damaged = bytes
            change(&damaged)
            do {
                _ = try DiskEntryFormat.decode(ByteBuffer(bytes: damaged))
                return nil
            } catch {
                return error
            }
        }
        #expect(decode { $0[0] = UInt8(ascii: "X") } == .badMagic)
        #expect(decode { $0[4] = 3 } == .unsupportedVersion(3))
        #expect(decode { $0[6] = 1 } == .unsupportedFlags(1))
        #expect(decode { for i in 16..<24 { $0[i] = 0xFF } } == .lengthOutOfRange)
        #expect(decode { for i in 8..<12 { $0[i] = 0xFF } } == .lengthOutOfRange)
        #expect(decode { for i in 12..<16 { $0[i] = 0x7F } } == .lengthOutOfRange)
        // In range but larger than the bytes present: the lengths are covered by the header
        // checksum; with it forged, by the length check.
        #expect(decode { $0[21] = 0x01 } == .headerChecksumMismatch)
        #expect(decode { bytes in
            bytes[21] = 0x01
            let crc = CRC32C.checksum(bytes[0..<32] + bytes[36..<(36 + 2 + 3 + "http://example.com/h".utf8.count)])
            for i in 0..<4 { bytes[32 + i] = UInt8(truncatingIfNeeded: crc >> (8 * UInt32(i))) }
        } == .truncated)
        // A key length in range but wrong: the header checksum catches it.
        #expect(decode { $0[8] = 0xF0 } == .headerChecksumMismatch)
    }

    @Test("random bytes, and random bytes behind a valid magic, never decode and never crash")
    func randomBytes() {
        var generator = SystemRandomNumberGenerator()
        for round in 0..<2000 {
            let count = Int.random(in: 0...200, using: &generator)
            var bytes = (0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) }
            if round % 2 == 0, bytes.count >= 8 {
                bytes.replaceSubrange(0..<6, with: Array("CDSK".utf8) + [1, 0])
                bytes[6] = 0
                bytes[7] = 0
            }
            #expect(throws: DiskEntryError.self) { try DiskEntryFormat.decode(ByteBuffer(bytes: bytes)) }
        }
    }

    /// Recomputes both checksums, as a fuzzer that knows the format would.
    static func reseal(_ bytes: inout [UInt8]) {
        guard bytes.count >= DiskEntryFormat.headerSize + 4 else { return }
        let keyLength = bytes[8..<12].reversed().reduce(0) { $0 << 8 | Int($1) }
        guard 36 + keyLength <= bytes.count - 4 else { return }
        let header = CRC32C.checksum(bytes[0..<32] + bytes[36..<(36 + keyLength)])
        for i in 0..<4 { bytes[32 + i] = UInt8(truncatingIfNeeded: header >> (8 * UInt32(i))) }
        let whole = CRC32C.checksum(bytes[0..<(bytes.count - 4)])
        for i in 0..<4 { bytes[bytes.count - 4 + i] = UInt8(truncatingIfNeeded: whole >> (8 * UInt32(i))) }
    }

    @Test("with checksums forged to match, damaged keys and policies are typed errors, never crashes")
    func forgedChecksums() throws {
        let original = Self.richResponse()
        let bytes = Array(try DiskEntryFormat.encode(original).readableBytesView)
        let header = try bytes.withUnsafeBytes { try DiskEntryFormat.decodeHeader($0) }
        let metadata = 36..<(36 + header.keyLength + header.policyLength)
        var generator = SystemRandomNumberGenerator()
        var accepted = 0
        for round in 0..<3000 {
            var damaged = bytes
            for _ in 0...(round % 4) {
                let index = Int.random(in: metadata, using: &generator)
                damaged[index] = round % 3 == 0 ? UInt8.random(in: 0...255, using: &generator) : damaged[index] ^ (1 << UInt8(round % 8))
            }
            Self.reseal(&damaged)
            do {
                let decoded = try DiskEntryFormat.decode(ByteBuffer(bytes: damaged))
                accepted += 1  // a change JSON tolerates (a digit, a letter in a string)
                #expect(decoded.body == original.body)
            } catch {
                #expect([.malformedKey, .malformedPolicy].contains(error), "\(error)")
            }
        }
        // Valid method bytes of an invalid UTF-8 sequence, and a method length past the key.
        var badKey = bytes
        badKey[38] = 0xFF
        Self.reseal(&badKey)
        #expect(throws: DiskEntryError.malformedKey) { try DiskEntryFormat.decode(ByteBuffer(bytes: badKey)) }
        var longMethod = bytes
        longMethod[36] = 0xFF
        longMethod[37] = 0xFF
        Self.reseal(&longMethod)
        #expect(throws: DiskEntryError.malformedKey) { try DiskEntryFormat.decode(ByteBuffer(bytes: longMethod)) }
        _ = accepted
    }

    @Test("file names depend on the key and the Vary key, and on nothing else")
    func fileNames() {
        let a = DiskFixtures.entry("/n", body: 1, vary: ("Accept-Language", "fr"), etag: "1")
        let b = DiskFixtures.entry("/n", body: 9, vary: ("Accept-Language", "fr"), etag: "2")
        let c = DiskFixtures.entry("/n", body: 1, vary: ("Accept-Language", "de"), etag: "1")
        let d = DiskFixtures.entry("/m", body: 1, vary: ("Accept-Language", "fr"), etag: "1")
        let name = { (r: StoredResponse) in DiskEntryFormat.fileName(key: r.key, varyKey: r.policy.varyKey) }
        #expect(name(a) == name(b))
        #expect(Set([name(a), name(c), name(d)]).count == 3)
        #expect(name(a).count == 32 + ".entry".count)
        #expect(DiskEntryFormat.identity(of: a.policy) != DiskEntryFormat.identity(of: b.policy))
    }
}
