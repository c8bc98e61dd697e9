import HTTPCachePolicy
import HTTPPreconditions
import HTTPTypes
import Testing

struct CacheStatusCase: Sendable, CustomTestStringConvertible {
    let rule: String
    let status: CacheStatus
    let expected: String
    var testDescription: String { rule }
}

@Suite("Cache-Status (RFC 9211)")
struct CacheStatusTests {
    @Test(arguments: [
        CacheStatusCase(rule: "RFC 9211 §2.1 hit with ttl", status: CacheStatus(hit: true, ttl: 376), expected: "cachet;hit;ttl=376"),
        CacheStatusCase(rule: "RFC 9211 §2.4 negative ttl when stale", status: CacheStatus(hit: true, ttl: -12),
                        expected: "cachet;hit;ttl=-12"),
        CacheStatusCase(rule: "RFC 9211 §2.2 uri-miss, stored", status: CacheStatus(forward: .uriMiss, forwardStatus: 200, stored: true),
                        expected: "cachet;fwd=uri-miss;fwd-status=200;stored"),
        CacheStatusCase(rule: "RFC 9211 §2.2 vary-miss", status: CacheStatus(forward: .varyMiss), expected: "cachet;fwd=vary-miss"),
        CacheStatusCase(rule: "RFC 9211 §2.2 stale with 304", status: CacheStatus(forward: .stale, forwardStatus: 304, ttl: 60, stored: true),
                        expected: "cachet;fwd=stale;fwd-status=304;ttl=60;stored"),
        CacheStatusCase(rule: "RFC 9211 §2.2 request", status: CacheStatus(forward: .request, forwardStatus: 200), expected: "cachet;fwd=request;fwd-status=200"),
        CacheStatusCase(rule: "RFC 9211 §2.2 bypass", status: CacheStatus(forward: .bypass), expected: "cachet;fwd=bypass"),
        CacheStatusCase(rule: "RFC 9211 §2.2 method", status: CacheStatus(forward: .method, forwardStatus: 201), expected: "cachet;fwd=method;fwd-status=201"),
        CacheStatusCase(rule: "RFC 9211 §2.2 miss", status: CacheStatus(forward: .miss), expected: "cachet;fwd=miss"),
        CacheStatusCase(rule: "RFC 9211 §2.6 collapsed", status: CacheStatus(forward: .uriMiss, collapsed: true),
                        expected: "cachet;fwd=uri-miss;collapsed"),
        CacheStatusCase(rule: "RFC 9211 §2.7 key is a String", status: CacheStatus(hit: true, key: "GET https://example.com/\"q\""),
                        expected: "cachet;hit;key=\"GET https://example.com/\\\"q\\\"\""),
        CacheStatusCase(rule: "RFC 9211 §2.8 detail token", status: CacheStatus(hit: true, detail: "memory"), expected: "cachet;hit;detail=memory"),
        CacheStatusCase(rule: "RFC 9211 §2.8 detail that is no token is a String", status: CacheStatus(hit: true, detail: "from disk"),
                        expected: "cachet;hit;detail=\"from disk\""),
        CacheStatusCase(rule: "RFC 9211 §2 configurable cache name", status: CacheStatus(cacheName: "edge-1.example", hit: true),
                        expected: "edge-1.example;hit"),
        CacheStatusCase(rule: "RFC 9211 §2 a name that is no token is a String", status: CacheStatus(cacheName: "My Cache", hit: true),
                        expected: "\"My Cache\";hit"),
    ])
    func serialises(_ testCase: CacheStatusCase) {
        #expect(testCase.status.fieldValue == testCase.expected)
    }

    @Test("RFC 9211 §2: a cache appends its member after the upstream's")
    func appends() {
        var headers = fields(["Cache-Status: origin-cache;hit"])
        CacheStatus(forward: .uriMiss, forwardStatus: 200).append(to: &headers)
        #expect(values(headers, "Cache-Status") == ["origin-cache;hit", "cachet;fwd=uri-miss;fwd-status=200"])
    }

    @Test("RFC 9211 §2.2: evaluations map to fwd reasons")
    func forwardReasons() {
        let stored = policy(["Date: {t}", "Cache-Control: max-age=10", "Vary: Accept"], requestLines: ["Accept: a"])
        #expect(stored.evaluate(request: request(.get, "/page", ["Accept: a"]), now: at(1)).forwardReason == nil)
        #expect(stored.evaluate(request: request(.get, "/page", ["Accept: a"]), now: at(11)).forwardReason == .stale)
        #expect(stored.evaluate(request: request(.get, "/page", ["Accept: b"]), now: at(1)).forwardReason == .varyMiss)
        #expect(stored.evaluate(request: request(.get, "/page", ["Accept: a", "Cache-Control: no-cache"]), now: at(1)).forwardReason == .request)
        #expect(stored.evaluate(request: request(.delete, "/page"), now: at(1)).forwardReason == .method)
    }
}
