import CachetStorage
import HTTPCachePolicy
import NIOCore

/// The header block of an entry in the Redis tier: the field `h` of a version hash
/// (``RedisEntryLayout``), holding everything about the response but its body, and what a
/// reader needs to check the body chunks it reads beside it.
///
/// All integers are little-endian:
///
/// ```
/// offset  size  field
///      0     4  magic "CRDS"
///      4     2  format version (1)
///      6     2  flags (0; any other value is rejected)
///      8     4  key length K (≤ 1 MiB)
///     12     4  policy length P (≤ 16 MiB)
///     16     8  body length B (≤ 2^46)
///     24     4  chunk size C (1 byte ... 64 MiB)
///     28     4  chunk count: B / C rounded up (0 for an empty body)
///     32     4  CRC-32C of the body
///     36     K  key, as the disk entry stores it (`DiskEntryFormat.keyBytes`, version 1)
///   36+K     P  policy: `CachePolicy` as JSON (`DiskEntryFormat.policyJSON`)
/// 36+K+P     4  CRC-32C of every byte before it
/// ```
///
/// The chunk size is the writer's, so nodes configured with different sizes read each
/// other's entries. The decoder accepts any bytes: lengths are checked against the bytes
/// present before anything is read, and every failure is a ``RedisEntryError``.
struct RedisEntryHeader {
    static let magic: [UInt8] = Array("CRDS".utf8)
    static let version: UInt16 = 1
    static let fixedSize = 36
    static let maximumKeyLength = 1 << 20
    static let maximumPolicyLength = 16 << 20
    static let maximumBodyLength = 1 << 46
    static let maximumChunkSize = 64 << 20

    var key: CacheKey
    var policy: CachePolicy
    var bodyLength: Int
    var chunkSize: Int
    var bodyChecksum: UInt32

    /// How many chunks hold the body.
    var chunkCount: Int { Self.chunkCount(bodyLength: bodyLength, chunkSize: chunkSize) }

    /// The length chunk `index` must have.
    func chunkLength(_ index: Int) -> Int {
        min(chunkSize, bodyLength - index * chunkSize)
    }

    /// The header of `response`, whose body is cut into chunks of `chunkSize`.
    init(_ response: StoredResponse, chunkSize: Int) {
        var crc = CRC32C()
        response.body.withUnsafeReadableBytes { crc.update($0) }
        self.init(key: response.key, policy: response.policy, bodyLength: response.body.readableBytes, chunkSize: chunkSize, bodyChecksum: crc.value)
    }

    init(key: CacheKey, policy: CachePolicy, bodyLength: Int, chunkSize: Int, bodyChecksum: UInt32) {
        self.key = key
        self.policy = policy
        self.bodyLength = bodyLength
        self.chunkSize = chunkSize
        self.bodyChecksum = bodyChecksum
    }

    static func chunkCount(bodyLength: Int, chunkSize: Int) -> Int {
        (bodyLength + chunkSize - 1) / chunkSize
    }

    // MARK: - Encoding

    func encoded() throws -> ByteBuffer {
        let keyBytes = DiskEntryFormat.keyBytes(key, tags: [])
        let policyBytes = try DiskEntryFormat.policyJSON(policy)
        guard keyBytes.count <= Self.maximumKeyLength, policyBytes.count <= Self.maximumPolicyLength,
            bodyLength <= Self.maximumBodyLength, (1...Self.maximumChunkSize).contains(chunkSize),
            chunkCount <= Int(UInt32.max)
        else { throw RedisEntryError.lengthOutOfRange }
        var buffer = ByteBuffer()
        buffer.reserveCapacity(Self.fixedSize + keyBytes.count + policyBytes.count + 4)
        buffer.writeBytes(Self.magic)
        buffer.writeInteger(Self.version, endianness: .little)
        buffer.writeInteger(UInt16(0), endianness: .little)
        buffer.writeInteger(UInt32(keyBytes.count), endianness: .little)
        buffer.writeInteger(UInt32(policyBytes.count), endianness: .little)
        buffer.writeInteger(UInt64(bodyLength), endianness: .little)
        buffer.writeInteger(UInt32(chunkSize), endianness: .little)
        buffer.writeInteger(UInt32(chunkCount), endianness: .little)
        buffer.writeInteger(bodyChecksum, endianness: .little)
        buffer.writeBytes(keyBytes)
        buffer.writeBytes(policyBytes)
        let checksum = buffer.withUnsafeReadableBytes { CRC32C.checksum($0) }
        buffer.writeInteger(checksum, endianness: .little)
        return buffer
    }

    // MARK: - Decoding

    /// The header in `buffer`, which must hold exactly one header block.
    init(decoding buffer: ByteBuffer) throws(RedisEntryError) {
        func integer<T: FixedWidthInteger>(_: T.Type, at offset: Int) -> T {
            buffer.getInteger(at: buffer.readerIndex + offset, endianness: .little, as: T.self) ?? 0
        }
        let count = buffer.readableBytes
        guard count >= Self.fixedSize + 4 else { throw .truncated }
        guard buffer.readableBytesView.prefix(4).elementsEqual(Self.magic) else { throw .badMagic }
        guard integer(UInt16.self, at: 4) == Self.version else { throw .unsupportedVersion }
        guard integer(UInt16.self, at: 6) == 0 else { throw .unsupportedFlags }
        let keyLength = Int(integer(UInt32.self, at: 8))
        let policyLength = Int(integer(UInt32.self, at: 12))
        let bodyLength = integer(UInt64.self, at: 16)
        let chunkSize = Int(integer(UInt32.self, at: 24))
        let chunkCount = Int(integer(UInt32.self, at: 28))
        guard keyLength <= Self.maximumKeyLength, policyLength <= Self.maximumPolicyLength, bodyLength <= Self.maximumBodyLength,
            (1...Self.maximumChunkSize).contains(chunkSize)
        else { throw .lengthOutOfRange }
        let checked = Self.fixedSize + keyLength + policyLength
        guard count >= checked + 4 else { throw .truncated }
        guard count == checked + 4 else { throw .trailingBytes }
        let checksum = buffer.withUnsafeReadableBytes { CRC32C.checksum(UnsafeRawBufferPointer(rebasing: $0[0..<checked])) }
        guard checksum == integer(UInt32.self, at: checked) else { throw .headerChecksumMismatch }
        guard chunkCount == Self.chunkCount(bodyLength: Int(bodyLength), chunkSize: chunkSize) else { throw .lengthOutOfRange }
        let decoded: Result<(CacheKey, CachePolicy), RedisEntryError> = buffer.withUnsafeReadableBytes { bytes in
            let key: CacheKey
            do {
                (key, _) = try DiskEntryFormat.decodeKey(UnsafeRawBufferPointer(rebasing: bytes[Self.fixedSize..<(Self.fixedSize + keyLength)]), version: DiskEntryFormat.version)
            } catch {
                return .failure(.malformedKey)
            }
            do {
                return .success((key, try DiskEntryFormat.policy(fromJSON: UnsafeRawBufferPointer(rebasing: bytes[(Self.fixedSize + keyLength)..<checked]))))
            } catch {
                return .failure(.malformedPolicy)
            }
        }
        let (key, policy) = try decoded.get()
        self.init(key: key, policy: policy, bodyLength: Int(bodyLength), chunkSize: chunkSize, bodyChecksum: integer(UInt32.self, at: 32))
    }
}
