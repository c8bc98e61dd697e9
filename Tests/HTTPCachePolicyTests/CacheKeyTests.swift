@testable import HTTPCachePolicy
import HTTPPreconditions
import HTTPTypes
import Testing

struct KeyCase: Sendable, CustomTestStringConvertible {
    let rule: String
    let scheme: String?
    let authority: String
    let path: String
    let expected: String
    var testDescription: String { rule }
}

@Suite("Cache keys (RFC 9111 §4.1, RFC 9110 §4.2.3)")
struct CacheKeyTests {
    @Test(arguments: [
        KeyCase(rule: "§4.2.3 scheme and host lowercased", scheme: "HTTPS", authority: "Example.COM", path: "/A/b",
                expected: "https://example.com/A/b"),
        KeyCase(rule: "§4.2.3 default https port removed", scheme: "https", authority: "example.com:443", path: "/",
                expected: "https://example.com/"),
        KeyCase(rule: "§4.2.3 default http port removed", scheme: "http", authority: "example.com:80", path: "/x",
                expected: "http://example.com/x"),
        KeyCase(rule: "§4.2.3 non-default port kept", scheme: "https", authority: "example.com:8443", path: "/x",
                expected: "https://example.com:8443/x"),
        KeyCase(rule: "§4.2.3 port 80 is not default for https", scheme: "https", authority: "example.com:80", path: "/",
                expected: "https://example.com:80/"),
        KeyCase(rule: "§4.2.3 empty port removed", scheme: "http", authority: "example.com:", path: "/",
                expected: "http://example.com/"),
        KeyCase(rule: "§4.2.3 empty path is /", scheme: "http", authority: "example.com", path: "",
                expected: "http://example.com/"),
        KeyCase(rule: "§4.2.3 empty path with a query", scheme: "http", authority: "example.com", path: "?q=1",
                expected: "http://example.com/?q=1"),
        KeyCase(rule: "§4.2.3 path and query case-sensitive", scheme: "http", authority: "example.com", path: "/Page?Q=A",
                expected: "http://example.com/Page?Q=A"),
        KeyCase(rule: "§4.2.3 percent-encoding left as is", scheme: "http", authority: "example.com", path: "/a%2Fb",
                expected: "http://example.com/a%2Fb"),
        KeyCase(rule: "§4.2.3 IPv6 literal with default port", scheme: "http", authority: "[::1]:80", path: "/",
                expected: "http://[::1]/"),
        KeyCase(rule: "§4.2.3 IPv6 literal without port", scheme: "http", authority: "[FE80::1]", path: "/",
                expected: "http://[fe80::1]/"),
        KeyCase(rule: "§4.2.3 no scheme uses the default", scheme: nil, authority: "example.com", path: "/x",
                expected: "http://example.com/x"),
    ])
    func normalises(_ testCase: KeyCase) throws {
        let req = HTTPRequest(method: .get, scheme: testCase.scheme, authority: testCase.authority, path: testCase.path)
        let key = try #require(CacheKey(request: req))
        #expect(key.uri == testCase.expected)
        #expect(key.method == "GET")
    }

    @Test("§4.1: the method is part of the primary key; HEAD can look up GET")
    func methodInKey() throws {
        let head = try #require(CacheKey(request: request(.head, "/x")))
        #expect(head.description == "HEAD https://example.com/x")
        #expect(head.with(method: .get) == CacheKey(request: request(.get, "/x")))
    }

    @Test("§4.1: no authority, no key")
    func noAuthority() {
        #expect(CacheKey(request: HTTPRequest(method: .get, scheme: "http", authority: nil, path: "/")) == nil)
    }
}

struct VaryCase: Sendable, CustomTestStringConvertible {
    let rule: String
    let vary: [String]
    let original: [String]
    let incoming: [String]
    let matches: Bool
    var testDescription: String { rule }
}

@Suite("Secondary keys (RFC 9111 §4.1)")
struct VaryTests {
    @Test(arguments: [
        VaryCase(rule: "§4.1 same value matches", vary: ["Vary: Accept-Encoding"], original: ["Accept-Encoding: gzip"],
                 incoming: ["Accept-Encoding: gzip"], matches: true),
        VaryCase(rule: "§4.1 different value", vary: ["Vary: Accept-Encoding"], original: ["Accept-Encoding: gzip"],
                 incoming: ["Accept-Encoding: br"], matches: false),
        VaryCase(rule: "§4.1 field names are case-insensitive", vary: ["Vary: accept-ENCODING"], original: ["Accept-Encoding: gzip"],
                 incoming: ["accept-encoding: gzip"], matches: true),
        VaryCase(rule: "§4.1 whitespace around commas normalised", vary: ["Vary: Accept-Encoding"],
                 original: ["Accept-Encoding: gzip,br"], incoming: ["Accept-Encoding:  gzip ,   br "], matches: true),
        VaryCase(rule: "§4.1 several lines combined", vary: ["Vary: Accept-Encoding"], original: ["Accept-Encoding: gzip, br"],
                 incoming: ["Accept-Encoding: gzip", "Accept-Encoding: br"], matches: true),
        VaryCase(rule: "§4.1 order of elements matters", vary: ["Vary: Accept-Encoding"], original: ["Accept-Encoding: gzip, br"],
                 incoming: ["Accept-Encoding: br, gzip"], matches: false),
        VaryCase(rule: "§4.1 case-insensitive values of Accept-Encoding", vary: ["Vary: Accept-Encoding"],
                 original: ["Accept-Encoding: GZIP"], incoming: ["Accept-Encoding: gzip"], matches: true),
        VaryCase(rule: "§4.1 values of other fields are case-sensitive", vary: ["Vary: X-Tenant"],
                 original: ["X-Tenant: Acme"], incoming: ["X-Tenant: acme"], matches: false),
        VaryCase(rule: "§4.1 absent matches absent", vary: ["Vary: Accept-Language"], original: [], incoming: [], matches: true),
        VaryCase(rule: "§4.1 absent does not match present", vary: ["Vary: Accept-Language"], original: [],
                 incoming: ["Accept-Language: en"], matches: false),
        VaryCase(rule: "§4.1 present does not match absent", vary: ["Vary: Accept-Language"], original: ["Accept-Language: en"],
                 incoming: [], matches: false),
        VaryCase(rule: "§4.1 empty value is present", vary: ["Vary: X-A"], original: ["X-A: "], incoming: [], matches: false),
        VaryCase(rule: "§4.1 several Vary fields all must match", vary: ["Vary: Accept", "Vary: Accept-Language"],
                 original: ["Accept: text/html", "Accept-Language: en"],
                 incoming: ["Accept: text/html", "Accept-Language: fr"], matches: false),
        VaryCase(rule: "§4.1 several names in one Vary", vary: ["Vary: Accept, Accept-Language"],
                 original: ["Accept: text/html", "Accept-Language: en"],
                 incoming: ["Accept-Language: en", "Accept: text/html"], matches: true),
        VaryCase(rule: "§4.1 Vary: * never matches", vary: ["Vary: *"], original: [], incoming: [], matches: false),
        VaryCase(rule: "§4.1 Vary: * within a list never matches", vary: ["Vary: Accept, *"], original: [], incoming: [], matches: false),
        VaryCase(rule: "§4.1 an empty Vary matches everything", vary: ["Vary: "], original: ["Accept: a"], incoming: ["Accept: b"],
                 matches: true),
        VaryCase(rule: "§4.1 a longer incoming value does not match a prefix", vary: ["Vary: X-A"], original: ["X-A: ab"],
                 incoming: ["X-A: abc"], matches: false),
        VaryCase(rule: "§4.1 a shorter incoming value does not match", vary: ["Vary: X-A"], original: ["X-A: abc, d"],
                 incoming: ["X-A: abc"], matches: false),
    ])
    func matches(_ testCase: VaryCase) {
        let key = VaryKey(request: fields(testCase.original), response: fields(testCase.vary))
        #expect(key.matches(fields(testCase.incoming)) == testCase.matches)
    }

    @Test("§4.1: the normalised value is stored")
    func normalisedValue() {
        let key = VaryKey(request: fields(["Accept-Encoding: GZip ,, br", "Accept-Encoding: zstd"]), response: fields(["Vary: Accept-Encoding"]))
        #expect(key.entries == [VaryKey.Entry(name: .acceptEncoding, value: "gzip, br, zstd")])
    }

    @Test("§4.1: of several matching stored responses the most recent (by Date, then response time) is chosen")
    func mostRecent() {
        let vary = ["Cache-Control: max-age=60", "Vary: Accept-Language"]
        let candidates = [
            CachePolicy(request: request(.get, "/page", ["Accept-Language: en"]), response: response(200, vary + ["Date: {t-10}"]),
                        requestTime: t0, responseTime: t0),
            CachePolicy(request: request(.get, "/page", ["Accept-Language: en"]), response: response(200, vary + ["Date: {t-5}"]),
                        requestTime: at(-20), responseTime: at(-20)),
            CachePolicy(request: request(.get, "/page", ["Accept-Language: en"]), response: response(200, vary + ["Date: {t-5}"]),
                        requestTime: at(-1), responseTime: at(-1)),
            CachePolicy(request: request(.get, "/page", ["Accept-Language: fr"]), response: response(200, vary + ["Date: {t}"]),
                        requestTime: t0, responseTime: t0),
        ]
        #expect(Validation.selectMostRecentMatching(candidates, for: request(.get, "/page", ["Accept-Language: en"])) == 2)
        #expect(Validation.selectMostRecentMatching(candidates, for: request(.get, "/page", ["Accept-Language: fr"])) == 3)
        #expect(Validation.selectMostRecentMatching(candidates, for: request(.get, "/page", ["Accept-Language: de"])) == nil)
    }
}

@Suite("TargetURI fast path agrees with the general normalisation")
struct TargetURIFastPathTests {
    @Test("RFC 9110 §4.2.3: the byte-level fast path and the general path give the same key", arguments: [
        ("http", "example.com", "/a?b=c"), ("https", "example.com:8443", "/"), ("http", "example.com:80", "/x"),
        ("https", "example.com:443", "/x"), ("http", "Example.COM", "/x"), ("HTTP", "example.com", "/x"),
        ("http", "example.com:", "/x"), ("http", "example.com:080", "/x"), ("http", "user@example.com", "/x"),
        ("http", "[::1]:8080", "/x"), ("http", "example.com", "/x#frag"), ("http", "example.com", "?q"),
        ("http", "a-b.c0m:9000", "/p/q"),
    ])
    func agrees(scheme: String, authority: String, path: String) {
        let fast = TargetURI.alreadyNormalized(scheme: scheme, authority: authority, pathAndQuery: path)
        let general = TargetURI.normalized(scheme: scheme, authority: authority, pathAndQuery: path)
        if let fast { #expect(fast == general) }
        #expect(general != nil)
    }

    @Test("the fast path is taken for the common shape and declined for the rest")
    func takenWhereItShould() {
        #expect(TargetURI.alreadyNormalized(scheme: "http", authority: "127.0.0.1:8080", pathAndQuery: "/a") == "http://127.0.0.1:8080/a")
        #expect(TargetURI.alreadyNormalized(scheme: "http", authority: "example.com:80", pathAndQuery: "/a") == nil)
        #expect(TargetURI.alreadyNormalized(scheme: "http", authority: "Example.com", pathAndQuery: "/a") == nil)
    }
}
