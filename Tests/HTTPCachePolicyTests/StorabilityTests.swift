import HTTPCachePolicy
import HTTPPreconditions
import HTTPTypes
import Testing

struct StorabilityCase: Sendable, CustomTestStringConvertible {
    let rule: String
    var method: HTTPRequest.Method = .get
    var status: Int = 200
    var requestLines: [String] = []
    var responseLines: [String] = []
    var shared = true
    var partial = false
    let expected: Storability
    var testDescription: String { rule }
}

@Suite("Storing responses (RFC 9111 §3)")
struct StorabilityTests {
    static let cases: [StorabilityCase] = [
        StorabilityCase(rule: "§3 GET 200 with max-age", responseLines: ["Cache-Control: max-age=60"], expected: .storable),
        StorabilityCase(rule: "§3 HEAD with max-age", method: .head, responseLines: ["Cache-Control: max-age=60"], expected: .storable),
        StorabilityCase(rule: "§3 POST is not stored even with max-age", method: .post,
                        responseLines: ["Cache-Control: max-age=60"], expected: .notStorable(.methodNotCacheable)),
        StorabilityCase(rule: "§3 PUT is not stored", method: .put, responseLines: ["Cache-Control: public"],
                        expected: .notStorable(.methodNotCacheable)),
        StorabilityCase(rule: "§3 a 1xx is not final", status: 103, responseLines: ["Cache-Control: max-age=60"],
                        expected: .notStorable(.statusNotFinal)),
        StorabilityCase(rule: "§4.3.4 a 304 updates, it is not stored", status: 304, responseLines: ["Cache-Control: max-age=60"],
                        expected: .notStorable(.notModifiedResponse)),
        StorabilityCase(rule: "§3 RFC 9110 §15.1 200 without freshness is heuristically cacheable", expected: .storable),
        StorabilityCase(rule: "§3 RFC 9110 §15.1 203 heuristically cacheable", status: 203, expected: .storable),
        StorabilityCase(rule: "§3 RFC 9110 §15.1 204 heuristically cacheable", status: 204, expected: .storable),
        StorabilityCase(rule: "§3 RFC 9110 §15.1 300 heuristically cacheable", status: 300, expected: .storable),
        StorabilityCase(rule: "§3 RFC 9110 §15.1 301 heuristically cacheable", status: 301, expected: .storable),
        StorabilityCase(rule: "§3 RFC 9110 §15.1 308 heuristically cacheable", status: 308, expected: .storable),
        StorabilityCase(rule: "§3 RFC 9110 §15.1 404 heuristically cacheable", status: 404, expected: .storable),
        StorabilityCase(rule: "§3 RFC 9110 §15.1 405 heuristically cacheable", status: 405, expected: .storable),
        StorabilityCase(rule: "§3 RFC 9110 §15.1 410 heuristically cacheable", status: 410, expected: .storable),
        StorabilityCase(rule: "§3 RFC 9110 §15.1 414 heuristically cacheable", status: 414, expected: .storable),
        StorabilityCase(rule: "§3 RFC 9110 §15.1 501 heuristically cacheable", status: 501, expected: .storable),
        StorabilityCase(rule: "§3 302 without freshness is not cacheable", status: 302, expected: .notStorable(.notCacheable)),
        StorabilityCase(rule: "§3 303 without freshness is not cacheable", status: 303, expected: .notStorable(.notCacheable)),
        StorabilityCase(rule: "§3 503 without freshness is not cacheable", status: 503, expected: .notStorable(.notCacheable)),
        StorabilityCase(rule: "§3 412 without freshness is not cacheable", status: 412, expected: .notStorable(.notCacheable)),
        StorabilityCase(rule: "§3 validators alone do not make a 302 cacheable", status: 302,
                        responseLines: ["ETag: \"a\"", "Last-Modified: {t-1000}"], expected: .notStorable(.notCacheable)),
        StorabilityCase(rule: "§3 explicit max-age makes a 302 storable", status: 302,
                        responseLines: ["Cache-Control: max-age=60"], expected: .storable),
        StorabilityCase(rule: "§3 explicit freshness makes an unknown status storable", status: 299,
                        responseLines: ["Cache-Control: max-age=60"], expected: .storable),
        StorabilityCase(rule: "§3 Expires makes a 503 storable", status: 503,
                        responseLines: ["Expires: {t+60}", "Date: {t}"], expected: .storable),
        StorabilityCase(rule: "§3 even an invalid Expires counts as present", status: 500,
                        responseLines: ["Expires: 0"], expected: .storable),
        StorabilityCase(rule: "§3 public makes a 303 storable", status: 303, responseLines: ["Cache-Control: public"], expected: .storable),
        StorabilityCase(rule: "§3 s-maxage makes a 302 storable in a shared cache", status: 302,
                        responseLines: ["Cache-Control: s-maxage=60"], expected: .storable),
        StorabilityCase(rule: "§3 s-maxage does not make a 302 storable in a private cache", status: 302,
                        responseLines: ["Cache-Control: s-maxage=60"], shared: false, expected: .notStorable(.notCacheable)),
        StorabilityCase(rule: "§3 private makes a 302 storable in a private cache", status: 302,
                        responseLines: ["Cache-Control: private"], shared: false, expected: .storable),
        StorabilityCase(rule: "§5.2.2.5 response no-store", responseLines: ["Cache-Control: max-age=60, no-store"],
                        expected: .notStorable(.responseNoStore)),
        StorabilityCase(rule: "§5.2.1.5 request no-store", requestLines: ["Cache-Control: no-store"],
                        responseLines: ["Cache-Control: max-age=60"], expected: .notStorable(.requestNoStore)),
        StorabilityCase(rule: "§5.2.2.7 private in a shared cache", responseLines: ["Cache-Control: private, max-age=60"],
                        expected: .notStorable(.privateResponse)),
        StorabilityCase(rule: "§5.2.2.7 private in a private cache", responseLines: ["Cache-Control: private, max-age=60"],
                        shared: false, expected: .storable),
        StorabilityCase(rule: "§5.2.2.7 private with field names is storable in a shared cache",
                        responseLines: ["Cache-Control: private=\"Set-Cookie\", max-age=60"], expected: .storable),
        StorabilityCase(rule: "§3.5 Authorization refuses a shared cache", requestLines: ["Authorization: Bearer x"],
                        responseLines: ["Cache-Control: max-age=60"], expected: .notStorable(.authorization)),
        StorabilityCase(rule: "§3.5 Authorization with public", requestLines: ["Authorization: Bearer x"],
                        responseLines: ["Cache-Control: public, max-age=60"], expected: .storable),
        StorabilityCase(rule: "§3.5 Authorization with s-maxage", requestLines: ["Authorization: Bearer x"],
                        responseLines: ["Cache-Control: s-maxage=60"], expected: .storable),
        StorabilityCase(rule: "§3.5 Authorization with must-revalidate", requestLines: ["Authorization: Bearer x"],
                        responseLines: ["Cache-Control: must-revalidate, max-age=60"], expected: .storable),
        StorabilityCase(rule: "§3.5 Authorization is no bar to a private cache", requestLines: ["Authorization: Bearer x"],
                        responseLines: ["Cache-Control: max-age=60"], shared: false, expected: .storable),
        StorabilityCase(rule: "§5.2.2.3 must-understand with an understood status overrides no-store",
                        responseLines: ["Cache-Control: must-understand, no-store, max-age=60"], expected: .storable),
        StorabilityCase(rule: "§5.2.2.3 must-understand with an unknown status is not stored", status: 299,
                        responseLines: ["Cache-Control: must-understand, no-store, max-age=60"],
                        expected: .notStorable(.statusNotUnderstood)),
        StorabilityCase(rule: "§5.2.2.3 must-understand does not override the request's no-store",
                        requestLines: ["Cache-Control: no-store"],
                        responseLines: ["Cache-Control: must-understand, no-store, max-age=60"],
                        expected: .notStorable(.requestNoStore)),
        StorabilityCase(rule: "§3.3 a 206 is not stored without range support", status: 206,
                        responseLines: ["Cache-Control: max-age=60", "Content-Range: bytes 0-9/100"],
                        expected: .notStorable(.partialContentNotSupported)),
        StorabilityCase(rule: "§3.3 a 206 is stored as partial content with range support", status: 206,
                        responseLines: ["Cache-Control: max-age=60", "Content-Range: bytes 0-9/100"], partial: true,
                        expected: .storableAsPartialContent),
        StorabilityCase(rule: "§3 Set-Cookie is no bar to storage",
                        responseLines: ["Cache-Control: max-age=60", "Set-Cookie: a=b"], expected: .storable),
        StorabilityCase(rule: "§4.1 Vary: * can be stored", responseLines: ["Cache-Control: max-age=60", "Vary: *"],
                        expected: .storable),
        StorabilityCase(rule: "§5.2.2.4 no-cache responses are storable", responseLines: ["Cache-Control: no-cache"],
                        expected: .storable),
    ]

    @Test(arguments: cases)
    func decides(_ testCase: StorabilityCase) {
        var options = testCase.shared ? CachePolicyOptions.shared : .private
        options.storesPartialContent = testCase.partial
        let decision = policy(
            testCase.responseLines, status: testCase.status, requestLines: testCase.requestLines,
            method: testCase.method, options: options
        ).storability
        #expect(decision == testCase.expected)
    }
}
