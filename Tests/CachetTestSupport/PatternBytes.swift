import NIOCore

/// Bodies for storage tests: `count` bytes of a pseudo-random pattern that depends on
/// `seed`, so that two bodies of one length differ and a misplaced byte shows.
public func patternBytes(_ count: Int, seed: String) -> ByteBuffer {
    var state = UInt64(truncatingIfNeeded: seed.utf8.reduce(17) { $0 &* 31 &+ Int($1) })
    var buffer = ByteBuffer()
    buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: count) { bytes in
        for index in 0..<count {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            bytes[index] = UInt8(truncatingIfNeeded: state >> 56)
        }
        return count
    }
    return buffer
}
