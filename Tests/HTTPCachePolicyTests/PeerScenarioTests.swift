import Foundation
import HTTPCachePolicy
import HTTPPreconditions
import HTTPTypes
import Testing

/// Scenarios from the test suites of http-cache-semantics and OkHttp's cache, restated
/// against RFC 9111 (intent ported, not code).
@Suite("Peer scenarios")
struct PeerScenarioTests {
    struct Scenario: Sendable, CustomTestStringConvertible {
        let rule: String
        var status: Int = 200
        var requestLines: [String] = []
        let responseLines: [String]
        var shared = true
        let storable: Bool
        let freshAt: Int64?
        var testDescription: String { rule }
    }

    @Test(arguments: [
        Scenario(rule: "§5.2 weird syntax ',,,,max-age =  456 ,' still means max-age (lenient)",
                 responseLines: ["Cache-Control: ,,,,max-age=456      ,"], storable: true, freshAt: 455),
        Scenario(rule: "§5.2 quoted max-age=\"678\"", responseLines: ["Cache-Control: max-age=\"678\""], storable: true, freshAt: 677),
        Scenario(rule: "§5.2.3 IIS pre-check=0 is an unknown directive; heuristics apply",
                 responseLines: ["Cache-Control: pre-check=0, post-check=0, private", "Date: {t}", "Last-Modified: {t-1000}"],
                 shared: false, storable: true, freshAt: 99),
        Scenario(rule: "§4.2.2 heuristic for an old file (cache old files)",
                 responseLines: ["Date: {t}", "Last-Modified: {t-315360000}"], storable: true, freshAt: 86399),
        Scenario(rule: "§4.2.1 max-age=0 is storable but never fresh", responseLines: ["Cache-Control: max-age=0", "ETag: \"a\""],
                 storable: true, freshAt: nil),
        Scenario(rule: "§3 503 with max-age is storable", status: 503, responseLines: ["Cache-Control: max-age=2"], storable: true, freshAt: 1),
        Scenario(rule: "§3 303 with max-age is storable (cacheable 303)", status: 303, responseLines: ["Cache-Control: max-age=1000"],
                 storable: true, freshAt: 999),
        Scenario(rule: "§3 301 is heuristically cacheable", status: 301,
                 responseLines: ["Date: {t}", "Last-Modified: {t-1000}"], storable: true, freshAt: 99),
        Scenario(rule: "§3 412 with no freshness is not storable", status: 412,
                 responseLines: ["Date: {t}", "Last-Modified: {t-1000}"], storable: false, freshAt: nil),
        Scenario(rule: "§5.3 expired Expires (date in the past)", responseLines: ["Date: {t}", "Expires: {t-1}"],
                 storable: true, freshAt: nil),
        Scenario(rule: "§3.5 shared cache with Authorization and s-maxage", requestLines: ["Authorization: test"],
                 responseLines: ["Cache-Control: s-maxage=60"], storable: true, freshAt: 59),
        Scenario(rule: "§3.5 shared cache with Authorization and public, max-age", requestLines: ["Authorization: test"],
                 responseLines: ["Cache-Control: public, max-age=60"], storable: true, freshAt: 59),
        Scenario(rule: "§5.2.2.10 s-maxage=0 in a shared cache wins over max-age", responseLines: ["Cache-Control: s-maxage=0, max-age=3600"],
                 storable: true, freshAt: nil),
        Scenario(rule: "§4.2.1 Expires overridden by max-age (OkHttp maxAgePreferredOverLowerExpires)",
                 responseLines: ["Date: {t-120}", "Expires: {t-60}", "Cache-Control: max-age=180"], storable: true, freshAt: 59),
        Scenario(rule: "RFC 8246 immutable is fresh for its max-age (OkHttp immutableIsCached)",
                 responseLines: ["Cache-Control: immutable, max-age=100"], storable: true, freshAt: 99),
    ])
    func scenario(_ s: Scenario) {
        let stored = policy(s.responseLines, status: s.status, requestLines: s.requestLines, options: s.shared ? .shared : .private)
        #expect(stored.isStorable == s.storable)
        if let freshAt = s.freshAt {
            #expect(stored.isFresh(now: at(freshAt)))
            #expect(!stored.isFresh(now: at(freshAt + 1)))
        } else {
            #expect(!stored.isFresh(now: t0))
        }
    }

    @Test("Codable: a policy survives a round trip next to its body and answers the same")
    func codableRoundTrip() throws {
        let original = policy(
            ["Date: {t}", "Cache-Control: max-age=60, stale-while-revalidate=30, private=\"X-User\"", "ETag: W/\"v\"",
             "Vary: Accept-Encoding", "X-User: u"],
            requestLines: ["Accept-Encoding: gzip"]
        )
        let encoded = try JSONEncoder().encode(original)
        let decoded = try JSONDecoder().decode(CachePolicy.self, from: encoded)
        let req = request(.get, "/page", ["Accept-Encoding: gzip"])
        for now in [Int64(10), 70, 100] {
            #expect(Verdict(decoded.evaluate(request: req, now: at(now))) == Verdict(original.evaluate(request: req, now: at(now))))
        }
        #expect(decoded.response.headerFields == original.response.headerFields)
        #expect(values(decoded.response.headerFields, "X-User") == [])
        #expect(decoded.freshness == original.freshness)
        #expect(decoded.etag == original.etag)
    }
}
