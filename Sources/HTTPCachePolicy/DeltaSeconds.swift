/// Reading `delta-seconds` values (RFC 9111 §1.2.2) from field bytes.
///
/// `delta-seconds = 1*DIGIT`: a non-negative integer number of seconds. A value too large to
/// represent saturates at 2^31 (§1.2.2: "the cache MUST consider the value to be 2147483648");
/// anything that is not a run of ASCII digits (a sign, a decimal point, letters, nothing at
/// all) is invalid and the caller decides what invalid means for its directive or field.
enum DeltaSeconds {
    /// 2^31, the value of a delta-seconds that overflows (RFC 9111 §1.2.2).
    static let maximum: Int64 = 2_147_483_648

    /// The value of the digits in `bytes`, saturated at ``maximum``, or `nil` when `bytes` is
    /// empty or holds anything but ASCII digits.
    static func parse(_ bytes: UnsafeRawBufferPointer) -> Int64? {
        guard !bytes.isEmpty else { return nil }
        var value: Int64 = 0
        for byte in bytes {
            let digit = byte &- 0x30
            guard digit < 10 else { return nil }
            if value < maximum {
                value = min(value * 10 + Int64(digit), maximum)
            }
        }
        return value
    }

    /// Saturating addition: any sum beyond 2^31 is 2^31 (RFC 9111 §1.2.2).
    @inline(__always)
    static func add(_ a: Int64, _ b: Int64) -> Int64 {
        min(a &+ b, maximum)
    }

    /// A value clamped into `0...2^31`.
    @inline(__always)
    static func clamp(_ value: Int64) -> Int64 {
        min(max(value, 0), maximum)
    }
}
