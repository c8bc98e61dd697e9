import HTTPCachePolicy
import HTTPPreconditions
import HTTPTypes
import Testing

struct TargetedCase: Sendable, CustomTestStringConvertible {
    let rule: String
    let lines: [String]
    let targets: [String]
    let expected: CacheControl
    let source: String
    var testDescription: String { rule }
}

@Suite("Targeted cache control (RFC 9213)")
struct TargetedCacheControlTests {
    static let cases: [TargetedCase] = [
        TargetedCase(rule: "§2.2 CDN-Cache-Control replaces Cache-Control",
                     lines: ["Cache-Control: max-age=60", "CDN-Cache-Control: max-age=600"],
                     targets: ["CDN-Cache-Control"], expected: cc(maxAge: 600), source: "cdn-cache-control"),
        TargetedCase(rule: "§2.2 replaced as a whole: Cache-Control's no-store does not apply",
                     lines: ["Cache-Control: no-store", "CDN-Cache-Control: max-age=600, public"],
                     targets: ["CDN-Cache-Control"], expected: cc(maxAge: 600, .public), source: "cdn-cache-control"),
        TargetedCase(rule: "§2.1 malformed targeted field is ignored (falls back to Cache-Control)",
                     lines: ["Cache-Control: max-age=60", "CDN-Cache-Control: max-age=600, ,;"],
                     targets: ["CDN-Cache-Control"], expected: cc(maxAge: 60), source: "cache-control"),
        TargetedCase(rule: "§2.1 a quoted-string list syntax that is not a Dictionary is ignored",
                     lines: ["Cache-Control: max-age=60", "CDN-Cache-Control: no-cache=\"a\" junk"],
                     targets: ["CDN-Cache-Control"], expected: cc(maxAge: 60), source: "cache-control"),
        TargetedCase(rule: "§2.1 an uppercase key is not a valid Dictionary key: ignored",
                     lines: ["Cache-Control: max-age=60", "CDN-Cache-Control: Max-Age=600"],
                     targets: ["CDN-Cache-Control"], expected: cc(maxAge: 60), source: "cache-control"),
        TargetedCase(rule: "§2.1 empty targeted field is ignored",
                     lines: ["Cache-Control: max-age=60", "CDN-Cache-Control: "],
                     targets: ["CDN-Cache-Control"], expected: cc(maxAge: 60), source: "cache-control"),
        TargetedCase(rule: "§2.2 first present valid target in list order wins",
                     lines: ["CDN-Cache-Control: max-age=600", "Cachet-Cache-Control: max-age=5"],
                     targets: ["Cachet-Cache-Control", "CDN-Cache-Control"], expected: cc(maxAge: 5), source: "cachet-cache-control"),
        TargetedCase(rule: "§2.2 an invalid first target falls back to the next target",
                     lines: ["CDN-Cache-Control: max-age=600", "Cachet-Cache-Control: max-age=(("],
                     targets: ["Cachet-Cache-Control", "CDN-Cache-Control"], expected: cc(maxAge: 600), source: "cdn-cache-control"),
        TargetedCase(rule: "§2.2 a cache with no targets ignores CDN-Cache-Control",
                     lines: ["Cache-Control: max-age=60", "CDN-Cache-Control: max-age=600"],
                     targets: [], expected: cc(maxAge: 60), source: "cache-control"),
        TargetedCase(rule: "§2.1 Boolean members are directives; parameters ignored",
                     lines: ["CDN-Cache-Control: no-store;x=1, must-revalidate"],
                     targets: ["CDN-Cache-Control"], expected: cc([.noStore, .mustRevalidate]), source: "cdn-cache-control"),
        TargetedCase(rule: "§2.1 String argument lists field names",
                     lines: ["CDN-Cache-Control: private=\"set-cookie\", s-maxage=10"],
                     targets: ["CDN-Cache-Control"], expected: cc(sMaxAge: 10, private: ["set-cookie"]), source: "cdn-cache-control"),
        TargetedCase(rule: "§2.1 a non-Integer max-age is invalid: stale",
                     lines: ["CDN-Cache-Control: max-age=1.5"],
                     targets: ["CDN-Cache-Control"], expected: cc(maxAge: 0), source: "cdn-cache-control"),
        TargetedCase(rule: "§2.1 a String max-age is the wrong type: stale",
                     lines: ["CDN-Cache-Control: max-age=\"60\""],
                     targets: ["CDN-Cache-Control"], expected: cc(maxAge: 0), source: "cdn-cache-control"),
        TargetedCase(rule: "§2.1 an Inner List of Tokens lists no-cache field names",
                     lines: ["CDN-Cache-Control: no-cache=(set-cookie x-a), max-age=5"],
                     targets: ["CDN-Cache-Control"], expected: cc(maxAge: 5, noCache: ["set-cookie", "x-a"]), source: "cdn-cache-control"),
        TargetedCase(rule: "§2.1 Boolean false is the directive's absence",
                     lines: ["CDN-Cache-Control: no-store=?0, max-age=5"],
                     targets: ["CDN-Cache-Control"], expected: cc(maxAge: 5), source: "cdn-cache-control"),
        TargetedCase(rule: "§2.1 a negative Integer max-age is invalid: stale",
                     lines: ["CDN-Cache-Control: max-age=-5"],
                     targets: ["CDN-Cache-Control"], expected: cc(maxAge: 0), source: "cdn-cache-control"),
        TargetedCase(rule: "§2.1 several field lines form one Dictionary",
                     lines: ["CDN-Cache-Control: max-age=10", "CDN-Cache-Control: stale-if-error=30"],
                     targets: ["CDN-Cache-Control"], expected: cc(maxAge: 10, sie: 30), source: "cdn-cache-control"),
    ]

    @Test(arguments: cases)
    func effectiveDirectives(_ testCase: TargetedCase) {
        let (directives, source) = TargetedCacheControl.effectiveDirectives(
            of: fields(testCase.lines),
            targets: testCase.targets.map { HTTPField.Name($0)! }
        )
        #expect(directives == testCase.expected)
        #expect(source.canonicalName == testCase.source)
    }

    @Test("RFC 9213 §2.1 regression: malformed CDN-Cache-Control is ignored, the policy uses Cache-Control")
    func malformedTargetedFieldIgnoredByPolicy() {
        let stored = policy(["Cache-Control: max-age=60", "CDN-Cache-Control: max-age=\"600"])
        #expect(stored.freshnessLifetime == 60)
        #expect(stored.directivesSource == .cacheControl)
    }

    @Test("RFC 9213 §2.2: CDN-Cache-Control no-store makes a shared cache refuse, a private cache ignores it")
    func targetedNoStore() {
        let lines = ["Cache-Control: max-age=60", "CDN-Cache-Control: no-store"]
        #expect(policy(lines).storability == .notStorable(.responseNoStore))
        #expect(policy(lines, options: .private).storability == .storable)
    }
}
