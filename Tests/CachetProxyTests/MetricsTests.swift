import AsyncHTTPClient
import CachetTestSupport
import HTTPTypes
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import Testing

@testable import CachetProxy

/// The admin listener's `/metrics` after a scripted sequence: every counter moves by exactly
/// what the sequence did, scraped over real HTTP and read from the text format.
@Suite("Metrics and the admin listener")
struct MetricsTests {
    @Test("a scripted sequence moves each counter by exactly its count; 304s count the body they stood in for")
    func scriptedSequence() async throws {
        let refusing = try RefusingPort()
        let h = try await ProxyHarness.make { configuration in
            configuration.origins["down.example"] = OriginAddress("http://127.0.0.1:\(refusing.port)")
            configuration.origins["127.0.0.1"] = configuration.defaultOrigin
        }
        let o = h.origin
        // /r is confirmed with 304 when stale, /m replaced with a new 200, /s served stale
        // while it revalidates in the background (RFC 5861 §3).
        o.route("/a") { _, _ in o.ok("hello world", [(.cacheControl, "max-age=60"), (.eTag, "\"a1\"")]) }
        o.route("/r") { request, _ in
            if request.headerFields[.ifNoneMatch] == "\"r1\"" { return o.reply(.notModified, [(.cacheControl, "max-age=10"), (.eTag, "\"r1\"")]) }
            return o.ok("revalidate me", [(.cacheControl, "max-age=10"), (.eTag, "\"r1\"")])
        }
        o.route("/m") { _, count in
            count == 1
                ? o.ok("version one", [(.cacheControl, "max-age=10"), (.eTag, "\"m1\"")])
                : o.ok("version two!", [(.cacheControl, "max-age=10"), (.eTag, "\"m2\"")])
        }
        o.route("/s") { request, _ in
            if request.headerFields[.ifNoneMatch] == "\"s1\"" {
                return o.reply(.notModified, [(.cacheControl, "max-age=10, stale-while-revalidate=100"), (.eTag, "\"s1\"")])
            }
            return o.ok("stale!", [(.cacheControl, "max-age=10, stale-while-revalidate=100"), (.eTag, "\"s1\"")])
        }
        o.route("/p") { _, _ in o.ok("posted", []) }

        let before = try await scrape(h)
        var received: [Received] = []
        received.append(try await h.get("/a"))  // miss
        received.append(try await h.get("/a"))  // hit
        received.append(try await h.get("/a", [("If-None-Match", "\"a1\"")]))  // 304 from the cache, fast path
        received.append(try await h.get("/r"))  // miss
        received.append(try await h.get("/m"))  // miss
        received.append(try await h.get("/s"))  // miss
        h.advance(20)
        received.append(try await h.get("/r"))  // revalidated-304
        received.append(try await h.get("/m"))  // revalidated-200
        received.append(try await h.get("/s"))  // stale, revalidated in the background with 304
        await h.proxy.waitForBackgroundWork()
        received.append(try await h.request(.POST, "/p", body: "x"))  // pass
        received.append(try await h.get("/down", [("Host", "down.example")]))  // origin refuses: error
        received.append(try await h.request(HTTPMethod(rawValue: "PURGE"), "/m"))  // purge, from loopback
        #expect(received.map(\.status) == [200, 200, 304, 200, 200, 200, 200, 200, 200, 200, 502, 200])
        #expect(received[2].body.isEmpty)
        #expect(received[7].body == "version two!")
        #expect(o.count("/s") == 2)

        let after = try await scrape(h)
        func moved(_ series: String) -> Double { (after[series] ?? 0) - (before[series] ?? 0) }
        // The client's conditional answered 304 from the cache is a hit too (Cache-Status: hit).
        let expected: [String: Double] = [
            "hit": 2, "miss": 4, "stale": 1, "revalidated-304": 1, "revalidated-200": 1, "pass": 1, "error": 1, "purge": 1,
        ]
        for (outcome, count) in expected {
            #expect(moved("cachet_requests_total{outcome=\"\(outcome)\"}") == count, "\(outcome)")
        }
        #expect(moved("cachet_not_modified_sent_total") == 1)
        // The client's 304 stood in for /a's stored body; the origin's two 304s for /r's and /s's.
        #expect(moved("cachet_bytes_saved_by_304_total{side=\"client\"}") == Double("hello world".utf8.count))
        #expect(moved("cachet_bytes_saved_by_304_total{side=\"origin\"}") == Double("revalidate me".utf8.count + "stale!".utf8.count))
        let fetched = ["hello world", "revalidate me", "version one", "stale!", "version two!", "posted"].map(\.utf8.count).reduce(0, +)
        #expect(moved("cachet_origin_body_bytes_total") == Double(fetched))
        #expect(moved("cachet_delivered_body_bytes_total") == Double(received.map(\.body.utf8.count).reduce(0, +)))
        // Every origin exchange that got a response head is timed (the refused one is not).
        #expect(moved("cachet_origin_response_seconds_count") == 8)
        #expect((after["cachet_store_bytes{tier=\"memory\"}"] ?? 0) > 0)
        #expect(after["cachet_store_entries{tier=\"memory\"}"] == 3)
        #expect(after["cachet_store_limit_bytes{tier=\"memory\"}"] == Double(h.proxy.configuration.memoryLimit))
        #expect(after["cachet_store_evictions_total{tier=\"memory\"}"] == 0)
        try await h.shutdown()
        _ = refusing
    }

    @Test("with --disk, the disk tier has its own size, entry and eviction series")
    func diskTier() async throws {
        try await withTemporaryFolder { folder in
            let h = try await ProxyHarness.make { configuration in
                configuration.disk = DiskConfiguration(path: folder, limit: 64 << 20, minimumFreeBytes: 0)
            }
            h.origin.route("/a") { _, _ in h.origin.ok("on disk", [(.cacheControl, "max-age=60")]) }
            _ = try await h.get("/a")
            await h.proxy.waitForBackgroundWork()
            let metrics = try await scrape(h)
            #expect(metrics["cachet_store_entries{tier=\"disk\"}"] == 1)
            #expect((metrics["cachet_store_bytes{tier=\"disk\"}"] ?? 0) > Double("on disk".utf8.count))
            #expect(metrics["cachet_store_limit_bytes{tier=\"disk\"}"] == Double(64 << 20))
            #expect(metrics["cachet_store_evictions_total{tier=\"disk\"}"] == 0)
            #expect(metrics["cachet_store_entries{tier=\"memory\"}"] == 1)
            try await h.shutdown()
        }
    }

    @Test("concurrent scrapes while counting never count anything twice")
    func concurrentScrapes() async {
        let metrics = ProxyMetrics()
        let scrape = { @Sendable in
            metrics.exposition { metrics.snapshot(tiers: [], coalescedRequests: 0, coalescedWaiting: 0) }
        }
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<8 {
                group.addTask {
                    for _ in 0..<200 {
                        metrics.responded(.hit, status: 304, replaced: 10)
                        _ = scrape()
                    }
                }
            }
        }
        let samples = PrometheusText.parse(String(decoding: scrape(), as: UTF8.self))
        #expect(samples["cachet_requests_total{outcome=\"hit\"}"] == 1600)
        #expect(samples["cachet_not_modified_sent_total"] == 1600)
        #expect(samples["cachet_bytes_saved_by_304_total{side=\"client\"}"] == 16000)
    }

    @Test("/metrics is Prometheus text 0.0.4 and never cached; / is HTML; other paths 404, other methods 405")
    func adminRoutes() async throws {
        let h = try await ProxyHarness.make()
        let port = try #require(h.proxy.adminAddress?.port)
        let metrics = try await fetch(h, "http://127.0.0.1:\(port)/metrics")
        #expect(metrics.status == 200)
        #expect(metrics["Content-Type"] == "text/plain; version=0.0.4; charset=utf-8")
        #expect(metrics["Cache-Control"] == "no-store")
        #expect(metrics.body.contains("# TYPE cachet_requests_total counter"))
        let page = try await fetch(h, "http://127.0.0.1:\(port)/")
        #expect(page.status == 200)
        #expect(page["Content-Type"] == "text/html; charset=utf-8")
        #expect(page.body.contains("id=\"outcome-chart\""))
        #expect(try await fetch(h, "http://127.0.0.1:\(port)/nothing").status == 404)
        #expect(try await fetch(h, "http://127.0.0.1:\(port)/metrics", method: .POST).status == 405)
        try await h.shutdown()
    }

    @Test("an admin address in use stops start() with one line naming it")
    func adminInUse() async throws {
        let first = try await ProxyHarness.make()
        let taken = try #require(first.proxy.adminAddress?.port)
        var configuration = ProxyConfiguration(listenHost: "127.0.0.1", listenPort: 0, defaultOrigin: OriginAddress("http://127.0.0.1:1"))
        configuration.threads = 1
        configuration.admin = ListenAddress(host: "127.0.0.1", port: taken)
        let second = ProxyServer(configuration: configuration)
        await #expect {
            try await second.start()
        } throws: { error in
            "\(error)".hasPrefix("cannot listen on --admin 127.0.0.1:\(taken): ") && !"\(error)".contains("\n")
        }
        try await second.shutdown()
        try await first.shutdown()
    }

    @Test("the access log writes one line per request: method, target, status, outcome, duration, bytes")
    func accessLog() async throws {
        let lines = LogCapture()
        let logger = lines.logger(label: "cachet.access", level: .info)
        let h = try await ProxyHarness.make(accessLogger: logger)
        h.origin.route("/a") { _, _ in h.origin.ok("hello", [(.cacheControl, "max-age=60"), (.eTag, "\"v1\"")]) }
        _ = try await h.get("/a")
        _ = try await h.get("/a")
        _ = try await h.get("/a", [("If-None-Match", "\"v1\"")])
        await h.proxy.waitForPendingWork()
        let logged = lines.messages
        #expect(logged.count == 3, "\(logged)")
        #expect(logged.first?.hasPrefix("GET /a 200 miss ") == true, "\(logged)")
        #expect(logged.dropFirst().first?.hasPrefix("GET /a 200 hit ") == true, "\(logged)")
        #expect(logged.last?.hasPrefix("GET /a 304 hit ") == true, "\(logged)")
        #expect(logged.first?.hasSuffix("ms 5B") == true, "\(logged)")
        #expect(logged.last?.hasSuffix("ms 0B") == true, "\(logged)")
        try await h.shutdown()
    }

    @Test("the outcome mapping: one outcome per Cache-Status value")
    func outcomeMapping() {
        #expect(RequestOutcome(.hit) == .hit)
        #expect(RequestOutcome(.diskHit) == .hit)
        #expect(RequestOutcome(.staleHit(.staleWhileRevalidate)) == .stale)
        #expect(RequestOutcome(.staleHit(.staleIfError)) == .stale)
        #expect(RequestOutcome(.revalidated) == .revalidatedNotModified)
        #expect(RequestOutcome(.collapsed) == .miss)
        #expect(RequestOutcome(.forwarded(.stale, stored: true, collapsed: false)) == .revalidatedModified)
        #expect(RequestOutcome(.forwarded(.uriMiss, stored: true, collapsed: false)) == .miss)
        #expect(RequestOutcome(.forwarded(.varyMiss, stored: false, collapsed: false)) == .miss)
        #expect(RequestOutcome(.forwarded(.bypass, stored: false, collapsed: false)) == .pass)
        #expect(RequestOutcome(.forwarded(.method, stored: false, collapsed: false)) == .pass)
    }
}

/// `GET /metrics` over HTTP, as series (`name{labels}`) to values.
func scrape(_ h: ProxyHarness) async throws -> [String: Double] {
    let port = try #require(h.proxy.adminAddress?.port)
    let response = try await fetch(h, "http://127.0.0.1:\(port)/metrics")
    #expect(response.status == 200)
    return PrometheusText.parse(response.body)
}

func fetch(_ h: ProxyHarness, _ url: String, method: HTTPMethod = .GET) async throws -> Received {
    var request = HTTPClientRequest(url: url)
    request.method = method
    let response = try await h.client.execute(request, timeout: .seconds(30))
    let bytes = try await response.body.collect(upTo: 16 << 20)
    return Received(status: Int(response.status.code), headers: response.headers, body: String(buffer: bytes))
}

/// The Prometheus text format, read as far as the tests need: each sample line is a series
/// (name with its labels, as written) and a value after the last space.
enum PrometheusText {
    static func parse(_ text: String) -> [String: Double] {
        var samples: [String: Double] = [:]
        for line in text.utf8.split(separator: UInt8(ascii: "\n")) {
            guard let first = line.first, first != UInt8(ascii: "#"), let space = line.lastIndex(of: UInt8(ascii: " ")) else { continue }
            let series = String(decoding: line[..<space], as: UTF8.self)
            let value = String(decoding: line[line.index(after: space)...], as: UTF8.self)
            samples[series] = Double(value)
        }
        return samples
    }
}

