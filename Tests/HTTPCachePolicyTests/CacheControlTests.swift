import HTTPCachePolicy
import HTTPPreconditions
import HTTPTypes
import Testing

/// Builds the expected value of a parse.
func cc(
    maxAge: Int64? = nil,
    sMaxAge: Int64? = nil,
    maxStale: CacheControl.MaxStale? = nil,
    minFresh: Int64? = nil,
    swr: Int64? = nil,
    sie: Int64? = nil,
    noCache: [String] = [],
    private privateNames: [String] = [],
    _ flags: CacheControl.Flags = []
) -> CacheControl {
    var value = CacheControl()
    value.maxAge = maxAge
    value.sharedMaxAge = sMaxAge
    value.maxStale = maxStale
    value.minFresh = minFresh
    value.staleWhileRevalidate = swr
    value.staleIfError = sie
    value.noCacheFieldNames = noCache.map { HTTPField.Name($0)! }
    value.privateFieldNames = privateNames.map { HTTPField.Name($0)! }
    value.flags = flags
    return value
}

struct ParseCase: Sendable, CustomTestStringConvertible {
    let rule: String
    let input: String
    let expected: CacheControl
    var testDescription: String { "\(rule): \(input)" }
}

@Suite("Cache-Control parsing (RFC 9111 §5.2)")
struct CacheControlTests {
    static let cases: [ParseCase] = [
        ParseCase(rule: "§5.2.2.1 max-age", input: "max-age=60", expected: cc(maxAge: 60)),
        ParseCase(rule: "§5.2.2.10 s-maxage", input: "s-maxage=30", expected: cc(sMaxAge: 30)),
        ParseCase(rule: "§5.2.2.4 no-cache unqualified", input: "no-cache", expected: cc(.noCache)),
        ParseCase(rule: "§5.2.2.4 no-cache with field names", input: "no-cache=\"Set-Cookie, X-Foo\"",
                  expected: cc(noCache: ["set-cookie", "x-foo"])),
        ParseCase(rule: "§5.2.2.4 no-cache with a token field name", input: "no-cache=Set-Cookie",
                  expected: cc(noCache: ["set-cookie"])),
        ParseCase(rule: "§5.2.2.4 empty field list is unqualified", input: "no-cache=\"\"", expected: cc(.noCache)),
        ParseCase(rule: "§4.2.1 unqualified no-cache beats qualified", input: "no-cache=\"a\", no-cache",
                  expected: cc(noCache: ["a"], .noCache)),
        ParseCase(rule: "§5.2.2.5 no-store", input: "no-store", expected: cc(.noStore)),
        ParseCase(rule: "§5.2.2.7 private unqualified", input: "private", expected: cc(.private)),
        ParseCase(rule: "§5.2.2.7 private with field names", input: "private=\"Authorization-Info,x-user\"",
                  expected: cc(private: ["authorization-info", "x-user"])),
        ParseCase(rule: "§5.2.2.9 public", input: "public", expected: cc(.public)),
        ParseCase(rule: "§5.2.2.2 must-revalidate", input: "must-revalidate", expected: cc(.mustRevalidate)),
        ParseCase(rule: "§5.2.2.8 proxy-revalidate", input: "proxy-revalidate", expected: cc(.proxyRevalidate)),
        ParseCase(rule: "§5.2.2.3 must-understand", input: "must-understand, no-store",
                  expected: cc([.mustUnderstand, .noStore])),
        ParseCase(rule: "§5.2.2.6 no-transform", input: "no-transform", expected: cc(.noTransform)),
        ParseCase(rule: "RFC 8246 immutable", input: "max-age=31536000, immutable",
                  expected: cc(maxAge: 31_536_000, .immutable)),
        ParseCase(rule: "RFC 5861 §3 stale-while-revalidate", input: "max-age=1, stale-while-revalidate=59",
                  expected: cc(maxAge: 1, swr: 59)),
        ParseCase(rule: "RFC 5861 §4 stale-if-error", input: "stale-if-error=86400", expected: cc(sie: 86400)),
        ParseCase(rule: "§5.2.1.2 max-stale without value", input: "max-stale", expected: cc(maxStale: .unlimited)),
        ParseCase(rule: "§5.2.1.2 max-stale with value", input: "max-stale=120", expected: cc(maxStale: .seconds(120))),
        ParseCase(rule: "§4.2.1 most restrictive max-stale wins", input: "max-stale, max-stale=5",
                  expected: cc(maxStale: .seconds(5))),
        ParseCase(rule: "§5.2.1.2 invalid max-stale grants nothing", input: "max-stale=soon", expected: cc()),
        ParseCase(rule: "§5.2.1.3 min-fresh", input: "min-fresh=20", expected: cc(minFresh: 20)),
        ParseCase(rule: "§4.2.1 most restrictive min-fresh is the largest", input: "min-fresh=20, min-fresh=50",
                  expected: cc(minFresh: 50)),
        ParseCase(rule: "§5.2.1.7 only-if-cached", input: "only-if-cached", expected: cc(.onlyIfCached)),
        ParseCase(rule: "§5.2 names are case-insensitive", input: "MAX-AGE=5, No-Store, PUBLIC",
                  expected: cc(maxAge: 5, [.noStore, .public])),
        ParseCase(rule: "§5.2 quoted argument accepted", input: "max-age=\"60\"", expected: cc(maxAge: 60)),
        ParseCase(rule: "§5.2 comma inside quotes does not split", input: "private=\"a,b\", max-age=3",
                  expected: cc(maxAge: 3, private: ["a", "b"])),
        ParseCase(rule: "§4.2.1 duplicate max-age: most restrictive", input: "max-age=600, max-age=60",
                  expected: cc(maxAge: 60)),
        ParseCase(rule: "§4.2.1 duplicate s-maxage: most restrictive", input: "s-maxage=5, s-maxage=50",
                  expected: cc(sMaxAge: 5)),
        ParseCase(rule: "§4.2.1 invalid max-age=-1 means stale", input: "max-age=-1", expected: cc(maxAge: 0)),
        ParseCase(rule: "§4.2.1 invalid max-age=abc means stale", input: "max-age=abc", expected: cc(maxAge: 0)),
        ParseCase(rule: "§4.2.1 max-age without argument means stale", input: "max-age", expected: cc(maxAge: 0)),
        ParseCase(rule: "§4.2.1 decimal max-age is invalid", input: "max-age=1.5", expected: cc(maxAge: 0)),
        ParseCase(rule: "§4.2.1 an invalid duplicate makes it stale", input: "max-age=60, max-age=x",
                  expected: cc(maxAge: 0)),
        ParseCase(rule: "§1.2.2 delta-seconds overflow is 2^31", input: "max-age=99999999999999999999999",
                  expected: cc(maxAge: 2_147_483_648)),
        ParseCase(rule: "§1.2.2 exactly 2^31 stays", input: "s-maxage=2147483648", expected: cc(sMaxAge: 2_147_483_648)),
        ParseCase(rule: "RFC 9110 §5.6.1 empty elements and odd spacing", input: " ,, max-age=456 ,\tpublic ,",
                  expected: cc(maxAge: 456, .public)),
        ParseCase(rule: "§5.2.3 unknown directives ignored", input: "pre-check=0, community=\"UCI\", max-age=7",
                  expected: cc(maxAge: 7)),
        ParseCase(rule: "RFC 5861 invalid stale-while-revalidate ignored", input: "stale-while-revalidate=x",
                  expected: cc()),
        ParseCase(rule: "RFC 5861 duplicate stale-if-error: most restrictive", input: "stale-if-error=60, stale-if-error=10",
                  expected: cc(sie: 10)),
        ParseCase(rule: "§5.2 empty field", input: "", expected: cc()),
    ]

    @Test(arguments: cases)
    func parses(_ testCase: ParseCase) {
        #expect(CacheControl(testCase.input) == testCase.expected)
    }

    @Test("§5.2: several Cache-Control lines form one list")
    func combinesLines() {
        let parsed = CacheControl(fields: fields(["Cache-Control: max-age=60", "Cache-Control: public, max-age=30"]))
        #expect(parsed == cc(maxAge: 30, .public))
    }

    struct PragmaCase: Sendable {
        let lines: [String]
        let noCache: Bool
        let viaPragma: Bool
    }

    @Test("§5.4: Pragma: no-cache counts only without Cache-Control", arguments: [
        PragmaCase(lines: ["Pragma: no-cache"], noCache: true, viaPragma: true),
        PragmaCase(lines: ["Pragma: NO-CACHE"], noCache: true, viaPragma: true),
        PragmaCase(lines: ["Pragma: x-foo, no-cache"], noCache: true, viaPragma: true),
        PragmaCase(lines: ["Pragma: no-cache", "Cache-Control: max-age=5"], noCache: false, viaPragma: false),
        PragmaCase(lines: ["Cache-Control: ", "Pragma: no-cache"], noCache: false, viaPragma: false),
        PragmaCase(lines: ["Pragma: x-other"], noCache: false, viaPragma: false),
    ])
    func pragma(_ testCase: PragmaCase) {
        let parsed = CacheControl(requestFields: fields(testCase.lines))
        #expect(parsed.noCache == testCase.noCache)
        #expect(parsed.flags.contains(.pragmaNoCache) == testCase.viaPragma)
    }
}
