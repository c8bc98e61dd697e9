import HTTPTypes

/// Small byte helpers shared by the field parsers of this module.
enum ASCII {
    @inline(__always)
    static func isWhitespace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 }

    @inline(__always)
    static func lowercased(_ byte: UInt8) -> UInt8 {
        (byte >= 0x41 && byte <= 0x5A) ? byte | 0x20 : byte
    }

    /// Whether `bytes` equal `lowercaseName` ignoring ASCII case; `lowercaseName` must be
    /// lowercase already.
    @inline(__always)
    static func equalsIgnoringCase(_ bytes: UnsafeRawBufferPointer, _ lowercaseName: StaticString) -> Bool {
        guard bytes.count == lowercaseName.utf8CodeUnitCount else { return false }
        let name = lowercaseName.utf8Start
        for i in 0..<bytes.count where lowercased(bytes[i]) != name[i] {
            return false
        }
        return true
    }

    /// `bytes` with leading and trailing spaces and tabs removed.
    @inline(__always)
    static func trimmed(_ bytes: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer {
        var start = 0
        var end = bytes.count
        while start < end, isWhitespace(bytes[start]) { start += 1 }
        while end > start, isWhitespace(bytes[end - 1]) { end -= 1 }
        return UnsafeRawBufferPointer(rebasing: bytes[start..<end])
    }
}

extension HTTPField {
    /// Calls `body` with the field value's bytes in place.
    @inline(__always)
    func withValueBuffer<Result>(_ body: (UnsafeRawBufferPointer) -> Result) -> Result {
        withUnsafeBytesOfValue { body(UnsafeRawBufferPointer($0)) }
    }
}
