import Foundation
import HTTPCachePolicy
import NIOCore

/// Why bytes are not a valid disk entry.
public enum DiskEntryError: Error, Sendable, Hashable {
    /// Fewer bytes than the fixed header, or than the lengths it declares.
    case truncated
    /// More bytes than the lengths the header declares.
    case trailingBytes
    /// The file does not start with the entry magic.
    case badMagic
    /// A format version this code does not read.
    case unsupportedVersion(UInt16)
    /// Reserved flags are set.
    case unsupportedFlags(UInt16)
    /// A length field is beyond what the format allows.
    case lengthOutOfRange
    /// The checksum of the fixed header and key does not match.
    case headerChecksumMismatch
    /// The checksum of the whole entry does not match.
    case checksumMismatch
    /// The key bytes are not a key.
    case malformedKey
    /// The policy bytes do not decode to a policy.
    case malformedPolicy
}

/// The on-disk form of one stored response.
///
/// All integers are little-endian:
///
/// ```
/// offset  size  field
///      0     4  magic "CDSK"
///      4     2  version (1, or 2 for an entry with surrogate keys)
///      6     2  flags (0; any other value is rejected)
///      8     4  key length K (≤ 1 MiB)
///     12     4  policy length P (≤ 16 MiB)
///     16     8  body length B (≤ 2^46)
///     24     8  identity: a hash of the response's validators and response time
///     32     4  CRC-32C of bytes 0..<32 and the key
///     36     K  key: method length (2 bytes), method, URI (UTF-8); in version 2:
///               method length (2), method, URI length (4), URI, surrogate keys (each
///               followed by a line feed, which no field value holds)
///   36+K     P  policy: `CachePolicy` as JSON
/// 36+K+P     B  body
///    end     4  CRC-32C of every byte before it
/// ```
///
/// Entries without surrogate keys are written as version 1, byte for byte as before keys
/// existed. The fixed header and the key are enough to rebuild the index at start-up without reading
/// policies or bodies; their own checksum catches a damaged header there. The final
/// checksum is verified on every read. The decoder accepts any bytes: lengths are checked
/// against the bytes present before anything is allocated, and every failure is a
/// ``DiskEntryError``.
public enum DiskEntryFormat {
    public static let magic: [UInt8] = Array("CDSK".utf8)
    public static let version: UInt16 = 1
    /// The version of entries whose key section also holds surrogate keys.
    public static let taggedVersion: UInt16 = 2
    /// Bytes before the key.
    public static let headerSize = 36
    /// Bytes after the body.
    public static let trailerSize = 4
    public static let maximumKeyLength = 1 << 20
    public static let maximumPolicyLength = 16 << 20
    public static let maximumBodyLength = 1 << 46

    /// The fixed header of an entry.
    public struct Header: Sendable, Hashable {
        public var version: UInt16
        public var keyLength: Int
        public var policyLength: Int
        public var bodyLength: Int
        public var identity: UInt64
        public var headerChecksum: UInt32

        /// The size of the whole entry.
        public var totalLength: Int { DiskEntryFormat.headerSize + keyLength + policyLength + bodyLength + DiskEntryFormat.trailerSize }
        /// Where the policy starts.
        var policyOffset: Int { DiskEntryFormat.headerSize + keyLength }
        /// Where the body starts.
        var bodyOffset: Int { policyOffset + policyLength }
    }

    // MARK: - Encoding

    /// An entry in the three pieces written one after the other: everything before the body,
    /// the body (the response's own buffer, not copied), and the final checksum.
    public struct Parts: Sendable {
        public var head: ByteBuffer
        public var trailer: ByteBuffer
        public var totalLength: Int
        public var identity: UInt64
    }

    /// The entry bytes of a stored response.
    public static func encode(_ response: StoredResponse) throws -> ByteBuffer {
        let parts = try encodeParts(response)
        var buffer = parts.head
        buffer.reserveCapacity(parts.totalLength)
        buffer.writeImmutableBuffer(response.body)
        buffer.writeImmutableBuffer(parts.trailer)
        return buffer
    }

    /// The entry of a stored response as ``Parts``.
    public static func encodeParts(_ response: StoredResponse) throws -> Parts {
        let key = keyBytes(response.key, tags: response.surrogateKeys)
        let policy = try policyJSON(response.policy)
        guard key.count <= maximumKeyLength, policy.count <= maximumPolicyLength,
            response.body.readableBytes <= maximumBodyLength
        else { throw DiskEntryError.lengthOutOfRange }
        let identity = identity(of: response.policy)
        var head = ByteBuffer()
        head.reserveCapacity(headerSize + key.count + policy.count)
        head.writeBytes(magic)
        head.writeInteger(response.surrogateKeys.isEmpty ? version : taggedVersion, endianness: .little)
        head.writeInteger(UInt16(0), endianness: .little)
        head.writeInteger(UInt32(key.count), endianness: .little)
        head.writeInteger(UInt32(policy.count), endianness: .little)
        head.writeInteger(UInt64(response.body.readableBytes), endianness: .little)
        head.writeInteger(identity, endianness: .little)
        var headerCRC = CRC32C()
        head.withUnsafeReadableBytes { headerCRC.update($0) }
        headerCRC.update(key)
        head.writeInteger(headerCRC.value, endianness: .little)
        head.writeBytes(key)
        head.writeBytes(policy)
        var crc = CRC32C()
        head.withUnsafeReadableBytes { crc.update($0) }
        response.body.withUnsafeReadableBytes { crc.update($0) }
        var trailer = ByteBuffer()
        trailer.writeInteger(crc.value, endianness: .little)
        let total = head.readableBytes + response.body.readableBytes + trailerSize
        return Parts(head: head, trailer: trailer, totalLength: total, identity: identity)
    }

    /// The key section as the entry stores it: the key, and in version 2 the surrogate keys.
    /// Public for the Redis tier's header block, which stores a key the same way.
    public static func keyBytes(_ key: CacheKey, tags: [String]) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(6 + key.method.utf8.count + key.uri.utf8.count + tags.reduce(0) { $0 + $1.utf8.count + 1 })
        let methodLength = UInt16(clamping: key.method.utf8.count)
        bytes.append(UInt8(truncatingIfNeeded: methodLength))
        bytes.append(UInt8(truncatingIfNeeded: methodLength >> 8))
        bytes.append(contentsOf: key.method.utf8.prefix(Int(methodLength)))
        if tags.isEmpty {
            bytes.append(contentsOf: key.uri.utf8)
            return bytes
        }
        let uriLength = UInt32(key.uri.utf8.count)
        for shift in stride(from: 0, to: 32, by: 8) { bytes.append(UInt8(truncatingIfNeeded: uriLength >> UInt32(shift))) }
        bytes.append(contentsOf: key.uri.utf8)
        for tag in tags {
            bytes.append(contentsOf: tag.utf8)
            bytes.append(0x0A)
        }
        return bytes
    }

    // MARK: - Decoding

    /// The fixed header at the start of `bytes`, its lengths checked against the format's
    /// limits (not against the bytes present, of which only the header is needed).
    public static func decodeHeader(_ bytes: UnsafeRawBufferPointer) throws(DiskEntryError) -> Header {
        guard bytes.count >= headerSize else { throw .truncated }
        guard bytes[0] == magic[0], bytes[1] == magic[1], bytes[2] == magic[2], bytes[3] == magic[3] else { throw .badMagic }
        let version = UInt16(littleEndianBytes: bytes, at: 4)
        guard version == Self.version || version == taggedVersion else { throw .unsupportedVersion(version) }
        let flags = UInt16(littleEndianBytes: bytes, at: 6)
        guard flags == 0 else { throw .unsupportedFlags(flags) }
        let keyLength = UInt32(littleEndianBytes: bytes, at: 8)
        let policyLength = UInt32(littleEndianBytes: bytes, at: 12)
        let bodyLength = UInt64(littleEndianBytes: bytes, at: 16)
        guard keyLength <= maximumKeyLength, policyLength <= maximumPolicyLength, bodyLength <= maximumBodyLength else {
            throw .lengthOutOfRange
        }
        return Header(
            version: version,
            keyLength: Int(keyLength),
            policyLength: Int(policyLength),
            bodyLength: Int(bodyLength),
            identity: UInt64(littleEndianBytes: bytes, at: 24),
            headerChecksum: UInt32(littleEndianBytes: bytes, at: 32)
        )
    }

    /// The header and key at the start of `bytes`, verified by the header checksum: what
    /// the index needs at start-up. `bytes` must hold at least the header and the key.
    public static func decodeMetadata(_ bytes: UnsafeRawBufferPointer) throws(DiskEntryError) -> (Header, CacheKey) {
        let (header, key, _) = try decodeIndexEntry(bytes)
        return (header, key)
    }

    /// The header, key and surrogate keys at the start of `bytes`, verified by the header
    /// checksum: what the index needs at start-up.
    public static func decodeIndexEntry(_ bytes: UnsafeRawBufferPointer) throws(DiskEntryError) -> (Header, CacheKey, [String]) {
        let header = try decodeHeader(bytes)
        guard bytes.count >= headerSize + header.keyLength else { throw .truncated }
        var crc = CRC32C()
        crc.update(UnsafeRawBufferPointer(rebasing: bytes[0..<32]))
        let keyRange = headerSize..<(headerSize + header.keyLength)
        crc.update(UnsafeRawBufferPointer(rebasing: bytes[keyRange]))
        guard crc.value == header.headerChecksum else { throw .headerChecksumMismatch }
        let (key, tags) = try decodeKey(UnsafeRawBufferPointer(rebasing: bytes[keyRange]), version: header.version)
        return (header, key, tags)
    }

    /// A complete entry, every checksum verified. The body shares `buffer`'s storage.
    public static func decode(_ buffer: ByteBuffer) throws(DiskEntryError) -> StoredResponse {
        let result: Result<(Header, CacheKey, CachePolicy), DiskEntryError> = buffer.withUnsafeReadableBytes { bytes in
            do throws(DiskEntryError) {
                let (header, key, tags) = try decodeIndexEntry(bytes)
                guard bytes.count >= header.totalLength else { throw DiskEntryError.truncated }
                guard bytes.count == header.totalLength else { throw DiskEntryError.trailingBytes }
                let checked = header.totalLength - trailerSize
                let stored = UInt32(littleEndianBytes: bytes, at: checked)
                guard CRC32C.checksum(UnsafeRawBufferPointer(rebasing: bytes[0..<checked])) == stored else {
                    throw DiskEntryError.checksumMismatch
                }
                let policyBytes = UnsafeRawBufferPointer(rebasing: bytes[header.policyOffset..<header.bodyOffset])
                let policy = try Self.policy(fromJSON: policyBytes)
                // The surrogate keys the index reads at start-up must be the response's own.
                guard tags == SurrogateKeys.of(policy.response.headerFields) else { throw DiskEntryError.malformedKey }
                return .success((header, key, policy))
            } catch {
                return .failure(error)
            }
        }
        let (header, key, policy) = try result.get()
        let body = buffer.getSlice(at: buffer.readerIndex + header.bodyOffset, length: header.bodyLength) ?? ByteBuffer()
        return StoredResponse(key: key, policy: policy, body: body)
    }

    /// The key (and in version 2 the surrogate keys) of a key section; any bytes are accepted.
    public static func decodeKey(_ bytes: UnsafeRawBufferPointer, version: UInt16) throws(DiskEntryError) -> (CacheKey, [String]) {
        guard bytes.count >= 2 else { throw .malformedKey }
        let methodLength = Int(UInt16(littleEndianBytes: bytes, at: 0))
        guard methodLength > 0, 2 + methodLength <= bytes.count,
            let method = String(validating: UnsafeRawBufferPointer(rebasing: bytes[2..<(2 + methodLength)]), as: UTF8.self)
        else { throw .malformedKey }
        var uriRange = (2 + methodLength)..<bytes.count
        var tags: [String] = []
        if version == taggedVersion {
            let start = 2 + methodLength + 4
            guard start <= bytes.count else { throw .malformedKey }
            let uriLength = Int(UInt32(littleEndianBytes: bytes, at: start - 4))
            guard uriLength <= bytes.count - start else { throw .malformedKey }
            uriRange = start..<(start + uriLength)
            var tagStart = uriRange.upperBound
            for index in tagStart..<bytes.count where bytes[index] == 0x0A {
                guard index > tagStart,
                    let tag = String(validating: UnsafeRawBufferPointer(rebasing: bytes[tagStart..<index]), as: UTF8.self)
                else { throw .malformedKey }
                tags.append(tag)
                tagStart = index + 1
            }
            // Every key ends with a line feed, and a version 2 entry has at least one.
            guard tagStart == bytes.count, !tags.isEmpty else { throw .malformedKey }
        }
        guard let uri = String(validating: UnsafeRawBufferPointer(rebasing: bytes[uriRange]), as: UTF8.self) else {
            throw .malformedKey
        }
        var key = CacheKey(method: .get, normalizedURI: uri)
        key.method = method
        return (key, tags)
    }

    // MARK: - Names and identities

    /// The file name of the entry for a key and Vary key: 32 hex digits of a 128-bit hash,
    /// then `.entry`.
    public static func fileName(key: CacheKey, varyKey: VaryKey) -> String {
        var hasher = NameHasher()
        hasher.add(key)
        hasher.add(varyKey)
        return hasher.hexDigest + entryExtension
    }

    public static let entryExtension = ".entry"
    public static let temporaryExtension = ".tmp"

    /// A hash of what `StoredResponse.isSameResponse(as:)` compares besides the key and the
    /// Vary key (which the file name holds): the entity tag, the response time and
    /// `Last-Modified`.
    public static func identity(of policy: CachePolicy) -> UInt64 {
        var hasher = NameHasher()
        hasher.add(policy.etag?.description ?? "")
        hasher.add(UInt64(bitPattern: policy.responseTime.secondsSince1970))
        if let lastModified = policy.lastModified {
            hasher.add(UInt8(1))
            hasher.add(UInt64(bitPattern: lastModified.secondsSince1970))
        } else {
            hasher.add(UInt8(0))
        }
        return hasher.first
    }

    /// A policy as the entry stores it: JSON with sorted keys, so that equal policies give
    /// equal bytes.
    public static func policyJSON(_ policy: CachePolicy) throws -> Data {
        try encoder.encode(policy)
    }

    /// The policy of stored JSON; any bytes are accepted.
    public static func policy(fromJSON bytes: UnsafeRawBufferPointer) throws(DiskEntryError) -> CachePolicy {
        do {
            return try decoder.decode(CachePolicy.self, from: Data(bytes))
        } catch {
            throw .malformedPolicy
        }
    }

    private static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return encoder
    }()
    private static let decoder = JSONDecoder()
}

/// Two 64-bit FNV-1a lanes with different offsets, each finished with a 64-bit mixer: a
/// stable 128-bit hash for file names (Swift's `Hasher` is seeded per process). Every
/// string is length-prefixed, so distinct inputs never run together. Public for the Redis
/// tier's key names, which must agree across processes and machines too.
public struct NameHasher: Sendable {
    private var a: UInt64 = 0xCBF2_9CE4_8422_2325
    private var b: UInt64 = 0x6C62_272E_07BB_0142

    public init() {}

    public mutating func add(_ byte: UInt8) {
        a = (a ^ UInt64(byte)) &* 0x0000_0100_0000_01B3
        b = (b ^ UInt64(byte)) &* 0x0000_0100_0000_01B3
        b = b.rotatedLeft(by: 5)
    }

    public mutating func add(_ value: UInt64) {
        for shift in stride(from: 0, to: 64, by: 8) { add(UInt8(truncatingIfNeeded: value >> UInt64(shift))) }
    }

    public mutating func add(_ string: String) {
        add(UInt64(string.utf8.count))
        for byte in string.utf8 { add(byte) }
    }

    /// The method and the URI.
    public mutating func add(_ key: CacheKey) {
        add(key.method)
        add(key.uri)
    }

    /// `Vary: *`, then each field's canonical name and value (or its absence).
    public mutating func add(_ varyKey: VaryKey) {
        add(UInt8(varyKey.varyAll ? 1 : 0))
        for entry in varyKey.entries {
            add(entry.name.canonicalName)
            if let value = entry.value {
                add(UInt8(1))
                add(value)
            } else {
                add(UInt8(0))
            }
        }
    }

    public var first: UInt64 { Self.mix(a) }
    public var second: UInt64 { Self.mix(b ^ 0x9E37_79B9_7F4A_7C15) }

    /// 32 lower-case hex digits: `first`, then `second`.
    public var hexDigest: String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(32)
        for word in [first, second] {
            for shift in stride(from: 60, through: 0, by: -4) { out.append(digits[Int((word >> UInt64(shift)) & 0xF)]) }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The finaliser of SplitMix64.
    static func mix(_ value: UInt64) -> UInt64 {
        var z = value
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

extension UInt64 {
    fileprivate func rotatedLeft(by count: UInt64) -> UInt64 { (self << count) | (self >> (64 - count)) }
}

extension FixedWidthInteger {
    /// Reads a little-endian integer at `offset`; the caller has checked the bounds.
    init(littleEndianBytes bytes: UnsafeRawBufferPointer, at offset: Int) {
        var value = Self.zero
        for index in 0..<(Self.bitWidth / 8) {
            value |= Self(truncatingIfNeeded: bytes[offset + index]) << (index * 8)
        }
        self = value
    }
}
