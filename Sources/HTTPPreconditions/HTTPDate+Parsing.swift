import HTTPTypes

extension HTTPDate {
    /// Parses an HTTP-date in any of the three formats of RFC 9110 §5.6.7: IMF-fixdate
    /// (`Sun, 06 Nov 1994 08:49:37 GMT`), the obsolete RFC 850 format
    /// (`Sunday, 06-Nov-94 08:49:37 GMT`) and ANSI C's asctime (`Sun Nov  6 08:49:37 1994`).
    ///
    /// Returns `nil` for anything else, including a list of dates, impossible calendar values
    /// and trailing garbage; surrounding spaces and tabs are ignored. Day and month names are
    /// matched without regard to case, as recipients are encouraged to be robust (§5.6.7).
    ///
    /// - Parameter now: the recipient's current time, used to read an RFC 850 two-digit year
    ///   as §5.6.7 requires: a year that appears to be more than 50 years in the future is the
    ///   most recent past year with the same last two digits. Without it, two-digit years
    ///   70–99 mean 19xx and 00–69 mean 20xx.
    @inlinable
    public init?(_ string: some StringProtocol, now: HTTPDate? = nil) {
        var string = String(string)
        guard let date = string.withUTF8({ HTTPDate(bytes: UnsafeRawBufferPointer($0), now: now) }) else {
            return nil
        }
        self = date
    }

    /// Parses the value of a header field line as an HTTP-date; see ``init(_:now:)``.
    @inlinable
    public init?(field: HTTPField, now: HTTPDate? = nil) {
        guard let date = field.withValueBytes({ HTTPDate(bytes: $0, now: now) }) else { return nil }
        self = date
    }

    /// Parses bytes as an HTTP-date; see ``init(_:now:)``.
    public init?(bytes: UnsafeRawBufferPointer, now: HTTPDate? = nil) {
        var p = DateScanner(bytes)
        p.trimWhitespace()
        guard p.count >= 24 else { return nil }
        let parsed: HTTPDate?
        if p.peek(3) == UInt8(ascii: ",") {
            parsed = p.imfFixdate()
        } else if p.peek(3) == UInt8(ascii: " ") {
            parsed = p.asctime()
        } else {
            parsed = p.rfc850(now: now)
        }
        guard let parsed, p.isAtEnd else { return nil }
        // A leap second counts as the next second, except after the last second an
        // IMF-fixdate can write: "31 Dec 9999 23:59:60" would otherwise be a date that
        // formats as another one.
        self = min(parsed, HTTPDate.latestWritable)
    }
}

/// A forward-only reader over the bytes of one date value.
@usableFromInline
struct DateScanner {
    let base: UnsafeRawBufferPointer
    var start: Int
    var end: Int

    init(_ bytes: UnsafeRawBufferPointer) {
        self.base = bytes
        self.start = 0
        self.end = bytes.count
    }

    var count: Int { end - start }
    var isAtEnd: Bool { start == end }

    func peek(_ offset: Int) -> UInt8? {
        start + offset < end ? base[start + offset] : nil
    }

    mutating func trimWhitespace() {
        while start < end, base[start] == 0x20 || base[start] == 0x09 { start += 1 }
        while end > start, base[end - 1] == 0x20 || base[end - 1] == 0x09 { end -= 1 }
    }

    mutating func expect(_ byte: UInt8) -> Bool {
        guard start < end, base[start] == byte else { return false }
        start += 1
        return true
    }

    /// Exactly `n` ASCII digits as a number.
    mutating func digits(_ n: Int) -> Int? {
        guard end - start >= n else { return nil }
        var value = 0
        for i in 0..<n {
            let d = base[start + i] &- 0x30
            guard d < 10 else { return nil }
            value = value * 10 + Int(d)
        }
        start += n
        return value
    }

    /// Three letters, lowered, packed into one integer for comparison against name tables.
    mutating func threeLetters() -> UInt32? {
        guard end - start >= 3 else { return nil }
        var key: UInt32 = 0
        for i in 0..<3 {
            let c = base[start + i] | 0x20
            guard c >= 0x61, c <= 0x7A else { return nil }
            key = key << 8 | UInt32(c)
        }
        start += 3
        return key
    }

    mutating func month() -> Int? {
        guard let key = threeLetters() else { return nil }
        switch key {
        case 0x6A616E: return 1  // jan
        case 0x666562: return 2  // feb
        case 0x6D6172: return 3  // mar
        case 0x617072: return 4  // apr
        case 0x6D6179: return 5  // may
        case 0x6A756E: return 6  // jun
        case 0x6A756C: return 7  // jul
        case 0x617567: return 8  // aug
        case 0x736570: return 9  // sep
        case 0x6F6374: return 10  // oct
        case 0x6E6F76: return 11  // nov
        case 0x646563: return 12  // dec
        default: return nil
        }
    }

    /// Index 0 (Sunday) ... 6 of a three-letter day name.
    mutating func shortDayName() -> Int? {
        guard let key = threeLetters() else { return nil }
        switch key {
        case 0x73756E: return 0  // sun
        case 0x6D6F6E: return 1  // mon
        case 0x747565: return 2  // tue
        case 0x776564: return 3  // wed
        case 0x746875: return 4  // thu
        case 0x667269: return 5  // fri
        case 0x736174: return 6  // sat
        default: return nil
        }
    }

    /// A full day name (`Sunday`), as RFC 850 dates carry.
    mutating func longDayName() -> Int? {
        guard let day = shortDayName() else { return nil }
        let rest: StaticString
        switch day {
        case 0, 1, 5: rest = "day"  // sun-day, mon-day, fri-day
        case 2: rest = "sday"  // tue-sday
        case 3: rest = "nesday"  // wed-nesday
        case 4: rest = "rsday"  // thu-rsday
        default: rest = "urday"  // sat-urday
        }
        guard end - start >= rest.utf8CodeUnitCount else { return nil }
        for i in 0..<rest.utf8CodeUnitCount where base[start + i] | 0x20 != rest.utf8Start[i] {
            return nil
        }
        start += rest.utf8CodeUnitCount
        return day
    }

    mutating func gmt() -> Bool {
        guard end - start >= 3,
            base[start] | 0x20 == UInt8(ascii: "g"),
            base[start + 1] | 0x20 == UInt8(ascii: "m"),
            base[start + 2] | 0x20 == UInt8(ascii: "t")
        else { return false }
        start += 3
        return true
    }

    /// `HH:MM:SS`
    mutating func timeOfDay() -> (Int, Int, Int)? {
        guard let h = digits(2), expect(UInt8(ascii: ":")),
            let m = digits(2), expect(UInt8(ascii: ":")),
            let s = digits(2)
        else { return nil }
        return (h, m, s)
    }

    /// `Sun, 06 Nov 1994 08:49:37 GMT`
    mutating func imfFixdate() -> HTTPDate? {
        guard shortDayName() != nil, expect(UInt8(ascii: ",")), expect(0x20),
            let day = digits(2), expect(0x20),
            let month = month(), expect(0x20),
            let year = digits(4), expect(0x20),
            let (h, m, s) = timeOfDay(), expect(0x20), gmt()
        else { return nil }
        return HTTPDate(year: year, month: month, day: day, hour: h, minute: m, second: s)
    }

    /// `Sun Nov  6 08:49:37 1994`
    mutating func asctime() -> HTTPDate? {
        guard shortDayName() != nil, expect(0x20), let month = month(), expect(0x20) else { return nil }
        let day: Int
        if expect(0x20) {
            guard let d = digits(1) else { return nil }
            day = d
        } else {
            guard let d = digits(2) else { return nil }
            day = d
        }
        guard expect(0x20), let (h, m, s) = timeOfDay(), expect(0x20), let year = digits(4) else { return nil }
        return HTTPDate(year: year, month: month, day: day, hour: h, minute: m, second: s)
    }

    /// `Sunday, 06-Nov-94 08:49:37 GMT`
    mutating func rfc850(now: HTTPDate?) -> HTTPDate? {
        guard longDayName() != nil, expect(UInt8(ascii: ",")), expect(0x20),
            let day = digits(2), expect(UInt8(ascii: "-")),
            let month = month(), expect(UInt8(ascii: "-")),
            let twoDigitYear = digits(2), expect(0x20),
            let (h, m, s) = timeOfDay(), expect(0x20), gmt()
        else { return nil }
        guard let now else {
            let year = twoDigitYear >= 70 ? 1900 + twoDigitYear : 2000 + twoDigitYear
            return HTTPDate(year: year, month: month, day: day, hour: h, minute: m, second: s)
        }
        // RFC 9110 §5.6.7: more than 50 years in the future means the most recent past year
        // with the same last two digits. Start in now's century and step by centuries so the
        // result lands in (now - 50 years, now + 50 years].
        let nowComponents = now.components
        var limit = nowComponents
        limit.year += 50
        if limit.month == 2, limit.day == 29, !CivilCalendar.isLeap(limit.year) { limit.day = 28 }
        guard let limitDate = HTTPDate(limit) else { return nil }
        var year = nowComponents.year - nowComponents.year % 100 + twoDigitYear
        // A 29 February is checked in the year finally chosen.
        func candidate(_ year: Int) -> HTTPDate? {
            HTTPDate(year: year, month: month, day: day, hour: h, minute: m, second: s)
        }
        func roughly(_ year: Int) -> HTTPDate? {
            candidate(year) ?? HTTPDate(year: year, month: month, day: day - 1, hour: h, minute: m, second: s)
        }
        guard var date = roughly(year) else { return nil }
        while date > limitDate {
            year -= 100
            guard let earlier = roughly(year) else { return nil }
            date = earlier
        }
        while let later = roughly(year + 100), later <= limitDate {
            year += 100
            date = later
        }
        return candidate(year)
    }
}
