import HTTPCachePolicy
import HTTPPreconditions
import HTTPTypes
import Testing

@Suite("Updating stored header fields with a 304 (RFC 9111 §3.2)")
struct HeaderUpdateTests {
    struct Case: Sendable, CustomTestStringConvertible {
        let rule: String
        let stored: [String]
        let notModified: [String]
        var shared = true
        let field: String
        let expected: [String]
        var testDescription: String { rule }
    }

    static let stored200 = [
        "Content-Type: text/html", "Content-Length: 1000", "Content-Encoding: gzip", "ETag: \"v1\"",
        "Cache-Control: max-age=60", "X-Version: 1", "Link: </a>; rel=preload", "Link: </b>; rel=preload",
    ]

    @Test(arguments: [
        Case(rule: "§3.2 a field present in both is replaced", stored: stored200, notModified: ["X-Version: 2"],
             field: "X-Version", expected: ["2"]),
        Case(rule: "§3.2 a field the stored response lacked is added", stored: stored200, notModified: ["X-New: yes"],
             field: "X-New", expected: ["yes"]),
        Case(rule: "§3.2 all lines of a field are replaced by the new lines", stored: stored200, notModified: ["Link: </c>"],
             field: "Link", expected: ["</c>"]),
        Case(rule: "§3.2 several new lines of one field are all kept", stored: stored200,
             notModified: ["Set-Cookie: a=1", "Set-Cookie: b=2"], field: "Set-Cookie", expected: ["a=1", "b=2"]),
        Case(rule: "§3.2 a field absent from the 304 is kept", stored: stored200, notModified: ["X-Other: 1"],
             field: "X-Version", expected: ["1"]),
        Case(rule: "§3.2 Content-Length is never updated", stored: stored200, notModified: ["Content-Length: 0"],
             field: "Content-Length", expected: ["1000"]),
        Case(rule: "§3.2 Content-Encoding the stored content depends on is not updated", stored: stored200,
             notModified: ["Content-Encoding: br"], field: "Content-Encoding", expected: ["gzip"]),
        Case(rule: "§3.2 Content-Range is not updated", stored: stored200 + ["Content-Range: bytes 0-9/10"],
             notModified: ["Content-Range: bytes 0-1/10"], field: "Content-Range", expected: ["bytes 0-9/10"]),
        Case(rule: "§3.2 Content-Digest of the stored bytes is not updated", stored: stored200 + ["Content-Digest: sha-256=:x:"],
             notModified: ["Content-Digest: sha-256=:y:"], field: "Content-Digest", expected: ["sha-256=:x:"]),
        Case(rule: "§3.2 Content-Type is updated (this cache stores bytes, not parsed content)", stored: stored200,
             notModified: ["Content-Type: text/html; charset=utf-8"], field: "Content-Type", expected: ["text/html; charset=utf-8"]),
        Case(rule: "§3.1 Connection is never stored", stored: stored200, notModified: ["Connection: close"],
             field: "Connection", expected: []),
        Case(rule: "§3.1 a field named by Connection is not stored", stored: stored200,
             notModified: ["Connection: X-Hop", "X-Hop: 1"], field: "X-Hop", expected: []),
        Case(rule: "§3.1 Keep-Alive is not stored", stored: stored200, notModified: ["Keep-Alive: timeout=5"],
             field: "Keep-Alive", expected: []),
        Case(rule: "§3.1 Proxy-Authenticate is not stored", stored: stored200, notModified: ["Proxy-Authenticate: Basic"],
             field: "Proxy-Authenticate", expected: []),
        Case(rule: "§3.1 Transfer-Encoding is not stored", stored: stored200, notModified: ["Transfer-Encoding: chunked"],
             field: "Transfer-Encoding", expected: []),
        Case(rule: "§5.2.2.7 a field the 304 marks private is not stored by a shared cache", stored: stored200,
             notModified: ["Cache-Control: private=\"X-User\", max-age=60", "X-User: alice"], field: "X-User", expected: []),
        Case(rule: "§5.2.2.7 a private cache stores a private-named field", stored: stored200,
             notModified: ["Cache-Control: private=\"X-User\", max-age=60", "X-User: alice"], shared: false,
             field: "X-User", expected: ["alice"]),
        Case(rule: "§3.2 Cache-Control is replaced", stored: stored200, notModified: ["Cache-Control: max-age=5"],
             field: "Cache-Control", expected: ["max-age=5"]),
        Case(rule: "RFC 9111 §5.5 a 1xx Warning is dropped", stored: stored200, notModified: ["Warning: 110 - \"stale\""],
             field: "Warning", expected: []),
    ])
    func updates(_ testCase: Case) {
        let stored = policy(testCase.stored, options: testCase.shared ? .shared : .private)
        let updated = stored.freshened(
            with: response(304, testCase.notModified + ["ETag: \"v1\"", "Date: {t+100}"]),
            request: request(), requestTime: at(99), responseTime: at(100)
        )
        #expect(values(updated.response.headerFields, testCase.field) == testCase.expected)
        #expect(updated.response.status.code == 200)
    }

    @Test("§3.2: the merge keeps the stored fields' order and appends new fields")
    func order() {
        let merged = StoredFields.updating(
            fields(["A: 1", "B: 1", "C: 1"]), with: fields(["B: 2", "D: 2"])
        )
        #expect(merged.map { "\($0.name): \($0.value)" } == ["A: 1", "B: 2", "C: 1", "D: 2"])
    }
}

@Suite("Handling the answer to a validation request (RFC 9111 §4.3.3, §4.3.4)")
struct RevalidationTests {
    static let stored = policy(
        ["Date: {t}", "Cache-Control: max-age=60", "ETag: \"v1\"", "Content-Length: 42", "X-Version: 1", "Age: 30"],
        responseTime: t0
    )

    func sent() -> HTTPRequest { Self.stored.revalidationRequest(for: request()) }

    @Test("souin#809 / nginx regression: a 304 from the origin freshens the stored response")
    func notModifiedFreshens() throws {
        // Stale at t+100; revalidated at t+100 with a 304 that says max-age=60 again.
        #expect(Self.stored.isFresh(now: at(100)) == false)
        let outcome = Self.stored.revalidated(
            with: sent(), response: response(304, ["ETag: \"v1\"", "Date: {t+100}", "Cache-Control: max-age=60"]),
            requestTime: at(99), responseTime: at(100)
        )
        guard case .notModified(let updated) = outcome else {
            Issue.record("expected notModified, got \(outcome)")
            return
        }
        #expect(updated.isFresh(now: at(100)))
        #expect(updated.age(now: at(100)) == 1)  // response_delay of the 304 exchange; the old Age is gone
        #expect(updated.requestTime == at(99))
        #expect(updated.responseTime == at(100))
        #expect(updated.evaluate(request: request(), now: at(130)) == .fresh)
        #expect(values(updated.response.headerFields, "Age") == [])
        #expect(values(updated.response.headerFields, "Content-Length") == ["42"])
    }

    @Test("§3.2: a 304 that tries to change Content-Length does not")
    func contentLengthKept() throws {
        guard case .notModified(let updated) = Self.stored.revalidated(
            with: sent(), response: response(304, ["ETag: \"v1\"", "Content-Length: 0", "X-Version: 2"]), now: at(100)
        ) else {
            Issue.record("expected notModified")
            return
        }
        #expect(values(updated.response.headerFields, "Content-Length") == ["42"])
        #expect(values(updated.response.headerFields, "X-Version") == ["2"])
    }

    @Test("RFC 9110 §6.6.1: a 304 without Date is dated by its response time")
    func notModifiedWithoutDate() throws {
        guard case .notModified(let updated) = Self.stored.revalidated(
            with: sent(), response: response(304, ["ETag: \"v1\""]), now: at(500)
        ) else {
            Issue.record("expected notModified")
            return
        }
        #expect(values(updated.response.headerFields, "Date") == [at(500).imfFixdate])
        #expect(updated.age(now: at(510)) == 10)
        #expect(updated.isFresh(now: at(510)))
    }

    @Test("§4.3.4: a 304 with another strong ETag cannot be used")
    func notModifiedForAnother() {
        let outcome = Self.stored.revalidated(with: sent(), response: response(304, ["ETag: \"v2\""]), now: at(100))
        guard case .notModifiedForOtherResponse = outcome else {
            Issue.record("expected notModifiedForOtherResponse, got \(outcome)")
            return
        }
    }

    @Test("§4.3.3: a 200 replaces the stored response")
    func fullResponseReplaces() {
        let outcome = Self.stored.revalidated(
            with: sent(), response: response(200, ["ETag: \"v2\"", "Date: {t+100}", "Cache-Control: max-age=10"]), now: at(100)
        )
        guard case .modified(let replacement) = outcome else {
            Issue.record("expected modified")
            return
        }
        #expect(replacement.etag == EntityTag("\"v2\""))
        #expect(replacement.freshnessLifetime == 10)
    }

    struct ErrorCase: Sendable, CustomTestStringConvertible {
        let rule: String
        let status: Int
        let cacheControl: String
        let servesStale: Bool
        var testDescription: String { rule }
    }

    @Test(arguments: [
        ErrorCase(rule: "RFC 5861 §4 500 within stale-if-error", status: 500, cacheControl: "max-age=60, stale-if-error=600", servesStale: true),
        ErrorCase(rule: "RFC 5861 §4 502 within stale-if-error", status: 502, cacheControl: "max-age=60, stale-if-error=600", servesStale: true),
        ErrorCase(rule: "RFC 5861 §4 503 within stale-if-error", status: 503, cacheControl: "max-age=60, stale-if-error=600", servesStale: true),
        ErrorCase(rule: "RFC 5861 §4 504 within stale-if-error", status: 504, cacheControl: "max-age=60, stale-if-error=600", servesStale: true),
        ErrorCase(rule: "RFC 5861 §4 501 is not an error for stale-if-error", status: 501,
                  cacheControl: "max-age=60, stale-if-error=600", servesStale: false),
        ErrorCase(rule: "RFC 5861 §4 503 past stale-if-error", status: 503, cacheControl: "max-age=60, stale-if-error=10", servesStale: false),
        ErrorCase(rule: "§4.3.3 503 without stale-if-error is forwarded", status: 503, cacheControl: "max-age=60", servesStale: false),
    ])
    func errors(_ testCase: ErrorCase) {
        let stored = policy(["Date: {t}", "Cache-Control: \(testCase.cacheControl)", "ETag: \"v1\""])
        let outcome = stored.revalidated(
            with: stored.revalidationRequest(for: request()), response: response(testCase.status), now: at(100)
        )
        if case .serveStale(.staleIfError) = outcome {
            #expect(testCase.servesStale)
        } else {
            #expect(!testCase.servesStale)
        }
    }

    @Test("§4.3.4: one 304 freshens every stored response it selects")
    func freshensSeveral() {
        let stored = [
            policy(["ETag: \"a\"", "Date: {t-100}", "Cache-Control: max-age=10", "Content-Language: en"]),
            policy(["ETag: \"a\"", "Date: {t-90}", "Cache-Control: max-age=10", "Content-Language: fr"]),
        ]
        let notModified = response(304, ["ETag: \"a\"", "Date: {t}", "Cache-Control: max-age=300"])
        let selected = Validation.selectedForUpdate(by: notModified, among: stored)
        let updated = selected.map { stored[$0].freshened(with: notModified, request: request(), requestTime: t0, responseTime: t0) }
        #expect(updated.map(\.freshnessLifetime) == [300, 300])
        #expect(updated.map { values($0.response.headerFields, "Content-Language") } == [["en"], ["fr"]])
    }
}
