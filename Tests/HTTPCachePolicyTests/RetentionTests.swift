import HTTPCachePolicy
import HTTPPreconditions
import Testing

struct RetentionCase: Sendable, CustomTestStringConvertible {
    let rule: String
    let lines: [String]
    /// Seconds after the response arrived.
    var at: Int64 = 0
    var keep: Int64 = 1000
    let seconds: Int64
    var testDescription: String { rule }
}

/// How long a store keeps a response (a shared tier's TTL): freshness left, stale windows,
/// and a keep time for revalidation when there is a validator.
@Suite("Retention: how long a stored response may still be used")
struct RetentionTests {
    static let cases: [RetentionCase] = [
        RetentionCase(rule: "RFC 9111 §4.2.1 freshness left, no validator", lines: ["Date: {t}", "Cache-Control: max-age=100"], seconds: 100),
        RetentionCase(rule: "§4.2.3 freshness left after 40 s", lines: ["Date: {t}", "Cache-Control: max-age=100"], at: 40, seconds: 60),
        RetentionCase(rule: "§4.2.3 Age counts against it", lines: ["Date: {t}", "Age: 30", "Cache-Control: max-age=100"], seconds: 70),
        RetentionCase(rule: "§4.3.1 ETag adds the keep time", lines: ["Date: {t}", "Cache-Control: max-age=100", "ETag: \"a\""], seconds: 1100),
        RetentionCase(rule: "§4.3.1 Last-Modified adds the keep time",
                      lines: ["Date: {t}", "Cache-Control: max-age=100", "Last-Modified: {t-1000}"], seconds: 1100),
        RetentionCase(rule: "§4.3.1 stale with a validator: the keep time only",
                      lines: ["Date: {t}", "Cache-Control: max-age=100", "ETag: \"a\""], at: 500, seconds: 1000),
        RetentionCase(rule: "stale without validator: of no further use", lines: ["Date: {t}", "Cache-Control: max-age=100"], at: 500, seconds: 0),
        RetentionCase(rule: "RFC 5861 §3 stale-while-revalidate window",
                      lines: ["Date: {t}", "Cache-Control: max-age=100, stale-while-revalidate=50"], seconds: 150),
        RetentionCase(rule: "RFC 5861 §4 stale-if-error window, the longer one counts",
                      lines: ["Date: {t}", "Cache-Control: max-age=100, stale-while-revalidate=50, stale-if-error=300"], seconds: 400),
        RetentionCase(rule: "RFC 5861 a window partly used up",
                      lines: ["Date: {t}", "Cache-Control: max-age=100, stale-if-error=300"], at: 250, seconds: 150),
        RetentionCase(rule: "§4.2.4 must-revalidate forbids the stale windows",
                      lines: ["Date: {t}", "Cache-Control: max-age=100, must-revalidate, stale-if-error=300"], seconds: 100),
        RetentionCase(rule: "§5.2.2.10 s-maxage forbids them in a shared cache",
                      lines: ["Date: {t}", "Cache-Control: s-maxage=100, stale-if-error=300"], seconds: 100),
        RetentionCase(rule: "keep 0: no extra time", lines: ["Date: {t}", "Cache-Control: max-age=100", "ETag: \"a\""], keep: 0, seconds: 100),
    ]

    @Test(arguments: cases)
    func retention(_ c: RetentionCase) {
        let stored = policy(c.lines)
        #expect(stored.retention(now: at(c.at), keep: c.keep) == c.seconds)
    }

    @Test("RFC 9111 §4.4 a response marked invalid keeps only its stale windows and the keep time")
    func markedInvalid() {
        let stored = policy(["Date: {t}", "Cache-Control: max-age=600, stale-if-error=60", "ETag: \"a\""])
        #expect(stored.retention(now: at(10), keep: 1000) == 590 + 60 + 1000)
        let marked = stored.markedInvalid(now: at(10))
        #expect(marked.retention(now: at(10), keep: 1000) == 60 + 1000)
    }
}
