import HTTPCachePolicy
import HTTPPreconditions
import HTTPTypes
import Testing

@Suite("Responses served from the cache (RFC 9111 §4, §4.3.2, §5.1)")
struct DeliveryTests {
    static let stored = policy([
        "Date: {t}", "Cache-Control: max-age=600", "ETag: \"v1\"", "Last-Modified: {t-3600}",
        "Content-Type: text/plain", "Content-Length: 5", "Connection: close, X-Hop", "X-Hop: 1", "Keep-Alive: timeout=5",
        "Upgrade: h2c", "Proxy-Authenticate: Basic", "Warning: 110 - \"Response is stale\"", "Warning: 299 - \"kept\"",
        "Age: 3", "Set-Cookie: a=b",
    ])

    @Test("§5.1: Age is the current age in whole seconds")
    func age() {
        #expect(values(Self.stored.responseHead(now: at(10)).headerFields, "Age") == ["13"])
    }

    @Test("§1.2.2: Age is capped at 2147483648")
    func ageCap() {
        let old = policy(["Date: {t}", "Cache-Control: max-age=60", "Age: 2147483647"])
        #expect(values(old.responseHead(now: at(1_000_000)).headerFields, "Age") == ["2147483648"])
    }

    @Test("§3.1, RFC 9110 §7.6.1: connection-specific fields are not delivered", arguments: [
        "Connection", "X-Hop", "Keep-Alive", "Upgrade", "Proxy-Authenticate", "Transfer-Encoding", "TE",
    ])
    func hopByHopRemoved(_ name: String) {
        #expect(values(Self.stored.responseHead(now: t0).headerFields, name) == [])
    }

    @Test("§5.5: stored 1xx Warnings are dropped, others kept, none added")
    func warnings() {
        #expect(values(Self.stored.responseHead(now: at(1000)).headerFields, "Warning") == ["299 - \"kept\""])
    }

    @Test("§3: end-to-end fields are delivered", arguments: ["Set-Cookie", "Content-Type", "Content-Length", "ETag"])
    func endToEndKept(_ name: String) {
        #expect(values(Self.stored.responseHead(now: t0).headerFields, name).count == 1)
    }

    @Test("§5.2.2.4: no-cache=\"Set-Cookie\" withholds Set-Cookie unless just validated")
    func qualifiedNoCache() {
        let stored = policy(["Date: {t}", "Cache-Control: no-cache=\"Set-Cookie\", max-age=60", "Set-Cookie: s=1"])
        #expect(values(stored.responseHead(now: t0).headerFields, "Set-Cookie") == [])
        #expect(values(stored.responseHead(now: t0, validated: true).headerFields, "Set-Cookie") == ["s=1"])
    }

    struct ConditionalCase: Sendable, CustomTestStringConvertible {
        let rule: String
        var method: HTTPRequest.Method = .get
        let lines: [String]
        let status: Int
        let includesContent: Bool
        var testDescription: String { rule }
    }

    @Test(arguments: [
        ConditionalCase(rule: "souin#794 regression: no conditional, no 304", lines: [], status: 200, includesContent: true),
        ConditionalCase(rule: "RFC 9110 §13.1.2 If-None-Match matching gives 304", lines: ["If-None-Match: \"v1\""],
                        status: 304, includesContent: false),
        ConditionalCase(rule: "RFC 9110 §13.1.2 weak comparison", lines: ["If-None-Match: W/\"v1\""], status: 304, includesContent: false),
        ConditionalCase(rule: "RFC 9110 §13.1.2 a list split over lines", lines: ["If-None-Match: \"x\"", "If-None-Match: \"v1\""],
                        status: 304, includesContent: false),
        ConditionalCase(rule: "RFC 9110 §13.1.2 not matching gives 200", lines: ["If-None-Match: \"v0\""], status: 200, includesContent: true),
        ConditionalCase(rule: "RFC 9110 §13.2.2 If-Modified-Since ignored when If-None-Match present",
                        lines: ["If-None-Match: \"v0\"", "If-Modified-Since: {t}"], status: 200, includesContent: true),
        ConditionalCase(rule: "§4.3.2 If-Modified-Since against Last-Modified", lines: ["If-Modified-Since: {t-3600}"],
                        status: 304, includesContent: false),
        ConditionalCase(rule: "§4.3.2 If-Modified-Since before Last-Modified", lines: ["If-Modified-Since: {t-3601}"],
                        status: 200, includesContent: true),
        ConditionalCase(rule: "§4.3.2 If-Match is left for the origin", lines: ["If-Match: \"other\""], status: 200, includesContent: true),
        ConditionalCase(rule: "RFC 9110 §9.3.2 HEAD gets no content", method: .head, lines: [], status: 200, includesContent: false),
    ])
    func answersConditionals(_ testCase: ConditionalCase) {
        let answer = Self.stored.cachedResponse(for: request(testCase.method, "/page", testCase.lines), now: at(20))
        #expect(answer.head.status.code == testCase.status)
        #expect(answer.includesContent == testCase.includesContent)
        #expect(values(answer.head.headerFields, "Age") == ["23"])
    }

    @Test("RFC 9110 §15.4.5: the 304 carries the 200's caching fields and Age, no Content-Type")
    func notModifiedFields() {
        let answer = Self.stored.cachedResponse(for: request(.get, "/page", ["If-None-Match: \"v1\""]), now: at(20))
        #expect(answer.head.headerFields.map(\.name.canonicalName) == ["date", "cache-control", "etag", "age"])
    }

    @Test("§4.3.2: without Last-Modified, If-Modified-Since is evaluated against Date", arguments: [
        ("{t}", 304), ("{t-1}", 200), ("{t+5}", 304),
    ])
    func ifModifiedSinceAgainstDate(since: String, status: Int) {
        let stored = policy(["Date: {t}", "Cache-Control: max-age=600"])
        let answer = stored.cachedResponse(for: request(.get, "/page", ["If-Modified-Since: \(since)"]), now: at(5))
        #expect(answer.head.status.code == status)
    }

    @Test("§4.3.2: without Date either, against the response time")
    func ifModifiedSinceAgainstResponseTime() {
        let stored = policy(["Cache-Control: max-age=600"], responseTime: at(-50))
        #expect(stored.cachedResponse(for: request(.get, "/page", ["If-Modified-Since: {t-50}"]), now: t0).head.status.code == 304)
        #expect(stored.cachedResponse(for: request(.get, "/page", ["If-Modified-Since: {t-51}"]), now: t0).head.status.code == 200)
    }

    @Test("RFC 9110 §14.2: Range on a stored 200 is applied; If-Range with another tag ignores it")
    func ranges() {
        #expect(Self.stored.cachedResponse(for: request(.get, "/page", ["Range: bytes=0-1"]), now: t0).range == .apply)
        #expect(Self.stored.cachedResponse(for: request(.get, "/page", ["Range: bytes=0-1", "If-Range: \"v0\""]), now: t0).range
            == .ignoredByIfRange)
        #expect(Self.stored.cachedResponse(for: request(.head, "/page", ["Range: bytes=0-1"]), now: t0).range == .notRequested)
    }
}
