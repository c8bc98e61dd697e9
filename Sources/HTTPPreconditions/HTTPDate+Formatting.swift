extension HTTPDate {
    /// The number of bytes of an IMF-fixdate: `Sun, 06 Nov 1994 08:49:37 GMT`.
    public static let imfFixdateLength = 29

    /// The IMF-fixdate form of this date (RFC 9110 §5.6.7), the only form a sender generates.
    public var imfFixdate: String {
        String(unsafeUninitializedCapacity: Self.imfFixdateLength) { buffer in
            write(into: UnsafeMutableRawBufferPointer(buffer))
        }
    }

    /// Calls `body` with the IMF-fixdate bytes of this date, without allocating.
    @inlinable
    public func withIMFFixdateBytes<Result>(_ body: (UnsafeRawBufferPointer) throws -> Result) rethrows -> Result {
        try withUnsafeTemporaryAllocation(byteCount: Self.imfFixdateLength, alignment: 1) { buffer in
            let n = write(into: buffer)
            return try body(UnsafeRawBufferPointer(rebasing: buffer[0..<n]))
        }
    }

    /// Writes the IMF-fixdate into `buffer`, which must hold at least 29 bytes, and returns
    /// the number of bytes written. Years outside 0...9999 cannot be written in four digits
    /// and are clamped to that range.
    @discardableResult
    public func write(into buffer: UnsafeMutableRawBufferPointer) -> Int {
        precondition(buffer.count >= Self.imfFixdateLength, "an IMF-fixdate needs 29 bytes")
        var c = components
        if c.year < 0 {
            c = HTTPDateComponents(year: 0, month: 1, day: 1, hour: 0, minute: 0, second: 0)
        } else if c.year > 9999 {
            c = HTTPDateComponents(year: 9999, month: 12, day: 31, hour: 23, minute: 59, second: 59)
        }
        let dayNames: StaticString = "SunMonTueWedThuFriSat"
        let monthNames: StaticString = "JanFebMarAprMayJunJulAugSepOctNovDec"
        var i = 0
        func put(_ byte: UInt8) {
            buffer[i] = byte
            i += 1
        }
        func putName(_ table: StaticString, _ index: Int) {
            for k in 0..<3 { put(table.utf8Start[index * 3 + k]) }
        }
        func putDigits(_ value: Int, _ width: Int) {
            var divisor = 1
            for _ in 1..<width { divisor *= 10 }
            var v = value
            while divisor > 0 {
                put(UInt8(truncatingIfNeeded: 0x30 + v / divisor))
                v %= divisor
                divisor /= 10
            }
        }
        putName(dayNames, c.weekday)
        put(UInt8(ascii: ","))
        put(0x20)
        putDigits(c.day, 2)
        put(0x20)
        putName(monthNames, c.month - 1)
        put(0x20)
        putDigits(c.year, 4)
        put(0x20)
        putDigits(c.hour, 2)
        put(UInt8(ascii: ":"))
        putDigits(c.minute, 2)
        put(UInt8(ascii: ":"))
        putDigits(c.second, 2)
        put(0x20)
        put(UInt8(ascii: "G"))
        put(UInt8(ascii: "M"))
        put(UInt8(ascii: "T"))
        return i
    }
}

extension HTTPDate: CustomStringConvertible {
    public var description: String { imfFixdate }
}

extension HTTPDate: LosslessStringConvertible {
    /// Parses an HTTP-date in any of the three formats of RFC 9110 §5.6.7.
    public init?(_ description: String) {
        self.init(description, now: nil)
    }
}
