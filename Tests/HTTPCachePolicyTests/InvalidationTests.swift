import HTTPCachePolicy
import HTTPPreconditions
import HTTPTypes
import Testing

struct InvalidationCase: Sendable, CustomTestStringConvertible {
    let rule: String
    var method: HTTPRequest.Method = .post
    var status: Int = 200
    var lines: [String] = []
    let expected: [String]
    var testDescription: String { rule }
}

@Suite("Invalidation (RFC 9111 §4.4)")
struct InvalidationTests {
    @Test(arguments: [
        InvalidationCase(rule: "§4.4 POST 200 invalidates the target URI", expected: ["https://example.com/page"]),
        InvalidationCase(rule: "§4.4 PUT 204", method: .put, status: 204, expected: ["https://example.com/page"]),
        InvalidationCase(rule: "§4.4 DELETE 200", method: .delete, expected: ["https://example.com/page"]),
        InvalidationCase(rule: "§4.4 PATCH 302 (3xx is not an error)", method: .patch, status: 302, expected: ["https://example.com/page"]),
        InvalidationCase(rule: "§4.4 unknown methods are unsafe", method: HTTPRequest.Method("PURGEALL")!, expected: ["https://example.com/page"]),
        InvalidationCase(rule: "§4.4 an error status invalidates nothing", status: 404, expected: []),
        InvalidationCase(rule: "§4.4 a 5xx invalidates nothing", status: 500, expected: []),
        InvalidationCase(rule: "§4.4 safe GET invalidates nothing", method: .get, expected: []),
        InvalidationCase(rule: "§4.4 safe OPTIONS invalidates nothing", method: .options, expected: []),
        InvalidationCase(rule: "§4.4 same-origin Location (absolute)", lines: ["Location: https://EXAMPLE.com:443/new"],
                         expected: ["https://example.com/page", "https://example.com/new"]),
        InvalidationCase(rule: "§4.4 Location relative path resolved", lines: ["Location: items/7"],
                         expected: ["https://example.com/page", "https://example.com/items/7"]),
        InvalidationCase(rule: "§4.4 Location with dot segments resolved", lines: ["Location: /a/b/../c/./d"],
                         expected: ["https://example.com/page", "https://example.com/a/c/d"]),
        InvalidationCase(rule: "§4.4 Content-Location same origin", lines: ["Content-Location: /page.json"],
                         expected: ["https://example.com/page", "https://example.com/page.json"]),
        InvalidationCase(rule: "§4.4 Location and Content-Location both", lines: ["Location: /x", "Content-Location: /y"],
                         expected: ["https://example.com/page", "https://example.com/x", "https://example.com/y"]),
        InvalidationCase(rule: "§4.4 another host is not invalidated", lines: ["Location: https://other.example/page"],
                         expected: ["https://example.com/page"]),
        InvalidationCase(rule: "§4.4 another scheme is not invalidated", lines: ["Location: http://example.com/page2"],
                         expected: ["https://example.com/page"]),
        InvalidationCase(rule: "§4.4 another port is not invalidated", lines: ["Location: https://example.com:8443/x"],
                         expected: ["https://example.com/page"]),
        InvalidationCase(rule: "§4.4 network-path reference to another host", lines: ["Location: //evil.example/x"],
                         expected: ["https://example.com/page"]),
        InvalidationCase(rule: "§4.4 a fragment is dropped", lines: ["Content-Location: /doc#part"],
                         expected: ["https://example.com/page", "https://example.com/doc"]),
        InvalidationCase(rule: "§4.4 Location equal to the target is listed once", lines: ["Location: /page"],
                         expected: ["https://example.com/page"]),
        InvalidationCase(rule: "§4.4 query-only reference", lines: ["Location: ?v=2"],
                         expected: ["https://example.com/page", "https://example.com/page?v=2"]),
    ])
    func invalidates(_ testCase: InvalidationCase) {
        let uris = Invalidation.invalidatedURIs(
            request: request(testCase.method, "/page"), response: response(testCase.status, testCase.lines)
        )
        #expect(uris == testCase.expected)
    }
}

/// A stored response marked invalid (a soft purge) needs validation before reuse and stays
/// usable for stale-if-error and stale-while-revalidate from the moment it was marked.
@Suite("Marking a stored response invalid (RFC 9111 §4.4, RFC 5861)")
struct MarkedInvalidTests {
    struct Case: Sendable, CustomTestStringConvertible {
        let rule: String
        let lines: [String]
        /// Seconds after t0 the response is marked invalid.
        let markedAt: Int64
        /// Seconds after t0 it is evaluated.
        let now: Int64
        let expected: String
        var testDescription: String { rule }
    }

    static let cases: [Case] = [
        Case(rule: "§4.4 a fresh response marked invalid must be validated", lines: ["Cache-Control: max-age=600", "ETag: \"a\""], markedAt: 10, now: 10, expected: "revalidate"),
        Case(rule: "§4.4 it stays invalid later on", lines: ["Cache-Control: max-age=600", "ETag: \"a\""], markedAt: 10, now: 300, expected: "revalidate"),
        Case(rule: "RFC 5861 §3 stale-while-revalidate counts from the mark", lines: ["Cache-Control: max-age=600, stale-while-revalidate=30"], markedAt: 100, now: 120, expected: "stale-while-revalidate"),
        Case(rule: "RFC 5861 §3 and ends with its window", lines: ["Cache-Control: max-age=600, stale-while-revalidate=30"], markedAt: 100, now: 140, expected: "revalidate"),
        Case(rule: "§4.2 a response already stale stays as stale as it was", lines: ["Cache-Control: max-age=10"], markedAt: 100, now: 100, expected: "revalidate"),
    ]

    @Test("evaluation after the mark", arguments: cases)
    func evaluation(_ testCase: Case) {
        let marked = policy(testCase.lines).markedInvalid(now: at(testCase.markedAt))
        let outcome: String
        switch marked.evaluate(request: request(), now: at(testCase.now)) {
        case .fresh: outcome = "fresh"
        case .usableStale(.staleWhileRevalidate, _): outcome = "stale-while-revalidate"
        case .usableStale: outcome = "stale"
        case .mustRevalidate: outcome = "revalidate"
        default: outcome = "other"
        }
        #expect(outcome == testCase.expected)
        #expect(!marked.isFresh(now: at(testCase.now)))
    }

    @Test("RFC 5861 §4: stale-if-error still applies, counted from the mark")
    func staleIfError() {
        let marked = policy(["Cache-Control: max-age=600, stale-if-error=60"]).markedInvalid(now: at(100))
        #expect(marked.allowsStaleIfError(request: request(), now: at(150)))
        #expect(!marked.allowsStaleIfError(request: request(), now: at(170)))
    }

    @Test("§4.3.4: a 304 after the mark makes the response fresh again")
    func freshenedAgain() throws {
        let marked = policy(["Cache-Control: max-age=600", "ETag: \"a\""]).markedInvalid(now: at(100))
        guard case .mustRevalidate(let conditional, _) = marked.evaluate(request: request(), now: at(100)) else {
            Issue.record("expected a revalidation")
            return
        }
        let outcome = marked.revalidated(
            with: conditional, response: response(304, ["ETag: \"a\"", "Date: {t+100}"]), requestTime: at(100), responseTime: at(100)
        )
        guard case .notModified(let freshened) = outcome else {
            Issue.record("expected notModified, got \(outcome)")
            return
        }
        #expect(freshened.isFresh(now: at(200)))
    }
}
