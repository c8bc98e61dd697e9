import HTTPPreconditions
import HTTPTypes
import PropertyBased
import Testing

// Expected values come from RFC 9110 §5.6.7 and from the proleptic Gregorian calendar
// (seconds and weekdays computed independently with Python's datetime, not with this code).
//
//   HTTP-date    = IMF-fixdate / obs-date
//   IMF-fixdate  = day-name "," SP date1 SP time-of-day SP GMT     ; Sun, 06 Nov 1994 08:49:37 GMT
//   rfc850-date  = day-name-l "," SP date2 SP time-of-day SP GMT   ; Sunday, 06-Nov-94 08:49:37 GMT
//   asctime-date = day-name SP date3 SP time-of-day SP year        ; Sun Nov  6 08:49:37 1994
//   date1 = day SP month SP year        (2DIGIT SP month SP 4DIGIT)
//   date2 = day "-" month "-" 2DIGIT
//   date3 = month SP ( 2DIGIT / ( SP DIGIT ))
//   time-of-day = hour ":" minute ":" second   ; 00:00:00 - 23:59:60 (leap second)

@Suite("HTTP-date (RFC 9110 §5.6.7)")
struct HTTPDateTests {

    static let rfcExample: Int64 = 784_111_777  // 1994-11-06T08:49:37Z

    // MARK: - The three formats

    @Test(
        "the RFC's three examples are the same instant",
        arguments: [
            "Sun, 06 Nov 1994 08:49:37 GMT",
            "Sunday, 06-Nov-94 08:49:37 GMT",
            "Sun Nov  6 08:49:37 1994",
        ])
    func rfcExamples(_ text: String) {
        #expect(HTTPDate(text)?.secondsSince1970 == Self.rfcExample)
        let now = HTTPDate(secondsSince1970: 1_772_323_200)  // 2026-03-01
        #expect(HTTPDate(text, now: now)?.secondsSince1970 == Self.rfcExample)
        #expect(HTTPDate(field: HTTPField(name: .ifModifiedSince, value: text))?.secondsSince1970 == Self.rfcExample)
        var copy = text
        let fromBytes = copy.withUTF8 { HTTPDate(bytes: UnsafeRawBufferPointer($0)) }
        #expect(fromBytes?.secondsSince1970 == Self.rfcExample)
    }

    @Test("components of the RFC example")
    func rfcExampleComponents() {
        let c = HTTPDate(secondsSince1970: Self.rfcExample).components
        #expect(c.year == 1994)
        #expect(c.month == 11)
        #expect(c.day == 6)
        #expect(c.hour == 8)
        #expect(c.minute == 49)
        #expect(c.second == 37)
        #expect(c.weekday == 0)
        #expect(HTTPDate(HTTPDateComponents(year: 1994, month: 11, day: 6, hour: 8, minute: 49, second: 37))?.secondsSince1970 == Self.rfcExample)
    }

    @Test(
        "asctime: 2DIGIT day or SP DIGIT",
        arguments: [
            ("Sun Nov  6 08:49:37 1994", Int64(784_111_777)),
            ("Sun Nov 06 08:49:37 1994", 784_111_777),
            ("Thu Feb 29 00:00:00 2024", 1_709_164_800),
            ("Sun Jul 20 20:17:40 1969", -14_182_940),
            ("Sat Jan  1 00:00:00 2000", 946_684_800),
        ])
    func asctime(_ text: String, _ expected: Int64) {
        #expect(HTTPDate(text)?.secondsSince1970 == expected)
    }

    @Test(
        "day and month names in any case (robust parsing, §5.6.7)",
        arguments: [
            "SUN, 06 NOV 1994 08:49:37 GMT",
            "sun, 06 nov 1994 08:49:37 GMT",
            "sUn, 06 nOv 1994 08:49:37 GMT",
            "SUNDAY, 06-NOV-94 08:49:37 GMT",
            "sunday, 06-nov-94 08:49:37 GMT",
            "SUN NOV  6 08:49:37 1994",
            "sun nov  6 08:49:37 1994",
        ])
    func caseInsensitiveNames(_ text: String) {
        #expect(HTTPDate(text)?.secondsSince1970 == Self.rfcExample)
    }

    @Test(
        "every month name",
        arguments: Array(zip(
            ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"],
            // the 1st of each month of 2001 at 00:00:00 (Python datetime)
            [978_307_200, 980_985_600, 983_404_800, 986_083_200, 988_675_200, 991_353_600,
             993_945_600, 996_624_000, 999_302_400, 1_001_894_400, 1_004_572_800, 1_007_164_800] as [Int64]
        )))
    func monthNames(_ month: String, _ expected: Int64) throws {
        let date = HTTPDate(secondsSince1970: expected)
        let day = String(date.imfFixdate.prefix(3))
        #expect(date.imfFixdate == "\(day), 01 \(month) 2001 00:00:00 GMT")
        #expect(HTTPDate("\(day), 01 \(month) 2001 00:00:00 GMT")?.secondsSince1970 == expected)
        #expect(HTTPDate("\(day) \(month)  1 00:00:00 2001")?.secondsSince1970 == expected)
    }

    // MARK: - Calendar validity

    @Test(
        "leap years and month lengths",
        arguments: [
            ("Thu, 29 Feb 2024 00:00:00 GMT", Int64?(1_709_164_800)),  // 2024 is a leap year
            ("Tue, 29 Feb 2000 12:00:00 GMT", 951_825_600),  // divisible by 400: leap
            ("Wed, 29 Feb 2023 00:00:00 GMT", nil),  // common year
            ("Mon, 29 Feb 2100 00:00:00 GMT", nil),  // divisible by 100, not 400: common
            ("Mon, 29 Feb 1900 00:00:00 GMT", nil),
            ("Tue, 29 Feb 2400 00:00:00 GMT", 13_574_563_200),
            ("Sun, 28 Feb 2100 00:00:00 GMT", 4_107_456_000),
            ("Mon, 01 Mar 2100 00:00:00 GMT", 4_107_542_400),
            ("Thu Feb 29 00:00:00 2024", 1_709_164_800),
            ("Wed Feb 29 00:00:00 2023", nil),
            ("Thursday, 29-Feb-96 00:00:00 GMT", 825_552_000),
            ("Wednesday, 29-Feb-23 00:00:00 GMT", nil),
            ("Wed, 31 Apr 2024 00:00:00 GMT", nil),  // April has 30 days
            ("Tue, 30 Apr 2024 00:00:00 GMT", 1_714_435_200),
            ("Wed, 31 Jun 2024 00:00:00 GMT", nil),
            ("Tue, 31 Sep 2024 00:00:00 GMT", nil),
            ("Sun, 31 Nov 1994 08:49:37 GMT", nil),
            ("Sun, 32 Nov 1994 08:49:37 GMT", nil),
            ("Sun, 00 Nov 1994 08:49:37 GMT", nil),
            ("Tue, 31 Dec 2024 00:00:00 GMT", 1_735_603_200),
        ])
    func calendarValidity(_ text: String, _ expected: Int64?) {
        #expect(HTTPDate(text)?.secondsSince1970 == expected)
    }

    @Test("calendar validity through components")
    func componentsValidity() {
        #expect(HTTPDate(HTTPDateComponents(year: 2024, month: 2, day: 29))?.secondsSince1970 == 1_709_164_800)
        #expect(HTTPDate(HTTPDateComponents(year: 2000, month: 2, day: 29))?.secondsSince1970 == 951_782_400)
        #expect(HTTPDate(HTTPDateComponents(year: 2023, month: 2, day: 29)) == nil)
        #expect(HTTPDate(HTTPDateComponents(year: 2100, month: 2, day: 29)) == nil)
        #expect(HTTPDate(HTTPDateComponents(year: 2024, month: 13, day: 1)) == nil)
        #expect(HTTPDate(HTTPDateComponents(year: 2024, month: 0, day: 1)) == nil)
        #expect(HTTPDate(HTTPDateComponents(year: 2024, month: 4, day: 31)) == nil)
        #expect(HTTPDate(HTTPDateComponents(year: 2024, month: 1, day: 0)) == nil)
        #expect(HTTPDate(HTTPDateComponents(year: 2024, month: 1, day: 1, hour: 24)) == nil)
        #expect(HTTPDate(HTTPDateComponents(year: 2024, month: 1, day: 1, minute: 60)) == nil)
        #expect(HTTPDate(HTTPDateComponents(year: 2024, month: 1, day: 1, second: 61)) == nil)
        #expect(HTTPDate(HTTPDateComponents(year: 2024, month: 1, day: 1, hour: -1)) == nil)
    }

    @Test("a leap second (23:59:60) is a valid time-of-day")
    func leapSecond() throws {
        let date = try #require(HTTPDate("Sat, 31 Dec 2016 23:59:60 GMT"))
        // The RFC allows 60 but says nothing of its arithmetic; it lies between :59 and the next second.
        #expect((1_483_228_799...1_483_228_800).contains(date.secondsSince1970))
    }

    // MARK: - Dates before 1970

    @Test(
        "dates before the epoch",
        arguments: [
            ("Wed, 31 Dec 1969 23:59:59 GMT", Int64(-1)),
            ("Sun, 20 Jul 1969 20:17:40 GMT", -14_182_940),
            ("Mon, 01 Jan 1900 00:00:00 GMT", -2_208_988_800),
            ("Sun, 31 Dec 1899 23:59:59 GMT", -2_208_988_801),
            ("Tue, 08 May 1945 23:01:00 GMT", -777_862_740),
            ("Fri, 15 Oct 1582 00:00:00 GMT", -12_219_292_800),
            ("Mon, 01 Jan 0001 00:00:00 GMT", -62_135_596_800),
        ])
    func beforeEpoch(_ text: String, _ expected: Int64) {
        #expect(HTTPDate(text)?.secondsSince1970 == expected)
        #expect(HTTPDate(secondsSince1970: expected).imfFixdate == text)
    }

    // MARK: - RFC 850 two-digit years

    static let now2000 = HTTPDate(secondsSince1970: 961_070_400)  // Thu, 15 Jun 2000 12:00:00 GMT
    static let now2026 = HTTPDate(secondsSince1970: 1_772_323_200)  // Sun, 01 Mar 2026 00:00:00 GMT
    static let now1990 = HTTPDate(secondsSince1970: 631_152_000)  // Mon, 01 Jan 1990 00:00:00 GMT
    static let now2070 = HTTPDate(secondsSince1970: 3_155_760_000)  // Wed, 01 Jan 2070 00:00:00 GMT
    static let now2060 = HTTPDate(secondsSince1970: 2_854_526_400)  // Tue, 15 Jun 2060 12:00:00 GMT

    struct PivotCase: Sendable, CustomTestStringConvertible {
        let now: HTTPDate
        let text: String
        let expected: Int64?
        init(now: HTTPDate, _ text: String, expected: Int64?) {
            self.now = now
            self.text = text
            self.expected = expected
        }
        var testDescription: String { "\(text) seen at \(now.secondsSince1970)" }
    }

    /// §5.6.7: "a timestamp that appears to be more than 50 years in the future" is "the most
    /// recent year in the past that had the same last two digits".
    static let pivotCases: [PivotCase] = [
        PivotCase(now: now2000, "Friday, 01-Jan-49 00:00:00 GMT", expected: 2_493_072_000),  // 2049
        PivotCase(now: now2000, "Saturday, 01-Jan-50 00:00:00 GMT", expected: 2_524_608_000),  // 2050
        PivotCase(now: now2000, "Monday, 01-Jan-51 00:00:00 GMT", expected: -599_616_000),  // 1951
        PivotCase(now: now2000, "Friday, 31-Dec-99 23:59:59 GMT", expected: 946_684_799),  // 1999
        PivotCase(now: now2000, "Saturday, 01-Jan-00 00:00:00 GMT", expected: 946_684_800),  // 2000
        PivotCase(now: now2000, "Monday, 01-Jan-01 00:00:00 GMT", expected: 978_307_200),  // 2001
        PivotCase(now: now2000, "Thursday, 01-Jan-70 00:00:00 GMT", expected: 0),  // 1970, not 2070
        // exactly 50 years ahead is not "more than 50 years"; one second more is
        PivotCase(now: now2000, "Wednesday, 15-Jun-50 12:00:00 GMT", expected: 2_538_907_200),  // 2050
        PivotCase(now: now2000, "Thursday, 15-Jun-50 12:00:01 GMT", expected: -616_852_799),  // 1950
        PivotCase(now: now2026, "Wednesday, 01-Jan-76 00:00:00 GMT", expected: 3_345_062_400),  // 2076
        PivotCase(now: now2026, "Saturday, 01-Jan-77 00:00:00 GMT", expected: 220_924_800),  // 1977
        PivotCase(now: now2026, "Sunday, 01-Mar-26 00:00:00 GMT", expected: 1_772_323_200),  // 2026
        PivotCase(now: now2026, "Wednesday, 01-Jan-25 00:00:00 GMT", expected: 1_735_689_600),  // 2025
        PivotCase(now: now2026, "Friday, 01-Jan-99 00:00:00 GMT", expected: 915_148_800),  // 1999
        PivotCase(now: now2026, "Wednesday, 01-Jan-70 00:00:00 GMT", expected: 3_155_760_000),  // 2070
        PivotCase(now: now2026, "Tuesday, 29-Feb-00 00:00:00 GMT", expected: 951_782_400),  // 2000, leap
        PivotCase(now: now2026, "Thursday, 29-Feb-96 00:00:00 GMT", expected: 825_552_000),  // 1996, leap
        PivotCase(now: now2026, "Sunday, 06-Nov-94 08:49:37 GMT", expected: 784_111_777),  // 1994
        PivotCase(now: now1990, "Saturday, 01-Jan-39 00:00:00 GMT", expected: 2_177_452_800),  // 2039
        PivotCase(now: now1990, "Wednesday, 01-Jan-41 00:00:00 GMT", expected: -915_148_800),  // 1941
        PivotCase(now: now1990, "Sunday, 31-Dec-89 00:00:00 GMT", expected: 631_065_600),  // 1989
        // seen in 2070, "00" is 2100 (30 years ahead), which has no 29 February
        PivotCase(now: now2070, "Monday, 29-Feb-00 00:00:00 GMT", expected: nil),
        PivotCase(now: now2070, "Sunday, 28-Feb-00 00:00:00 GMT", expected: 4_107_456_000),  // 2100
        // seen in 2060, two digits below 60 may mean the next century
        PivotCase(now: now2060, "Sunday, 15-Jun-10 12:00:00 GMT", expected: 4_432_276_800),  // 2110, exactly 50 years ahead
        PivotCase(now: now2060, "Tuesday, 15-Jun-10 12:00:01 GMT", expected: 1_276_603_201),  // 2010
        PivotCase(now: now2060, "Tuesday, 01-Jan-09 00:00:00 GMT", expected: 4_386_441_600),  // 2109
        PivotCase(now: now2060, "Saturday, 01-Jan-11 00:00:00 GMT", expected: 1_293_840_000),  // 2011
        PivotCase(now: now2060, "Tuesday, 15-Jun-60 12:00:00 GMT", expected: 2_854_526_400),  // 2060
    ]

    @Test("RFC 850 two-digit year with now (§5.6.7)", arguments: pivotCases)
    func pivotWithNow(_ c: PivotCase) {
        #expect(HTTPDate(c.text, now: c.now)?.secondsSince1970 == c.expected)
    }

    @Test(
        "RFC 850 two-digit year without now: 70–99 → 19xx, 00–69 → 20xx",
        arguments: [
            ("Thursday, 01-Jan-70 00:00:00 GMT", Int64(0)),
            ("Sunday, 06-Nov-94 08:49:37 GMT", 784_111_777),
            ("Friday, 31-Dec-99 23:59:59 GMT", 946_684_799),
            ("Saturday, 01-Jan-00 00:00:00 GMT", 946_684_800),
            ("Tuesday, 31-Dec-69 23:59:59 GMT", 3_155_759_999),
        ])
    func pivotWithoutNow(_ text: String, _ expected: Int64) {
        #expect(HTTPDate(text)?.secondsSince1970 == expected)
    }

    // MARK: - Garbage and near misses

    static let invalid: [String] = [
        "",
        " ",
        "0",
        "784111777",
        "Sun, 06 Nov 1994",
        "Sun, 06 Nov 1994 08:49:37",  // no zone
        "Sun, 06 Nov 1994 08:49:37 UTC",  // zone must be GMT
        "Sun, 06 Nov 1994 08:49:37 +0000",
        "Sun, 06 Nov 1994 08:49:37 EST",
        "Sun, 06 Nov 1994 08:49:37 Z",
        "Sun, 06 Nov 1994 08:49:37 GMT+1",
        "Sun, 06 Nov 1994 08:49:37 GMT x",  // trailing text
        "Sun, 06 Nov 1994 08:49:37 GMTx",
        "Sun, 06 Nov 1994 08:49:37 GMT, Mon, 07 Nov 1994 08:49:37 GMT",  // a list of dates
        "Sun, 06 Nov 1994 08:49:37 GMT,",
        "Sun, 06-Nov-1994 08:49:37 GMT",  // wrong separators
        "Sun 06 Nov 1994 08:49:37 GMT",
        "Sun,06 Nov 1994 08:49:37 GMT",
        "Sun,  06 Nov 1994 08:49:37 GMT",
        "Sun, 06  Nov 1994 08:49:37 GMT",
        "Sun, 06 Nov 1994  08:49:37 GMT",
        "Sun, 06 Nov 1994 08.49.37 GMT",
        "Sun, 06 Nov 1994 08:49 GMT",
        "Sun, 06/Nov/1994 08:49:37 GMT",
        "Sun, 6 Nov 1994 08:49:37 GMT",  // day is 2DIGIT
        "Sun, 06 Nov 94 08:49:37 GMT",  // year is 4DIGIT
        "Sun, 06 Nov 01994 08:49:37 GMT",
        "Sun, 06 Nov 1994 8:49:37 GMT",
        "Sun, 06 Nov 1994 24:00:00 GMT",  // hour 24
        "Sun, 06 Nov 1994 08:60:00 GMT",
        "Sun, 06 Nov 1994 08:49:61 GMT",
        "Sun, 06 Foo 1994 08:49:37 GMT",
        "Sun, 06 November 1994 08:49:37 GMT",
        "Sux, 06 Nov 1994 08:49:37 GMT",
        "Sunday, 06 Nov 1994 08:49:37 GMT",  // long day name in IMF-fixdate
        "Sun, 06 Nov 1994 08:49:37 GMT\u{0}",
        "Sun, -6 Nov 1994 08:49:37 GMT",
        "Sun, +6 Nov 1994 08:49:37 GMT",
        "Sun, 06 Nov 199a 08:49:37 GMT",
        "Sun, 06 Nov 1994 08:49:37 gmtt",
        // RFC 850 near misses
        "Sun, 06-Nov-94 08:49:37 GMT",  // short day name
        "Sundy, 06-Nov-94 08:49:37 GMT",
        "Sunday, 06-Nov-1994 08:49:37 GMT",  // 2DIGIT year
        "Sunday, 06 Nov 94 08:49:37 GMT",
        "Sunday, 06-Nov-94 08:49:37",
        "Sunday, 06-Nov-94 08:49:37 UTC",
        "Sunday, 32-Nov-94 08:49:37 GMT",
        "Sunday, 06-Nov-94 24:00:00 GMT",
        "Sunday,06-Nov-94 08:49:37 GMT",
        // asctime near misses
        "Sun Nov 6 08:49:37 1994",  // SP DIGIT needs two spaces
        "Sun Nov   6 08:49:37 1994",
        "Sun Nov  6 08:49:37 94",
        "Sun Nov  6 08:49:37 1994 GMT",
        "Sun Nov  6 08:49:37",
        "Sun, Nov  6 08:49:37 1994",
        "Sun Nov 32 08:49:37 1994",
        "Sun Nov  6 24:00:00 1994",
        "Sun Nov  0 08:49:37 1994",
        // other date formats
        "1994-11-06T08:49:37Z",
        "06 Nov 1994 08:49:37 GMT",
    ]

    @Test("garbage and near misses are rejected", arguments: invalid)
    func rejects(_ text: String) {
        #expect(HTTPDate(text) == nil)
        #expect(HTTPDate(text, now: Self.now2026) == nil)
    }

    // MARK: - Formatting

    @Test(
        "imfFixdate",
        arguments: [
            (Int64(784_111_777), "Sun, 06 Nov 1994 08:49:37 GMT"),
            (0, "Thu, 01 Jan 1970 00:00:00 GMT"),
            (-1, "Wed, 31 Dec 1969 23:59:59 GMT"),
            (951_782_400, "Tue, 29 Feb 2000 00:00:00 GMT"),
            (1_709_164_800, "Thu, 29 Feb 2024 00:00:00 GMT"),
            (253_402_300_799, "Fri, 31 Dec 9999 23:59:59 GMT"),
            (-62_135_596_800, "Mon, 01 Jan 0001 00:00:00 GMT"),
        ])
    func formats(_ seconds: Int64, _ expected: String) {
        let date = HTTPDate(secondsSince1970: seconds)
        #expect(date.imfFixdate == expected)
        #expect(date.description == expected)
        #expect(HTTPDate.imfFixdateLength == 29)
        #expect(expected.utf8.count == HTTPDate.imfFixdateLength)
        date.withIMFFixdateBytes { bytes in
            #expect(Array(bytes) == Array(expected.utf8))
        }
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 40, alignment: 1)
        defer { buffer.deallocate() }
        buffer.initializeMemory(as: UInt8.self, repeating: 0xAA)
        let written = date.write(into: buffer)
        #expect(written == 29)
        #expect(Array(buffer[0..<29]) == Array(expected.utf8))
        #expect(buffer[29...].allSatisfy { $0 == 0xAA }, "write(into:) must not touch bytes after the date")
    }

    @Test("LosslessStringConvertible")
    func lossless() {
        let date = HTTPDate(secondsSince1970: Self.rfcExample)
        #expect(HTTPDate(date.description) == date)
        #expect(HTTPDate("not a date") == nil)
    }

    /// (seconds, IMF-fixdate, weekday 0 = Sunday), from Python's proleptic Gregorian datetime.
    static let weekdayTable: [(Int64, String, Int)] = [
        (-62_135_596_800, "Mon, 01 Jan 0001 00:00:00 GMT", 1),
        (-12_219_292_800, "Fri, 15 Oct 1582 00:00:00 GMT", 5),
        (-11_670_998_400, "Tue, 29 Feb 1600 00:00:00 GMT", 2),
        (-8_515_238_401, "Sun, 28 Feb 1700 23:59:59 GMT", 0),
        (-8_515_238_400, "Mon, 01 Mar 1700 00:00:00 GMT", 1),
        (-6_857_222_400, "Thu, 14 Sep 1752 00:00:00 GMT", 4),
        (-5_333_212_800, "Wed, 31 Dec 1800 00:00:00 GMT", 3),
        (-2_208_988_801, "Sun, 31 Dec 1899 23:59:59 GMT", 0),
        (-2_203_891_200, "Thu, 01 Mar 1900 00:00:00 GMT", 4),
        (-777_862_740, "Tue, 08 May 1945 23:01:00 GMT", 2),
        (-86400, "Wed, 31 Dec 1969 00:00:00 GMT", 3),
        (86400, "Fri, 02 Jan 1970 00:00:00 GMT", 5),
        (94_694_399, "Sun, 31 Dec 1972 23:59:59 GMT", 0),
        (946_598_400, "Fri, 31 Dec 1999 00:00:00 GMT", 5),
        (951_868_800, "Wed, 01 Mar 2000 00:00:00 GMT", 3),
        (1_000_000_000, "Sun, 09 Sep 2001 01:46:40 GMT", 0),
        (2_147_483_647, "Tue, 19 Jan 2038 03:14:07 GMT", 2),
        (2_147_483_648, "Tue, 19 Jan 2038 03:14:08 GMT", 2),
        (4_107_456_000, "Sun, 28 Feb 2100 00:00:00 GMT", 0),
        (4_107_542_400, "Mon, 01 Mar 2100 00:00:00 GMT", 1),
        (13_574_563_200, "Tue, 29 Feb 2400 00:00:00 GMT", 2),
        (32_503_680_000, "Wed, 01 Jan 3000 00:00:00 GMT", 3),
        (253_402_214_400, "Fri, 31 Dec 9999 00:00:00 GMT", 5),
        (242_524_096_323, "Tue, 13 Apr 9655 20:32:03 GMT", 2),
        (-61_902_330_894, "Fri, 23 May 0008 20:05:06 GMT", 5),
        (-26_765_229_887, "Sat, 05 Nov 1121 05:55:13 GMT", 6),
        (-56_256_467_965, "Sat, 21 Apr 0187 11:20:35 GMT", 6),
        (220_560_184_653, "Tue, 10 Apr 8959 21:57:33 GMT", 2),
        (86_785_230_831, "Thu, 12 Feb 4720 16:33:51 GMT", 4),
        (-59_438_090_437, "Tue, 25 Jun 0086 03:19:23 GMT", 2),
        (17_086_197_798, "Wed, 10 Jun 2511 22:03:18 GMT", 3),
        (-45_097_428_547, "Fri, 02 Dec 0540 00:30:53 GMT", 5),
        (-43_876_294_774, "Fri, 13 Aug 0579 12:20:26 GMT", 5),
        (34_315_483_673, "Sun, 31 May 3057 22:47:53 GMT", 0),
        (103_810_827_341, "Wed, 20 Aug 5259 04:55:41 GMT", 3),
        (227_499_862_565, "Fri, 09 Mar 9179 06:16:05 GMT", 5),
        (-27_255_864_981, "Thu, 19 Apr 1106 14:23:39 GMT", 4),
        (190_014_084_257, "Tue, 23 Apr 7991 02:04:17 GMT", 2),
        (189_325_446_257, "Thu, 26 Jun 7969 17:44:17 GMT", 4),
        (165_850_371_809, "Sun, 03 Aug 7225 11:43:29 GMT", 0),
        (224_434_440_000, "Mon, 16 Jan 9082 20:00:00 GMT", 1),
        (-17_658_987_035, "Wed, 30 May 1410 13:49:25 GMT", 3),
        (8_524_861_340, "Sat, 22 Feb 2240 09:02:20 GMT", 6),
        (99_122_869_235, "Mon, 30 Jan 5111 10:20:35 GMT", 1),
        (29_029_796_562, "Thu, 01 Dec 2889 00:22:42 GMT", 4),
        (95_481_749_116, "Fri, 11 Sep 4995 20:05:16 GMT", 5),
        (81_949_042_882, "Tue, 11 Nov 4566 07:01:22 GMT", 2),
        (-45_865_429_642, "Sat, 01 Aug 0516 02:52:38 GMT", 6),
    ]

    @Test("weekdays and formatting across many dates", arguments: weekdayTable)
    func weekdays(_ seconds: Int64, _ text: String, _ weekday: Int) {
        let date = HTTPDate(secondsSince1970: seconds)
        #expect(date.imfFixdate == text)
        #expect(date.components.weekday == weekday)
        #expect(HTTPDate(text) == date)
    }

    // MARK: - Properties

    static let dayNames = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
    static let longDayNames = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"]
    static let monthNames = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    static func pad(_ n: Int, _ width: Int) -> String {
        let s = String(n)
        return String(repeating: "0", count: max(0, width - s.count)) + s
    }

    @Test("format → parse round trip, 0...253402300799")
    func roundTrip() async {
        await propertyCheck(count: 1000, input: Gen.int(in: 0...253_402_300_799)) { seconds in
            let date = HTTPDate(secondsSince1970: Int64(seconds))
            let text = date.imfFixdate
            #expect(text.utf8.count == 29)
            #expect(HTTPDate(text) == date, "\(text)")
        }
    }

    @Test("format → parse round trip before 1970, back to year 1")
    func roundTripBeforeEpoch() async {
        await propertyCheck(count: 500, input: Gen.int(in: -62_135_596_800 ... -1)) { seconds in
            let date = HTTPDate(secondsSince1970: Int64(seconds))
            #expect(HTTPDate(date.imfFixdate) == date, "\(date.imfFixdate)")
        }
    }

    @Test("the three formats, written by the test from components, parse to the same instant")
    func threeFormatsAgree() async {
        await propertyCheck(count: 1000, input: Gen.int(in: 0...253_402_300_799)) { seconds in
            let date = HTTPDate(secondsSince1970: Int64(seconds))
            let c = date.components
            #expect(HTTPDate(c) == date)
            let time = "\(Self.pad(c.hour, 2)):\(Self.pad(c.minute, 2)):\(Self.pad(c.second, 2))"
            let month = Self.monthNames[c.month - 1]
            let imf = "\(Self.dayNames[c.weekday]), \(Self.pad(c.day, 2)) \(month) \(Self.pad(c.year, 4)) \(time) GMT"
            #expect(date.imfFixdate == imf)
            let dayField = c.day < 10 ? " \(c.day)" : "\(c.day)"
            let asctime = "\(Self.dayNames[c.weekday]) \(month) \(dayField) \(time) \(Self.pad(c.year, 4))"
            #expect(HTTPDate(asctime) == date, "\(asctime)")
            // An RFC 850 date read at its own instant is in the same year: 0 years ahead.
            let rfc850 = "\(Self.longDayNames[c.weekday]), \(Self.pad(c.day, 2))-\(month)-\(Self.pad(c.year % 100, 2)) \(time) GMT"
            #expect(HTTPDate(rfc850, now: date) == date, "\(rfc850)")
        }
    }

    @Test("the weekday advances by one each day")
    func weekdayAdvances() async {
        await propertyCheck(count: 1000, input: Gen.int(in: -62_135_596_800...253_402_214_399)) { seconds in
            let today = HTTPDate(secondsSince1970: Int64(seconds))
            let tomorrow = today.adding(seconds: 86_400)
            #expect((today.components.weekday + 1) % 7 == tomorrow.components.weekday)
            let todayName = String(today.imfFixdate.prefix(3))
            let tomorrowName = String(tomorrow.imfFixdate.prefix(3))
            let i = Self.dayNames.firstIndex(of: todayName)
            #expect(i != nil)
            #expect(i.map { Self.dayNames[($0 + 1) % 7] } == tomorrowName)
        }
    }
}
