/// CRC-16/XMODEM (polynomial 0x1021, initial value 0, no reflection), the checksum Redis
/// Cluster hashes keys with (Redis Cluster spec, "Appendix A: CRC16 reference implementation
/// in ANSI C"; check value: "123456789" → 0x31C3).
public enum CRC16 {
    public static func checksum<Bytes: Sequence>(_ bytes: Bytes) -> UInt16 where Bytes.Element == UInt8 {
        var crc: UInt16 = 0
        for byte in bytes {
            crc = (crc << 8) ^ table[Int(UInt8(truncatingIfNeeded: crc >> 8) ^ byte)]
        }
        return crc
    }

    private static let table: [UInt16] = (0..<256).map { index in
        var crc = UInt16(index) << 8
        for _ in 0..<8 {
            crc = crc & 0x8000 != 0 ? (crc << 1) ^ 0x1021 : crc << 1
        }
        return crc
    }
}
