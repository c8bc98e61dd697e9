import HTTPCachePolicy
import Testing

/// Inputs the fuzz targets (Fuzz/) found, kept by name.
@Suite("Fuzz regressions: HTTPCachePolicy")
struct CachePolicyFuzzRegressionTests {
    @Test("fuzz: an authority with a colon outside an IP literal names no key (crash input \"[1]:::80\")")
    func colonsOutsideAnIPLiteral() {
        #expect(TargetURI.normalized(scheme: "http", authority: "[1]:::80", pathAndQuery: "") == nil)
        #expect(TargetURI.normalized(scheme: "http", authority: "a::80", pathAndQuery: "/") == nil)
        // IP literals and ports are still read.
        #expect(TargetURI.normalized(scheme: "http", authority: "[::1]:80", pathAndQuery: "") == "http://[::1]/")
        #expect(TargetURI.normalized(scheme: "http", authority: "[::1]:8080", pathAndQuery: "/a") == "http://[::1]:8080/a")
        #expect(TargetURI.normalized(scheme: "http", authority: "Example.com:", pathAndQuery: "/a") == "http://example.com/a")
    }

    @Test("fuzz: normalisation is idempotent when a delimiter is followed by a combining mark (crash input \"p\\n\\u{05C4};\\0\")")
    func delimitersBeforeCombiningMarks() {
        // As Characters, "#\u{301}" and "?\u{301}" are not "#" and "?": the fragment was kept
        // and a query-only target got no "/".
        #expect(TargetURI.normalized(scheme: "http", authority: "example.com", pathAndQuery: "/a#\u{301}b") == "http://example.com/a")
        #expect(TargetURI.normalized(scheme: "http", authority: "example.com", pathAndQuery: "?\u{301}x") == "http://example.com/?\u{301}x")
        let uri = TargetURI.normalized(scheme: "p", authority: "\u{05C4};\0", pathAndQuery: "")
        #expect(uri == "p://\u{05C4};\0/")
        #expect(TargetURI.normalized(scheme: "p", authority: "\u{05C4};\0", pathAndQuery: "/") == uri)
    }
}
