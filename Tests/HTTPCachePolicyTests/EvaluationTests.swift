import HTTPCachePolicy
import HTTPPreconditions
import HTTPTypes
import Testing

/// The shape of an evaluation, without the request it may carry.
enum Verdict: Sendable, Equatable {
    case fresh
    case stale(StaleUse)
    case revalidate(RevalidationReason)
    case mismatch(MismatchReason)
    case gatewayTimeout

    init(_ evaluation: CacheEvaluation) {
        switch evaluation {
        case .fresh: self = .fresh
        case .usableStale(let use, _): self = .stale(use)
        case .mustRevalidate(_, let reason): self = .revalidate(reason)
        case .mismatch(let reason): self = .mismatch(reason)
        case .onlyIfCachedUnsatisfied: self = .gatewayTimeout
        }
    }
}

struct EvaluationCase: Sendable, CustomTestStringConvertible {
    let rule: String
    let responseLines: [String]
    var requestLines: [String] = []
    var method: HTTPRequest.Method = .get
    var shared = true
    var ignoreClientNoCache = false
    let now: Int64
    let expected: Verdict
    var testDescription: String { rule }
}

@Suite("Using stored responses (RFC 9111 §4, §4.2.4, §5.2.1; RFC 5861)")
struct EvaluationTests {
    static let fresh100 = ["Date: {t}", "Cache-Control: max-age=100", "ETag: \"v1\""]

    static let cases: [EvaluationCase] = [
        EvaluationCase(rule: "§4.2 fresh hit", responseLines: fresh100, now: 50, expected: .fresh),
        EvaluationCase(rule: "§4.2 stale at the lifetime", responseLines: fresh100, now: 100, expected: .revalidate(.stale)),
        EvaluationCase(rule: "§9.3.2 RFC 9110: HEAD answered from a stored GET", responseLines: fresh100, method: .head,
                       now: 1, expected: .fresh),
        EvaluationCase(rule: "§4 other methods do not match", responseLines: fresh100, method: .post, now: 1,
                       expected: .mismatch(.method)),
        EvaluationCase(rule: "§5.2.2.4 response no-cache always revalidates",
                       responseLines: ["Date: {t}", "Cache-Control: no-cache, max-age=100"], now: 1, expected: .revalidate(.responseNoCache)),
        EvaluationCase(rule: "§5.2.2.4 qualified no-cache does not force revalidation",
                       responseLines: ["Date: {t}", "Cache-Control: no-cache=\"Set-Cookie\", max-age=100"], now: 1, expected: .fresh),
        EvaluationCase(rule: "§5.2.1.4 request no-cache revalidates", responseLines: fresh100,
                       requestLines: ["Cache-Control: no-cache"], now: 1, expected: .revalidate(.requestNoCache)),
        EvaluationCase(rule: "§5.4 request Pragma: no-cache revalidates", responseLines: fresh100,
                       requestLines: ["Pragma: no-cache"], now: 1, expected: .revalidate(.requestNoCache)),
        EvaluationCase(rule: "§5.4 Pragma ignored when Cache-Control is present", responseLines: fresh100,
                       requestLines: ["Pragma: no-cache", "Cache-Control: max-age=500"], now: 1, expected: .fresh),
        EvaluationCase(rule: "§5.2.1.4 operator may ignore client no-cache", responseLines: fresh100,
                       requestLines: ["Cache-Control: no-cache"], ignoreClientNoCache: true, now: 1, expected: .fresh),
        EvaluationCase(rule: "§5.2.1.1 request max-age within age", responseLines: fresh100,
                       requestLines: ["Cache-Control: max-age=30"], now: 30, expected: .fresh),
        EvaluationCase(rule: "§5.2.1.1 request max-age exceeded", responseLines: fresh100,
                       requestLines: ["Cache-Control: max-age=30"], now: 31, expected: .revalidate(.requestMaxAge)),
        EvaluationCase(rule: "§5.2.1.1 request max-age=0 accepts only age 0", responseLines: fresh100,
                       requestLines: ["Cache-Control: max-age=0"], now: 1, expected: .revalidate(.requestMaxAge)),
        EvaluationCase(rule: "§5.2.1.1 request max-age bounds age even with max-stale", responseLines: fresh100,
                       requestLines: ["Cache-Control: max-age=120, max-stale"], now: 130, expected: .revalidate(.requestMaxAge)),
        EvaluationCase(rule: "§5.2.1.3 min-fresh satisfied", responseLines: fresh100,
                       requestLines: ["Cache-Control: min-fresh=40"], now: 60, expected: .fresh),
        EvaluationCase(rule: "§5.2.1.3 min-fresh not satisfied", responseLines: fresh100,
                       requestLines: ["Cache-Control: min-fresh=40"], now: 61, expected: .revalidate(.requestMinFresh)),
        EvaluationCase(rule: "§5.2.1.3 min-fresh rules out stale even with max-stale", responseLines: fresh100,
                       requestLines: ["Cache-Control: min-fresh=1, max-stale"], now: 150, expected: .revalidate(.stale)),
        EvaluationCase(rule: "§5.2.1.2 max-stale without value accepts any staleness", responseLines: fresh100,
                       requestLines: ["Cache-Control: max-stale"], now: 100_000, expected: .stale(.maxStale)),
        EvaluationCase(rule: "§5.2.1.2 max-stale=60 within", responseLines: fresh100,
                       requestLines: ["Cache-Control: max-stale=60"], now: 160, expected: .stale(.maxStale)),
        EvaluationCase(rule: "§5.2.1.2 max-stale=60 exceeded", responseLines: fresh100,
                       requestLines: ["Cache-Control: max-stale=60"], now: 161, expected: .revalidate(.stale)),
        EvaluationCase(rule: "§4.2.4 must-revalidate forbids max-stale",
                       responseLines: ["Date: {t}", "Cache-Control: max-age=100, must-revalidate"],
                       requestLines: ["Cache-Control: max-stale"], now: 101, expected: .revalidate(.stale)),
        EvaluationCase(rule: "§5.2.2.8 proxy-revalidate forbids stale in a shared cache",
                       responseLines: ["Date: {t}", "Cache-Control: max-age=100, proxy-revalidate"],
                       requestLines: ["Cache-Control: max-stale"], now: 101, expected: .revalidate(.stale)),
        EvaluationCase(rule: "§5.2.2.8 proxy-revalidate does not bind a private cache",
                       responseLines: ["Date: {t}", "Cache-Control: max-age=100, proxy-revalidate"],
                       requestLines: ["Cache-Control: max-stale"], shared: false, now: 101, expected: .stale(.maxStale)),
        EvaluationCase(rule: "§5.2.2.10 s-maxage forbids stale in a shared cache",
                       responseLines: ["Date: {t}", "Cache-Control: s-maxage=100"],
                       requestLines: ["Cache-Control: max-stale"], now: 101, expected: .revalidate(.stale)),
        EvaluationCase(rule: "RFC 5861 §3 stale-while-revalidate window",
                       responseLines: ["Date: {t}", "Cache-Control: max-age=100, stale-while-revalidate=50"],
                       now: 150, expected: .stale(.staleWhileRevalidate)),
        EvaluationCase(rule: "RFC 5861 §3 stale-while-revalidate window passed",
                       responseLines: ["Date: {t}", "Cache-Control: max-age=100, stale-while-revalidate=50"],
                       now: 151, expected: .revalidate(.stale)),
        EvaluationCase(rule: "RFC 5861 §3 + §4.2.4 must-revalidate beats stale-while-revalidate",
                       responseLines: ["Date: {t}", "Cache-Control: max-age=100, stale-while-revalidate=50, must-revalidate"],
                       now: 120, expected: .revalidate(.stale)),
        EvaluationCase(rule: "RFC 5861 §3 request no-cache beats stale-while-revalidate",
                       responseLines: ["Date: {t}", "Cache-Control: max-age=100, stale-while-revalidate=50"],
                       requestLines: ["Cache-Control: no-cache"], now: 120, expected: .revalidate(.requestNoCache)),
        EvaluationCase(rule: "§5.2.1.7 only-if-cached with a fresh response", responseLines: fresh100,
                       requestLines: ["Cache-Control: only-if-cached"], now: 5, expected: .fresh),
        EvaluationCase(rule: "§5.2.1.7 only-if-cached with a stale response: 504", responseLines: fresh100,
                       requestLines: ["Cache-Control: only-if-cached"], now: 500, expected: .gatewayTimeout),
        EvaluationCase(rule: "§5.2.1.7 only-if-cached with max-stale serves stale", responseLines: fresh100,
                       requestLines: ["Cache-Control: only-if-cached, max-stale"], now: 500, expected: .stale(.maxStale)),
        EvaluationCase(rule: "§5.2.1.5 request no-store may still use a stored response", responseLines: fresh100,
                       requestLines: ["Cache-Control: no-store"], now: 5, expected: .fresh),
        EvaluationCase(rule: "§4.2.2 heuristic freshness serves hits",
                       responseLines: ["Date: {t}", "Last-Modified: {t-10000}"], now: 999, expected: .fresh),
        EvaluationCase(rule: "§4.2.2 heuristic freshness ends",
                       responseLines: ["Date: {t}", "Last-Modified: {t-10000}"], now: 1000, expected: .revalidate(.stale)),
        EvaluationCase(rule: "§4.1 Vary: * never matches",
                       responseLines: ["Date: {t}", "Cache-Control: max-age=100", "Vary: *"], now: 1, expected: .mismatch(.varyAll)),
        EvaluationCase(rule: "§4.1 Vary mismatch",
                       responseLines: ["Date: {t}", "Cache-Control: max-age=100", "Vary: Accept-Encoding"],
                       requestLines: ["Accept-Encoding: br"], now: 1, expected: .mismatch(.vary)),
    ]

    @Test(arguments: cases)
    func evaluates(_ testCase: EvaluationCase) {
        var options = testCase.shared ? CachePolicyOptions.shared : .private
        options.ignoresClientNoCache = testCase.ignoreClientNoCache
        let stored = policy(testCase.responseLines, options: options)
        let evaluation = stored.evaluate(request: request(testCase.method, "/page", testCase.requestLines), now: at(testCase.now))
        #expect(Verdict(evaluation) == testCase.expected)
    }

    @Test("§4.3.1: a stale response is revalidated with its validators")
    func revalidationRequestCarriesValidators() throws {
        let stored = policy(["Date: {t}", "Cache-Control: max-age=10", "ETag: W/\"v1\"", "Last-Modified: {t-100}"])
        guard case .mustRevalidate(let conditional, .stale) = stored.evaluate(request: request(), now: at(20)) else {
            Issue.record("expected revalidation")
            return
        }
        #expect(values(conditional.headerFields, "If-None-Match") == ["W/\"v1\""])
        #expect(values(conditional.headerFields, "If-Modified-Since") == [at(-100).imfFixdate])
    }

    @Test("RFC 5861 §3: stale-while-revalidate hands over the background revalidation request")
    func staleWhileRevalidateCarriesRequest() {
        let stored = policy(["Date: {t}", "Cache-Control: max-age=10, stale-while-revalidate=60", "ETag: \"a\""])
        guard case .usableStale(.staleWhileRevalidate, let revalidation?) = stored.evaluate(request: request(), now: at(30)) else {
            Issue.record("expected stale-while-revalidate")
            return
        }
        #expect(values(revalidation.headerFields, "If-None-Match") == ["\"a\""])
    }

    struct StaleIfErrorCase: Sendable, CustomTestStringConvertible {
        let rule: String
        let responseCacheControl: String
        var requestLines: [String] = []
        let now: Int64
        let allowed: Bool
        var testDescription: String { rule }
    }

    @Test(arguments: [
        StaleIfErrorCase(rule: "RFC 5861 §4 response stale-if-error within", responseCacheControl: "max-age=10, stale-if-error=60",
                         now: 70, allowed: true),
        StaleIfErrorCase(rule: "RFC 5861 §4 response stale-if-error passed", responseCacheControl: "max-age=10, stale-if-error=60",
                         now: 71, allowed: false),
        StaleIfErrorCase(rule: "RFC 5861 §4 request stale-if-error", responseCacheControl: "max-age=10",
                         requestLines: ["Cache-Control: stale-if-error=100"], now: 100, allowed: true),
        StaleIfErrorCase(rule: "RFC 5861 §4 no stale-if-error anywhere", responseCacheControl: "max-age=10", now: 11, allowed: false),
        StaleIfErrorCase(rule: "RFC 5861 §4 a fresh response is always usable", responseCacheControl: "max-age=10", now: 5, allowed: true),
        StaleIfErrorCase(rule: "§4.2.4 must-revalidate beats stale-if-error",
                         responseCacheControl: "max-age=10, stale-if-error=60, must-revalidate", now: 20, allowed: false),
        StaleIfErrorCase(rule: "§5.2.1.2 request max-stale allows stale on error", responseCacheControl: "max-age=10",
                         requestLines: ["Cache-Control: max-stale=30"], now: 40, allowed: true),
    ])
    func staleIfError(_ testCase: StaleIfErrorCase) {
        let stored = policy(["Date: {t}", "Cache-Control: \(testCase.responseCacheControl)"])
        #expect(stored.allowsStaleIfError(request: request(.get, "/page", testCase.requestLines), now: at(testCase.now)) == testCase.allowed)
    }
}
