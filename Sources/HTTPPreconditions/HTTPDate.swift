/// A point in time as HTTP carries it: whole seconds since 1970-01-01T00:00:00Z (RFC 9110 §5.6.7).
///
/// HTTP timestamps have a resolution of one second and are always UTC, so a signed count of
/// seconds is the whole value. Parsing and formatting are done by hand on bytes, without
/// Foundation's `DateFormatter`, because they sit on every request's hot path.
public struct HTTPDate: Sendable, Hashable, Comparable {
    /// Seconds since the Unix epoch, 1970-01-01T00:00:00Z. Negative before it.
    public var secondsSince1970: Int64

    /// Creates a date from seconds since the Unix epoch.
    @inlinable
    public init(secondsSince1970: Int64) {
        self.secondsSince1970 = secondsSince1970
    }

    @inlinable
    public static func < (lhs: HTTPDate, rhs: HTTPDate) -> Bool {
        lhs.secondsSince1970 < rhs.secondsSince1970
    }

    /// This date moved by a number of seconds.
    @inlinable
    public func adding(seconds: Int64) -> HTTPDate {
        HTTPDate(secondsSince1970: secondsSince1970 &+ seconds)
    }

    /// Seconds from `other` to this date (positive when this date is later).
    @inlinable
    public func seconds(since other: HTTPDate) -> Int64 {
        secondsSince1970 &- other.secondsSince1970
    }
}

extension HTTPDate: Codable {
    public init(from decoder: any Decoder) throws {
        self.init(secondsSince1970: try decoder.singleValueContainer().decode(Int64.self))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(secondsSince1970)
    }
}

/// The proleptic Gregorian calendar fields of an `HTTPDate`, in UTC.
public struct HTTPDateComponents: Sendable, Hashable {
    public var year: Int
    /// 1...12
    public var month: Int
    /// 1...31
    public var day: Int
    public var hour: Int
    public var minute: Int
    public var second: Int
    /// 0 = Sunday ... 6 = Saturday
    public var weekday: Int

    public init(year: Int, month: Int, day: Int, hour: Int = 0, minute: Int = 0, second: Int = 0) {
        self.year = year
        self.month = month
        self.day = day
        self.hour = hour
        self.minute = minute
        self.second = second
        self.weekday = Self.weekday(daysSince1970: CivilCalendar.days(year: year, month: month, day: day))
    }

    init(year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int, weekday: Int) {
        self.year = year
        self.month = month
        self.day = day
        self.hour = hour
        self.minute = minute
        self.second = second
        self.weekday = weekday
    }

    static func weekday(daysSince1970 days: Int64) -> Int {
        // 1970-01-01 was a Thursday (4).
        let w = (days + 4) % 7
        return Int(w < 0 ? w + 7 : w)
    }
}

extension HTTPDate {
    /// Creates a date from calendar fields in UTC, or `nil` when a field is out of range
    /// (month 13, 31 April, 29 February of a common year, hour 24, minute 60, second 61).
    /// A leap second (`second == 60`) is accepted and counted as the next second.
    public init?(_ components: HTTPDateComponents) {
        guard let date = HTTPDate(
            year: components.year, month: components.month, day: components.day,
            hour: components.hour, minute: components.minute, second: components.second
        ) else { return nil }
        self = date
    }

    /// 9999-12-31 23:59:59 UTC: the last instant with a four-digit year, the latest an
    /// HTTP-date can carry.
    static let latestWritable = HTTPDate(secondsSince1970: 253_402_300_799)

    @usableFromInline
    init?(year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int) {
        guard (1...12).contains(month),
            day >= 1, day <= CivilCalendar.daysInMonth(year: year, month: month),
            (0...23).contains(hour), (0...59).contains(minute), (0...60).contains(second)
        else { return nil }
        let days = CivilCalendar.days(year: year, month: month, day: day)
        self.init(secondsSince1970: days * 86_400 + Int64(hour * 3600 + minute * 60 + second))
    }

    /// The calendar fields of this date in UTC.
    public var components: HTTPDateComponents {
        var days = secondsSince1970 / 86_400
        var secondOfDay = secondsSince1970 % 86_400
        if secondOfDay < 0 {
            secondOfDay += 86_400
            days -= 1
        }
        let (year, month, day) = CivilCalendar.civil(days: days)
        let s = Int(secondOfDay)
        return HTTPDateComponents(
            year: year, month: month, day: day,
            hour: s / 3600, minute: (s / 60) % 60, second: s % 60,
            weekday: HTTPDateComponents.weekday(daysSince1970: days)
        )
    }
}

/// Days-from-civil and civil-from-days for the proleptic Gregorian calendar, using the
/// era-based arithmetic that needs no tables and no loops.
@usableFromInline
enum CivilCalendar {
    @usableFromInline
    static func isLeap(_ year: Int) -> Bool {
        year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
    }

    @usableFromInline
    static func daysInMonth(year: Int, month: Int) -> Int {
        switch month {
        case 2: return isLeap(year) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// Days since 1970-01-01 of the given date.
    @usableFromInline
    static func days(year: Int, month: Int, day: Int) -> Int64 {
        let y = Int64(month <= 2 ? year - 1 : year)
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let m = Int64(month)
        let dayOfYear = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + Int64(day) - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    /// The (year, month, day) of a count of days since 1970-01-01.
    @usableFromInline
    static func civil(days: Int64) -> (Int, Int, Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        return (Int(year), Int(month), Int(day))
    }
}
