import HTTPCachePolicy
import HTTPPreconditions
import HTTPTypes
import Testing

@Suite("Sending a validation request (RFC 9111 §4.3.1)")
struct ConditionalRequestTests {
    struct Case: Sendable, CustomTestStringConvertible {
        let rule: String
        let stored: [[String]]
        var clientLines: [String] = []
        let ifNoneMatch: [String]
        let ifModifiedSince: [String]
        var testDescription: String { rule }
    }

    @Test(arguments: [
        Case(rule: "§4.3.1 ETag becomes If-None-Match", stored: [["ETag: \"a\"", "Date: {t}"]],
             ifNoneMatch: ["\"a\""], ifModifiedSince: []),
        Case(rule: "§4.3.1 weak ETags are sent too", stored: [["ETag: W/\"a\"", "Date: {t}"]],
             ifNoneMatch: ["W/\"a\""], ifModifiedSince: []),
        Case(rule: "§4.3.1 Last-Modified becomes If-Modified-Since", stored: [["Last-Modified: {t-500}", "Date: {t}"]],
             ifNoneMatch: [], ifModifiedSince: ["{t-500}"]),
        Case(rule: "§4.3.1 both validators are sent", stored: [["ETag: \"a\"", "Last-Modified: {t-500}", "Date: {t}"]],
             ifNoneMatch: ["\"a\""], ifModifiedSince: ["{t-500}"]),
        Case(rule: "RFC 9110 §13.1.3 no validators: Date is used", stored: [["Date: {t-30}"]],
             ifNoneMatch: [], ifModifiedSince: ["{t-30}"]),
        Case(rule: "§4.3.1 several stored responses: all their ETags, no If-Modified-Since",
             stored: [["ETag: \"a\"", "Last-Modified: {t-500}"], ["ETag: W/\"b\""], ["ETag: \"a\""]],
             ifNoneMatch: ["\"a\", W/\"b\""], ifModifiedSince: []),
        Case(rule: "§4.3.2 the client's own conditionals and Range are replaced", stored: [["ETag: \"a\""]],
             clientLines: ["If-None-Match: \"client\"", "If-Modified-Since: {t-9}", "Range: bytes=0-1", "If-Range: \"a\""],
             ifNoneMatch: ["\"a\""], ifModifiedSince: []),
    ])
    func conditional(_ testCase: Case) {
        let stored = testCase.stored.map { policy($0 + ["Cache-Control: max-age=0"]) }
        let sent = Validation.conditionalRequest(for: request(.get, "/page", testCase.clientLines), stored: stored)
        #expect(values(sent.headerFields, "If-None-Match") == testCase.ifNoneMatch)
        #expect(values(sent.headerFields, "If-Modified-Since") == testCase.ifModifiedSince.map(expandDates))
        #expect(values(sent.headerFields, "Range") == [])
        #expect(values(sent.headerFields, "If-Range") == [])
    }

    @Test("§4.3.1: a HEAD that found a stored GET revalidates with GET; If-Match goes to the origin")
    func headRevalidatesGet() {
        let stored = policy(["ETag: \"a\"", "Cache-Control: max-age=0"])
        let sent = stored.revalidationRequest(for: request(.head, "/page", ["If-Match: \"a\"", "Accept: */*"]))
        #expect(sent.method == .get)
        #expect(values(sent.headerFields, "If-Match") == ["\"a\""])
        #expect(values(sent.headerFields, "Accept") == ["*/*"])
    }
}

@Suite("Selecting stored responses with a 304 (RFC 9111 §4.3.4)")
struct NotModifiedSelectionTests {
    struct Case: Sendable, CustomTestStringConvertible {
        let rule: String
        let stored: [[String]]
        let notModified: [String]
        let selected: [Int]
        var testDescription: String { rule }
    }

    static let a = ["ETag: \"a\"", "Date: {t-100}"]
    static let aLater = ["ETag: \"a\"", "Date: {t-50}"]
    static let b = ["ETag: \"b\"", "Date: {t-100}"]
    static let weakA = ["ETag: W/\"a\"", "Date: {t-100}"]
    static let modified = ["Last-Modified: {t-1000}", "Date: {t-100}"]
    static let modifiedLater = ["Last-Modified: {t-1000}", "Date: {t-50}"]
    static let bare = ["Date: {t-100}"]

    @Test(arguments: [
        Case(rule: "§4.3.4 strong ETag selects every stored response with it", stored: [a, b, aLater],
             notModified: ["ETag: \"a\"", "Date: {t}"], selected: [0, 2]),
        Case(rule: "§4.3.4 strong ETag that no stored response has: none", stored: [a, b],
             notModified: ["ETag: \"c\"", "Date: {t}"], selected: []),
        Case(rule: "§4.3.4 strong ETag does not select a weak stored tag", stored: [weakA],
             notModified: ["ETag: \"a\"", "Date: {t}"], selected: []),
        Case(rule: "§4.3.4 weak ETag selects the most recent match only", stored: [a, aLater, b],
             notModified: ["ETag: W/\"a\"", "Date: {t}"], selected: [1]),
        Case(rule: "§4.3.4 weak ETag matches a weak stored tag", stored: [weakA],
             notModified: ["ETag: W/\"a\"", "Date: {t}"], selected: [0]),
        Case(rule: "§4.3.4 strong Last-Modified (60 s before Date) selects equal Last-Modified", stored: [modified, bare],
             notModified: ["Last-Modified: {t-1000}", "Date: {t}"], selected: [0]),
        Case(rule: "§4.3.4 weak Last-Modified (304 without Date) selects the most recent match", stored: [modified, modifiedLater, bare],
             notModified: ["Last-Modified: {t-1000}"], selected: [1]),
        Case(rule: "§4.3.4 weak Last-Modified (under 60 s before Date) that no stored response has: none", stored: [modified],
             notModified: ["Last-Modified: {t-30}", "Date: {t}"], selected: []),
        Case(rule: "RFC 9110 §8.8.2.2 Last-Modified 59 s before Date is weak: most recent match only",
             stored: [["Last-Modified: {t-59}", "Date: {t-100}"], ["Last-Modified: {t-59}", "Date: {t-90}"]],
             notModified: ["Last-Modified: {t-59}", "Date: {t}"], selected: [1]),
        Case(rule: "RFC 9110 §8.8.2.2 Last-Modified 60 s before Date is strong: all matches",
             stored: [["Last-Modified: {t-60}", "Date: {t-100}"], ["Last-Modified: {t-60}", "Date: {t-90}"]],
             notModified: ["Last-Modified: {t-60}", "Date: {t}"], selected: [0, 1]),
        Case(rule: "§4.3.4 no validators, one stored response without validators", stored: [bare],
             notModified: ["Date: {t}"], selected: [0]),
        Case(rule: "§4.3.4 no validators, but the stored response has one", stored: [a],
             notModified: ["Date: {t}"], selected: []),
        Case(rule: "§4.3.4 no validators and several stored responses", stored: [bare, bare],
             notModified: ["Date: {t}"], selected: []),
    ])
    func selects(_ testCase: Case) {
        let stored = testCase.stored.map { policy($0 + ["Cache-Control: max-age=10"]) }
        #expect(Validation.selectedForUpdate(by: response(304, testCase.notModified), among: stored) == testCase.selected)
    }
}
