import HTTPPreconditions
import Testing

/// RFC 9110 §14: parsing `Range`, satisfiability, and the limits that keep ranges cheap.
@Suite("Byte ranges (RFC 9110 §14)")
struct ByteRangeTests {
    struct ParseCase: CustomTestStringConvertible, Sendable {
        let value: String
        let specs: [ByteRangeSpec]?
        let rule: String
        var testDescription: String { "\(rule): \(value.debugDescription)" }
    }

    @Test(arguments: [
        ParseCase(value: "bytes=0-499", specs: [.closed(first: 0, last: 499)], rule: "§14.1.2 int-range"),
        ParseCase(value: "bytes=500-", specs: [.from(first: 500)], rule: "§14.1.2 open int-range"),
        ParseCase(value: "bytes=-500", specs: [.suffix(length: 500)], rule: "§14.1.2 suffix-range"),
        ParseCase(value: "bytes=0-0", specs: [.closed(first: 0, last: 0)], rule: "§14.1.2 first byte only"),
        ParseCase(value: "bytes=0-0,-1", specs: [.closed(first: 0, last: 0), .suffix(length: 1)], rule: "§14.1.2 first and last byte"),
        ParseCase(value: "bytes=500-600,601-999", specs: [.closed(first: 500, last: 600), .closed(first: 601, last: 999)], rule: "§14.1.2 two ranges"),
        ParseCase(value: "bytes=0-1 , 4-5", specs: [.closed(first: 0, last: 1), .closed(first: 4, last: 5)], rule: "§5.6.1 OWS around commas"),
        ParseCase(value: "  bytes=0-1\t", specs: [.closed(first: 0, last: 1)], rule: "§5.5 surrounding whitespace"),
        ParseCase(value: "bytes=0-1,,4-5,", specs: [.closed(first: 0, last: 1), .closed(first: 4, last: 5)], rule: "§5.6.1 empty list elements"),
        ParseCase(value: "Bytes=1-2", specs: [.closed(first: 1, last: 2)], rule: "§14.1 range unit is case-insensitive"),
        ParseCase(value: "BYTES=-0", specs: [.suffix(length: 0)], rule: "§14.1.2 zero suffix parses (unsatisfiable later)"),
        ParseCase(value: "bytes=99999999999999999999999-", specs: [.from(first: .max)], rule: "§14.1.2 huge first-pos clamps"),
        ParseCase(value: "bytes=0-99999999999999999999999", specs: [.closed(first: 0, last: .max)], rule: "§14.1.2 huge last-pos clamps"),
        ParseCase(value: "items=0-5", specs: nil, rule: "§14.2 unknown unit is ignored"),
        ParseCase(value: "bytes 0-5", specs: nil, rule: "§14.2 missing '='"),
        ParseCase(value: "bytes=", specs: nil, rule: "§14.1.1 range-set needs one range"),
        ParseCase(value: "bytes=,", specs: nil, rule: "§14.1.1 only empty elements"),
        ParseCase(value: "bytes=5-1", specs: nil, rule: "§14.1.1 last-pos before first-pos is invalid"),
        ParseCase(value: "bytes=-", specs: nil, rule: "§14.1.2 neither position"),
        ParseCase(value: "bytes=a-b", specs: nil, rule: "§14.1.2 non-digits"),
        ParseCase(value: "bytes=1-2-3", specs: nil, rule: "§14.1.2 trailing garbage"),
        ParseCase(value: "bytes=1 -2", specs: nil, rule: "§14.1.2 no whitespace inside a range"),
        ParseCase(value: "bytes=--1", specs: nil, rule: "§14.1.2 negative suffix"),
        ParseCase(value: "bytes=0-1;x", specs: nil, rule: "§14.1.2 unexpected character"),
        ParseCase(value: "bytes", specs: nil, rule: "§14.1 unit alone"),
        ParseCase(value: "", specs: nil, rule: "§14.2 empty"),
    ])
    func parse(_ c: ParseCase) {
        #expect(ByteRangeSet(c.value)?.specs == c.specs)
    }

    struct ResolveCase: CustomTestStringConvertible, Sendable {
        let value: String
        let length: Int64
        let expected: RangeResolution
        let rule: String
        var testDescription: String { "\(rule): \(value) of \(length)" }
    }

    @Test(arguments: [
        ResolveCase(value: "bytes=0-499", length: 10_000, expected: .partial([0...499]), rule: "§14.1.2 first 500 bytes"),
        ResolveCase(value: "bytes=500-999", length: 10_000, expected: .partial([500...999]), rule: "§14.1.2 second 500 bytes"),
        ResolveCase(value: "bytes=-500", length: 10_000, expected: .partial([9500...9999]), rule: "§14.1.2 final 500 bytes"),
        ResolveCase(value: "bytes=9500-", length: 10_000, expected: .partial([9500...9999]), rule: "§14.1.2 open range to the end"),
        ResolveCase(value: "bytes=0-0", length: 10_000, expected: .partial([0...0]), rule: "§14.1.2 first byte"),
        ResolveCase(value: "bytes=-1", length: 10_000, expected: .partial([9999...9999]), rule: "§14.1.2 last byte"),
        ResolveCase(value: "bytes=0-20000", length: 100, expected: .partial([0...99]), rule: "§14.1.1 last-pos past the end is clamped"),
        ResolveCase(value: "bytes=-500", length: 100, expected: .partial([0...99]), rule: "§14.1.2 suffix longer than the body selects all"),
        ResolveCase(value: "bytes=100-", length: 100, expected: .unsatisfiable, rule: "§14.1.1 first-pos at the end"),
        ResolveCase(value: "bytes=200-300", length: 100, expected: .unsatisfiable, rule: "§15.5.17 no overlap → 416"),
        ResolveCase(value: "bytes=-0", length: 100, expected: .unsatisfiable, rule: "§14.1.1 zero-length suffix is unsatisfiable"),
        ResolveCase(value: "bytes=200-300,-0", length: 100, expected: .unsatisfiable, rule: "§14.1.1 no range satisfiable"),
        ResolveCase(value: "bytes=200-300,0-9", length: 100, expected: .partial([0...9]), rule: "§14.1.1 one satisfiable range is enough"),
        ResolveCase(value: "bytes=0-0", length: 0, expected: .full, rule: "§14.2 empty representation is served whole"),
        ResolveCase(value: "bytes=-5", length: 0, expected: .full, rule: "§14.2 empty representation is served whole"),
        ResolveCase(value: "bytes=0-0,-1", length: 10_000, expected: .partial([0...0, 9999...9999]), rule: "§14.1.2 first and last byte, two parts"),
        ResolveCase(value: "bytes=50-59,0-9", length: 100, expected: .partial([50...59, 0...9]), rule: "§14.2 disjoint ranges keep the client's order"),
        ResolveCase(value: "bytes=0-9,5-14", length: 100, expected: .partial([0...14]), rule: "§14.2 overlapping ranges coalesce"),
        ResolveCase(value: "bytes=0-9,10-19", length: 100, expected: .partial([0...19]), rule: "§14.2 adjacent ranges coalesce"),
        ResolveCase(value: "bytes=500-600,601-999", length: 10_000, expected: .partial([500...999]), rule: "§14.1.2 the RFC's adjacent example coalesces"),
        ResolveCase(value: "bytes=0-,0-", length: 100, expected: .full, rule: "§17.15 more bytes than the body → ignore Range"),
        ResolveCase(value: "bytes=0-9,1-10,2-11,3-12", length: 100, expected: .full, rule: "§14.2 more than two overlapping ranges → ignore Range"),
        ResolveCase(value: "bytes=0-9,1-10,2-11", length: 100, expected: .partial([0...11]), rule: "§14.2 two overlaps are tolerated"),
    ])
    func resolve(_ c: ResolveCase) throws {
        let set = try #require(ByteRangeSet(c.value))
        #expect(set.resolve(completeLength: c.length) == c.expected)
    }

    @Test("§14.2 too many ranges are ignored as a whole (denial-of-service guard)")
    func tooManyRanges() throws {
        let many = "bytes=" + (0..<101).map { "\($0 * 2)-\($0 * 2)" }.joined(separator: ",")
        let set = try #require(ByteRangeSet(many))
        #expect(set.specs.count == 101)
        #expect(set.resolve(completeLength: 1_000) == .full)
        let fewer = "bytes=" + (0..<100).map { "\($0 * 2)-\($0 * 2)" }.joined(separator: ",")
        guard case .partial(let ranges) = try #require(ByteRangeSet(fewer)).resolve(completeLength: 1_000) else {
            Issue.record("100 disjoint ranges are within the limit")
            return
        }
        #expect(ranges.count == 100)
        #expect(try #require(ByteRangeSet(fewer)).resolve(completeLength: 1_000, limits: .init(maximumRanges: 10)) == .full)
    }

    @Test("§14.2 the Range field is read only when it appears once")
    func rangeFromFields() {
        var fields = HTTPFields()
        #expect(ByteRangeSet(fields) == nil)
        fields.append(HTTPField(name: .range, value: "bytes=1-2"))
        #expect(ByteRangeSet(fields)?.specs == [.closed(first: 1, last: 2)])
        fields.append(HTTPField(name: .range, value: "bytes=3-4"))
        #expect(ByteRangeSet(fields) == nil)
    }

    @Test("§14.1.2 description writes a Range field value that parses back")
    func roundTrip() throws {
        let set = ByteRangeSet([.closed(first: 0, last: 9), .from(first: 20), .suffix(length: 5)])
        #expect(set.description == "bytes=0-9, 20-, -5")
        #expect(try #require(ByteRangeSet(set.description)) == set)
    }
}

import HTTPTypes
