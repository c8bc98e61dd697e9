import HTTPCachePolicy
import HTTPPreconditions
import HTTPTypes
import Testing

struct FreshnessCase: Sendable, CustomTestStringConvertible {
    let rule: String
    var status: Int = 200
    let lines: [String]
    var shared = true
    var responseTime: HTTPDate = t0
    let lifetime: Int64
    let source: Freshness.Source
    var testDescription: String { rule }
}

@Suite("Freshness lifetime (RFC 9111 §4.2.1, §4.2.2)")
struct FreshnessTests {
    static let cases: [FreshnessCase] = [
        FreshnessCase(rule: "§4.2.1 max-age", lines: ["Cache-Control: max-age=111"], lifetime: 111, source: .maxAge),
        FreshnessCase(rule: "§4.2.1 s-maxage first in a shared cache", lines: ["Cache-Control: max-age=10, s-maxage=20"],
                      lifetime: 20, source: .sharedMaxAge),
        FreshnessCase(rule: "§4.2.1 s-maxage ignored by a private cache", lines: ["Cache-Control: max-age=10, s-maxage=20"],
                      shared: false, lifetime: 10, source: .maxAge),
        FreshnessCase(rule: "§5.3 max-age overrides Expires", lines: ["Cache-Control: max-age=5", "Date: {t}", "Expires: {t+500}"],
                      lifetime: 5, source: .maxAge),
        FreshnessCase(rule: "§5.3 s-maxage overrides Expires", lines: ["Cache-Control: s-maxage=7", "Date: {t}", "Expires: {t+500}"],
                      lifetime: 7, source: .sharedMaxAge),
        FreshnessCase(rule: "§4.2.1 Expires minus Date", lines: ["Date: {t}", "Expires: {t+300}"], lifetime: 300, source: .expires),
        FreshnessCase(rule: "§4.2.1 Expires is relative to Date, not to the response time",
                      lines: ["Date: {t-1000}", "Expires: {t-700}"], lifetime: 300, source: .expires),
        FreshnessCase(rule: "§4.2.1 Expires without Date uses the response time",
                      lines: ["Expires: {t+120}"], responseTime: t0, lifetime: 120, source: .expires),
        FreshnessCase(rule: "§5.3 Expires in the past", lines: ["Date: {t}", "Expires: {t-60}"], lifetime: 0, source: .expires),
        FreshnessCase(rule: "§5.3 invalid Expires means already expired", lines: ["Date: {t}", "Expires: 0"],
                      lifetime: 0, source: .expires),
        FreshnessCase(rule: "§5.3 invalid Expires -1 means already expired", lines: ["Date: {t}", "Expires: -1"],
                      lifetime: 0, source: .expires),
        FreshnessCase(rule: "§4.2.1 two different Expires lines: stale", lines: ["Date: {t}", "Expires: {t+60}", "Expires: {t+90}"],
                      lifetime: 0, source: .expires),
        FreshnessCase(rule: "§4.2.1 two identical Expires lines are one", lines: ["Date: {t}", "Expires: {t+60}", "Expires: {t+60}"],
                      lifetime: 60, source: .expires),
        FreshnessCase(rule: "§5.3 RFC 850 and asctime Expires accepted",
                      lines: ["Date: Tue, 14 Nov 2023 22:13:20 GMT", "Expires: Tue Nov 14 22:14:20 2023"], lifetime: 60, source: .expires),
        FreshnessCase(rule: "§4.2.2 heuristic: 10% of Date minus Last-Modified",
                      lines: ["Date: {t}", "Last-Modified: {t-10000}"], lifetime: 1000, source: .heuristic),
        FreshnessCase(rule: "§4.2.2 heuristic capped at one day",
                      lines: ["Date: {t}", "Last-Modified: {t-100000000}"], lifetime: 86400, source: .heuristic),
        FreshnessCase(rule: "§4.2.2 Last-Modified after Date gives no heuristic freshness",
                      lines: ["Date: {t}", "Last-Modified: {t+100}"], lifetime: 0, source: .heuristic),
        FreshnessCase(rule: "§4.2.2 no heuristic without Last-Modified", lines: ["Date: {t}"], lifetime: 0, source: .none),
        FreshnessCase(rule: "§4.2.2 no heuristic for a 302", status: 302,
                      lines: ["Date: {t}", "Last-Modified: {t-10000}"], lifetime: 0, source: .none),
        FreshnessCase(rule: "§4.2.2 heuristic for a public 302", status: 302,
                      lines: ["Cache-Control: public", "Date: {t}", "Last-Modified: {t-10000}"], lifetime: 1000, source: .heuristic),
        FreshnessCase(rule: "§4.2.2 heuristic for a 404", status: 404,
                      lines: ["Date: {t}", "Last-Modified: {t-5000}"], lifetime: 500, source: .heuristic),
        FreshnessCase(rule: "§4.2.2 never heuristic with explicit freshness (max-age=0)",
                      lines: ["Cache-Control: max-age=0", "Date: {t}", "Last-Modified: {t-10000}"], lifetime: 0, source: .maxAge),
        FreshnessCase(rule: "§4.2.2 never heuristic with an invalid Expires",
                      lines: ["Expires: never", "Date: {t}", "Last-Modified: {t-10000}"], lifetime: 0, source: .expires),
        FreshnessCase(rule: "§4.2.1 invalid max-age overrides a good Expires: stale",
                      lines: ["Cache-Control: max-age=abc", "Date: {t}", "Expires: {t+300}"], lifetime: 0, source: .maxAge),
        FreshnessCase(rule: "§1.2.2 huge max-age saturates", lines: ["Cache-Control: max-age=4294967296"],
                      lifetime: 2_147_483_648, source: .maxAge),
    ]

    @Test(arguments: cases)
    func lifetime(_ testCase: FreshnessCase) {
        let stored = policy(
            testCase.lines, status: testCase.status, responseTime: testCase.responseTime,
            options: testCase.shared ? .shared : .private
        )
        #expect(stored.freshness == Freshness(lifetime: testCase.lifetime, source: testCase.source))
    }

    @Test("§4.2.2: the heuristic fraction and limit are options")
    func heuristicOptions() {
        let options = CachePolicyOptions(isShared: true, heuristicFraction: 0.2, heuristicLimit: 1500)
        #expect(policy(["Date: {t}", "Last-Modified: {t-5000}"], options: options).freshnessLifetime == 1000)
        #expect(policy(["Date: {t}", "Last-Modified: {t-50000}"], options: options).freshnessLifetime == 1500)
    }

    @Test("§4.2.2: odd heuristic fractions never trap", arguments: [
        (Double.nan, Int64(0)), (-1.0, Int64(0)), (0.0, Int64(0)), (1e300, Int64(86400)), (Double.infinity, Int64(86400)),
    ])
    func oddFractions(fraction: Double, lifetime: Int64) {
        let options = CachePolicyOptions(isShared: true, heuristicFraction: fraction)
        #expect(policy(["Date: {t}", "Last-Modified: {t-5000}"], options: options).freshnessLifetime == lifetime)
    }
}

struct AgeCase: Sendable, CustomTestStringConvertible {
    let rule: String
    let lines: [String]
    let requestTime: Int64
    let responseTime: Int64
    let now: Int64
    let apparentAge: Int64
    let correctedAgeValue: Int64
    let currentAge: Int64
    var testDescription: String { rule }
}

@Suite("Age (RFC 9111 §4.2.3, §5.1)")
struct AgeTests {
    static let cases: [AgeCase] = [
        AgeCase(rule: "§4.2.3 fresh from origin: everything zero", lines: ["Date: {t}"],
                requestTime: 0, responseTime: 0, now: 0, apparentAge: 0, correctedAgeValue: 0, currentAge: 0),
        AgeCase(rule: "§4.2.3 resident_time adds to the age", lines: ["Date: {t}"],
                requestTime: 0, responseTime: 0, now: 100, apparentAge: 0, correctedAgeValue: 0, currentAge: 100),
        AgeCase(rule: "§4.2.3 apparent_age from a Date in the past", lines: ["Date: {t-30}"],
                requestTime: 0, responseTime: 0, now: 0, apparentAge: 30, correctedAgeValue: 0, currentAge: 30),
        AgeCase(rule: "§4.2.3 apparent_age is never negative (Date in the future)", lines: ["Date: {t+30}"],
                requestTime: 0, responseTime: 0, now: 0, apparentAge: 0, correctedAgeValue: 0, currentAge: 0),
        AgeCase(rule: "§4.2.3 corrected_age_value = age_value + response_delay", lines: ["Date: {t}", "Age: 50"],
                requestTime: -4, responseTime: 0, now: 0, apparentAge: 0, correctedAgeValue: 54, currentAge: 54),
        AgeCase(rule: "§4.2.3 corrected_initial_age takes the larger (apparent)", lines: ["Date: {t-100}", "Age: 10"],
                requestTime: -2, responseTime: 0, now: 5, apparentAge: 100, correctedAgeValue: 12, currentAge: 105),
        AgeCase(rule: "§4.2.3 corrected_initial_age takes the larger (Age)", lines: ["Date: {t-10}", "Age: 100"],
                requestTime: -2, responseTime: 0, now: 5, apparentAge: 10, correctedAgeValue: 102, currentAge: 107),
        AgeCase(rule: "§4.2.3 a missing Date uses the response time", lines: ["Age: 7"],
                requestTime: -3, responseTime: 0, now: 10, apparentAge: 0, correctedAgeValue: 10, currentAge: 20),
        AgeCase(rule: "§4.2.3 an invalid Date is like a missing one", lines: ["Date: yesterday"],
                requestTime: 0, responseTime: 0, now: 10, apparentAge: 0, correctedAgeValue: 0, currentAge: 10),
        AgeCase(rule: "§5.1 regression (Age not a non-negative integer): negative Age is ignored", lines: ["Date: {t}", "Age: -50"],
                requestTime: 0, responseTime: 0, now: 0, apparentAge: 0, correctedAgeValue: 0, currentAge: 0),
        AgeCase(rule: "§5.1 regression (Age not a non-negative integer): fractional Age is ignored", lines: ["Date: {t}", "Age: 1.5"],
                requestTime: 0, responseTime: 0, now: 0, apparentAge: 0, correctedAgeValue: 0, currentAge: 0),
        AgeCase(rule: "§5.1 regression (Age not a non-negative integer): non-numeric Age is ignored", lines: ["Date: {t}", "Age: old"],
                requestTime: 0, responseTime: 0, now: 0, apparentAge: 0, correctedAgeValue: 0, currentAge: 0),
        AgeCase(rule: "§5.1 regression (Age not a non-negative integer): a list of Ages is ignored", lines: ["Date: {t}", "Age: 10, 20"],
                requestTime: 0, responseTime: 0, now: 0, apparentAge: 0, correctedAgeValue: 0, currentAge: 0),
        AgeCase(rule: "§5.1 regression (Age not a non-negative integer): an empty Age is ignored", lines: ["Date: {t}", "Age: "],
                requestTime: 0, responseTime: 0, now: 0, apparentAge: 0, correctedAgeValue: 0, currentAge: 0),
        AgeCase(rule: "§4.2.1 of several Age lines the first counts", lines: ["Date: {t}", "Age: 10", "Age: 20"],
                requestTime: 0, responseTime: 0, now: 0, apparentAge: 0, correctedAgeValue: 10, currentAge: 10),
        AgeCase(rule: "§1.2.2 an Age overflow is 2^31", lines: ["Date: {t}", "Age: 99999999999999"],
                requestTime: 0, responseTime: 0, now: 100, apparentAge: 0, correctedAgeValue: 2_147_483_648, currentAge: 2_147_483_648),
        AgeCase(rule: "§4.2.3 a clock running backwards never makes resident_time negative", lines: ["Date: {t}"],
                requestTime: 0, responseTime: 0, now: -50, apparentAge: 0, correctedAgeValue: 0, currentAge: 0),
        AgeCase(rule: "§4.2.3 response_time before request_time gives no delay", lines: ["Date: {t}", "Age: 5"],
                requestTime: 10, responseTime: 0, now: 0, apparentAge: 0, correctedAgeValue: 5, currentAge: 5),
    ]

    @Test(arguments: cases)
    func age(_ testCase: AgeCase) {
        let stored = policy(testCase.lines, requestTime: at(testCase.requestTime), responseTime: at(testCase.responseTime))
        #expect(stored.ageCalculation.apparentAge == testCase.apparentAge)
        #expect(stored.ageCalculation.correctedAgeValue == testCase.correctedAgeValue)
        #expect(stored.age(now: at(testCase.now)) == testCase.currentAge)
        #expect(stored.ageCalculation.currentAge(now: at(testCase.now)) == testCase.currentAge)
    }

    @Test("§4.2: fresh exactly while freshness_lifetime > current_age", arguments: [
        (Int64(59), true), (Int64(60), false), (Int64(61), false),
    ])
    func freshBoundary(now: Int64, fresh: Bool) {
        let stored = policy(["Date: {t}", "Cache-Control: max-age=60"])
        #expect(stored.isFresh(now: at(now)) == fresh)
        #expect(stored.timeToLive(now: at(now)) == 60 - now)
    }

    @Test("§4.2.3 (http-cache-semantics 'age can make stale'): Age 100 on max-age=50 is stale at once")
    func ageMakesStale() {
        let stored = policy(["Date: {t}", "Age: 100", "Cache-Control: max-age=50"])
        #expect(stored.isFresh(now: t0) == false)
        #expect(stored.timeToLive(now: t0) == -50)
    }
}
