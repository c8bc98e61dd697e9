import NIOCore

/// Which of the 16384 hash slots a key belongs to: CRC16 of the key modulo 16384, where a
/// hash tag, if present, stands for the whole key (Redis Cluster spec, "Key distribution
/// model" and "Hash tags"). Hash tags are how the shared tier keeps all the parts of one entry
/// (pointer, header block, chunks) in one slot, so one script or transaction can touch them all.
public enum HashSlot {
    public static let count = 16384

    public static func slot(forKey key: ByteBuffer) -> Int {
        key.withUnsafeReadableBytes { slot(forKey: $0) }
    }

    public static func slot(forKey key: String) -> Int {
        var key = key
        return key.withUTF8 { slot(forKey: UnsafeRawBufferPointer($0)) }
    }

    public static func slot(forKey key: UnsafeRawBufferPointer) -> Int {
        Int(CRC16.checksum(hashedPart(of: key)) & 0x3FFF)
    }

    /// The spec's rule: if the key contains a `{`, and a `}` after it with at least one byte
    /// between them, only the bytes between the first `{` and the first `}` after it are
    /// hashed; otherwise the whole key is. So `foo{}{bar}` hashes whole, `foo{{bar}}zap`
    /// hashes `{bar`, and `foo{bar}{zap}` hashes `bar`.
    public static func hashedPart(of key: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer.SubSequence {
        guard let open = key.firstIndex(of: UInt8(ascii: "{")),
            let close = key[(open + 1)...].firstIndex(of: UInt8(ascii: "}")),
            close > open + 1
        else { return key[...] }
        return key[(open + 1)..<close]
    }
}
