import CachetCheck
import HTTPPreconditions
import HTTPTypes
import Testing

/// Probes against canned answers: the field sanity checks of the plain probe, and how the
/// cache probe reads Cache-Status, X-Cache and Age.
@Suite("probes against canned answers")
struct ProbeUnitTests {
    static let date = StubFetcher.now.imfFixdate
    static let cacheStatus = HTTPField.Name("Cache-Status")!
    static let xCache = HTTPField.Name("X-Cache")!

    @Test("plain probe: heuristic freshness, missing Date, bad Expires, Age, ETag and Vary")
    func plainSanity() async throws {
        let lastModified = StubFetcher.now.adding(seconds: -864_000).imfFixdate
        let heuristic = try await StubFetcher { _ in (200, [.date: Self.date, .lastModified: lastModified], "x") }.run(PlainProbe())
        #expect(heuristic.has("freshness-heuristic", .warning))
        #expect(heuristic.has("cache-control-missing", .info))

        let broken = try await StubFetcher { _ in
            (200, [.eTag: "unquoted", .expires: "0", .age: "-3", .vary: "*", .cacheControl: "max-age=60"], "x")
        }.run(PlainProbe())
        #expect(broken.has("date-missing", .warning))
        #expect(broken.has("etag-invalid", .bad))
        #expect(broken.has("expires-invalid", .warning))
        #expect(broken.has("age-invalid", .warning))
        #expect(broken.has("vary-star", .warning))

        let skewed = try await StubFetcher { _ in
            (200, [.date: StubFetcher.now.adding(seconds: 3600).imfFixdate, .cacheControl: "no-store"], "x")
        }.run(PlainProbe())
        #expect(skewed.has("date-skewed", .warning))
        #expect(skewed.has("no-validators", .warning))
        #expect(skewed.has("not-storable-shared", .info))
        #expect(skewed.has("not-storable-private", .info))

        let privateOnly = try await StubFetcher { _ in
            (200, [.date: Self.date, .cacheControl: "private, max-age=60", .setCookie: "a=b", .eTag: "W/\"w\""], "x")
        }.run(PlainProbe())
        #expect(privateOnly.has("not-storable-shared", .info))
        #expect(privateOnly.has("freshness-private", .info))
        #expect(privateOnly.has("etag-weak", .info))
        #expect(!privateOnly.contains { $0.id == "set-cookie-cacheable" }, "private protects the cookie")
    }

    @Test("cache probe: a Cache-Status hit answering the conditional itself")
    func cacheStatusHit() async throws {
        let notes = try await StubFetcher { request in
            let conditional = request.fields[.ifNoneMatch] != nil
            return (conditional ? 304 : 200, [.date: Self.date, .eTag: "\"t\"", Self.cacheStatus: "origin-cdn;fwd=miss, edge;hit;ttl=30", .age: "4"], conditional ? "" : "x")
        }.run(ThroughCacheProbe())
        #expect(notes.has("cache-seen", .info))
        #expect(notes.has("cache-hit", .good))
        #expect(notes.has("cache-answered-conditional", .good))
    }

    @Test("cache probe: X-Cache MISS means the conditional went to the origin")
    func xCacheMiss() async throws {
        let notes = try await StubFetcher { request in
            let conditional = request.fields[.ifNoneMatch] != nil
            return (conditional ? 304 : 200, [.date: Self.date, .eTag: "\"t\"", Self.xCache: "MISS"], "")
        }.run(ThroughCacheProbe())
        #expect(notes.has("cache-miss-repeated", .info))
        #expect(notes.has("cache-forwarded-conditional", .info))
    }

    @Test("cache probe: Age alone, an invalid Cache-Status, and no cache at all")
    func otherSignals() async throws {
        let ageOnly = try await StubFetcher { _ in (200, [.date: Self.date, .age: "12"], "") }.run(ThroughCacheProbe())
        #expect(ageOnly.has("cache-hit", .good))
        let invalid = try await StubFetcher { _ in (200, [.date: Self.date, Self.cacheStatus: "cdn;hit=\"unterminated"], "") }.run(ThroughCacheProbe())
        #expect(invalid.has("cache-status-invalid", .warning))
        let none = try await StubFetcher { _ in (200, [.date: Self.date], "") }.run(ThroughCacheProbe())
        #expect(none.has("no-cache-seen", .info))
    }

    @Test("a 200 that ignores If-None-Match while a cache says hit")
    func cacheIgnoresConditional() async throws {
        let notes = try await StubFetcher { _ in (200, [.date: Self.date, .eTag: "\"t\"", Self.xCache: "HIT"], "x") }.run(ThroughCacheProbe())
        #expect(notes.has("cache-ignored-conditional", .warning))
    }

    @Test("the text report: grouped by probe, summary last, colour only when asked")
    func textReport() {
        let report = CheckReport(url: "http://example.test/", notes: [
            Note("etag-strong", .good, probe: "Plain GET and HEAD", "Strong."),
            Note("inm-match-ignored", .bad, probe: "If-None-Match", "Ignored.", detail: "If-None-Match: \"t\" → 200"),
        ])
        let plain = TextReport.render(report, colour: false)
        #expect(plain == """
            cachet check http://example.test/

            Plain GET and HEAD
              ✓ good    etag-strong        Strong.

            If-None-Match
              ✗ bad     inm-match-ignored  Ignored.
                                           If-None-Match: "t" → 200

            1 good, 0 info, 0 warnings, 1 bad: 1 problem that breaks caching or conditional requests.

            """)
        #expect(report.exitStatus == 1)
        #expect(TextReport.render(report, colour: true).contains("\u{1B}[31;1m✗ bad    \u{1B}[0m"))
    }
}
