import CachetCheck
import CachetProxy
import Testing

/// `cachet proxy` in front of the correct origin: the checker sees the cache, a hit, and the
/// cache answering the conditional request itself.
@Suite("cachet check through cachet proxy")
struct ThroughCacheTests {
    @Test("the proxy is recognised and answers conditionals itself")
    func throughProxy() async throws {
        try await withOrigin { url, _ in
            let target = try CheckTarget(url)
            var configuration = ProxyConfiguration(listenHost: "127.0.0.1", listenPort: 0)
            configuration.admin = nil
            configuration.defaultOrigin = OriginAddress("http://127.0.0.1:\(target.port)")
            configuration.threads = 1
            let proxy = ProxyServer(configuration: configuration)
            let address = try await proxy.start()
            do {
                let report = try await check("http://127.0.0.1:\(address.port!)/resource")
                try await proxy.shutdown()
                #expect(report.note("cache-seen") != nil, "\(report.notes(atLeast: .info))")
                #expect(report.has("cache-hit", .good))
                #expect(report.has("cache-answered-conditional", .good))
                #expect(report.notes(atLeast: .bad).isEmpty)
            } catch {
                _ = try? await proxy.shutdown()
                throw error
            }
        }
    }
}
