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
