import AsyncHTTPClient
import CachetStorage
import Foundation
import HTTPCachePolicy
import HTTPPreconditions
import HTTPTypes
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import CachetTestSupport
import Testing

@testable import CachetProxy

/// The disk tier behind memory (`--disk`): restarts, revalidation, invalidation, what is never
/// written, a kill -9 of the real executable, and an unusable folder.
@Suite("Proxy with a disk tier")
struct ProxyDiskTests {
    static func disk(_ folder: String) -> DiskConfiguration {
        DiskConfiguration(path: folder, limit: 1 << 30, minimumFreeBytes: 0)
    }

    /// A body whose bytes depend on `seed`, long enough to span several reads and writes.
    static func body(_ seed: String, bytes: Int = 40_000) -> String {
        var text = ""
        var index = 0
        while text.utf8.count < bytes {
            text += "\(seed):\(index);"
            index += 1
        }
        return text
    }

    @Test("restart with a warm cache: a new proxy on the folder answers from disk, Age continuing (RFC 9111 §4.2.3)")
    func restartWarm() async throws {
        try await withTemporaryFolder { folder in
            let a = try await ProxyHarness.make { $0.disk = Self.disk(folder) }
            let content = Self.body("a")
            a.origin.route("/a") { _, _ in a.origin.ok(content, [(.cacheControl, "max-age=100"), (.eTag, "\"v1\"")]) }
            let first = try await a.get("/a")
            #expect(first["X-Cache"] == "MISS")
            a.advance(10)
            try await a.shutdownProxy()
            #expect(entryFiles(in: folder).count == 1)

            let b = try await ProxyHarness.make(sharing: a) { $0.disk = Self.disk(folder) }
            #expect(b.proxy.store.statistics.entries == 0)
            b.advance(5)
            let hit = try await b.get("/a")
            #expect(hit.status == 200)
            #expect(hit["X-Cache"] == "HIT")
            #expect(hit["Cache-Status"] == "cachet;hit;ttl=85;detail=disk")
            #expect(hit["Age"] == "15")
            #expect(hit["Date"] == first["Date"])
            #expect(hit["ETag"] == "\"v1\"")
            #expect(hit.body == content)
            #expect(b.origin.count("/a") == 1)
            // Promoted into memory: the next hit takes the fast path.
            b.advance(1)
            let again = try await b.get("/a")
            #expect(again["Cache-Status"] == "cachet;hit;ttl=84")
            #expect(again["Age"] == "16")
            #expect(again.body == content)
            #expect(b.origin.count("/a") == 1)
            try await b.shutdown()
        }
    }

    @Test("a stale disk hit is revalidated with If-None-Match and freshened on disk too (RFC 9111 §4.3.1, §4.3.4)")
    func staleDiskHitRevalidated() async throws {
        try await withTemporaryFolder { folder in
            let a = try await ProxyHarness.make { $0.disk = Self.disk(folder) }
            let content = Self.body("r")
            a.origin.route("/r") { request, count in
                if count > 1, request.headerFields[.ifNoneMatch] == "\"v1\"" {
                    return a.origin.reply(.notModified, [(.eTag, "\"v1\""), (.cacheControl, "max-age=10"), (HTTPField.Name("X-Version")!, "2")])
                }
                return a.origin.ok(content, [(.cacheControl, "max-age=10"), (.eTag, "\"v1\""), (HTTPField.Name("X-Version")!, "1")])
            }
            _ = try await a.get("/r")
            try await a.shutdownProxy()

            a.advance(20)
            let b = try await ProxyHarness.make(sharing: a) { $0.disk = Self.disk(folder) }
            let revalidated = try await b.get("/r")
            #expect(revalidated.status == 200)
            #expect(revalidated.body == content)
            #expect(revalidated["X-Version"] == "2")
            #expect(revalidated["Cache-Status"]?.contains("fwd=stale;fwd-status=304") == true, "\(revalidated.headers)")
            #expect(b.origin.count("/r") == 2)
            #expect(b.origin.requests("/r").last?.headerFields[.ifNoneMatch] == "\"v1\"")
            try await b.shutdownProxy()

            a.advance(3)
            let c = try await ProxyHarness.make(sharing: a) { $0.disk = Self.disk(folder) }
            let hit = try await c.get("/r")
            #expect(hit["X-Cache"] == "HIT")
            #expect(hit["Cache-Status"] == "cachet;hit;ttl=7;detail=disk")
            #expect(hit["X-Version"] == "2")
            #expect(hit["Age"] == "3")
            #expect(hit.body == content)
            #expect(c.origin.count("/r") == 2)
            #expect(entryFiles(in: folder).count == 1)
            try await c.shutdown()
        }
    }

    @Test("a 200 answering a revalidation replaces the disk copy; a no-store one removes it (RFC 9111 §4.3.3, §3)")
    func revalidationReplacesOrRemovesDiskCopy() async throws {
        try await withTemporaryFolder { folder in
            let a = try await ProxyHarness.make { $0.disk = Self.disk(folder) }
            a.origin.route("/v") { _, count in
                switch count {
                case 1: return a.origin.ok(Self.body("v1"), [(.cacheControl, "max-age=10"), (.eTag, "\"v1\"")])
                case 2: return a.origin.ok(Self.body("v2"), [(.cacheControl, "max-age=10"), (.eTag, "\"v2\"")])
                default: return a.origin.ok("secret", [(.cacheControl, "no-store")])
                }
            }
            _ = try await a.get("/v")
            a.advance(20)
            let replaced = try await a.get("/v")
            #expect(replaced.body == Self.body("v2"))
            #expect(a.origin.requests("/v").last?.headerFields[.ifNoneMatch] == "\"v1\"")
            try await a.shutdownProxy()
            #expect(entryFiles(in: folder).count == 1)

            let b = try await ProxyHarness.make(sharing: a) { $0.disk = Self.disk(folder) }
            let hit = try await b.get("/v")
            #expect(hit["Cache-Status"]?.hasSuffix("detail=disk") == true, "\(hit.headers)")
            #expect(hit["ETag"] == "\"v2\"")
            #expect(hit.body == Self.body("v2"))
            b.advance(20)
            let notStored = try await b.get("/v")
            #expect(notStored.body == "secret")
            try await b.shutdownProxy()
            #expect(entryFiles(in: folder).isEmpty)

            let c = try await ProxyHarness.make(sharing: a) { $0.disk = Self.disk(folder) }
            #expect(c.proxy.diskStore?.statistics.entries == 0)
            try await c.shutdown()
        }
    }

    @Test("a POST removes the disk copy too: the next GET and a restarted proxy miss (RFC 9111 §4.4)")
    func postInvalidatesDisk() async throws {
        try await withTemporaryFolder { folder in
            let a = try await ProxyHarness.make { $0.disk = Self.disk(folder) }
            a.origin.route("/p") { request, _ in
                if request.method == .post { return a.origin.reply(.noContent, []) }
                return a.origin.ok("stored", [(.cacheControl, "max-age=600")])
            }
            _ = try await a.get("/p")
            #expect(try await a.get("/p")["X-Cache"] == "HIT")
            #expect(try await a.request(.POST, "/p", body: "change").status == 204)
            // Memory lost it and the disk removal is queued: a lookup waits for it.
            let afterPost = try await a.get("/p")
            #expect(afterPost["X-Cache"] == "MISS")
            // That GET is stored once its request's work ends, maybe after its client has it all.
            await a.proxy.waitForPendingWork()
            #expect(try await a.request(.POST, "/p", body: "change").status == 204)
            try await a.shutdownProxy()
            #expect(entryFiles(in: folder).isEmpty)

            let b = try await ProxyHarness.make(sharing: a) { $0.disk = Self.disk(folder) }
            let restarted = try await b.get("/p")
            #expect(restarted["X-Cache"] == "MISS")
            #expect(b.origin.requests("/p").filter { $0.method == .get }.count == 3)
            try await b.shutdownProxy()
            #expect(entryFiles(in: folder).count == 1)

            // A copy only the disk holds (memory starts empty) is invalidated too.
            let c = try await ProxyHarness.make(sharing: a) { $0.disk = Self.disk(folder) }
            #expect(try await c.request(.POST, "/p", body: "change").status == 204)
            try await c.shutdownProxy()
            #expect(entryFiles(in: folder).isEmpty)
            try await a.origin.server.shutdown()
        }
    }

    @Test("no-store, private and Authorization-without-public responses never reach the disk (RFC 9111 §3, §3.5)")
    func notStorableNeverWritten() async throws {
        try await withTemporaryFolder { folder in
            let h = try await ProxyHarness.make { $0.disk = Self.disk(folder) }
            h.origin.route("/no-store") { _, _ in h.origin.ok("x", [(.cacheControl, "no-store")]) }
            h.origin.route("/private") { _, _ in h.origin.ok("x", [(.cacheControl, "private, max-age=60")]) }
            h.origin.route("/auth") { _, _ in h.origin.ok("x", [(.cacheControl, "max-age=60")]) }
            h.origin.route("/public") { _, _ in h.origin.ok("x", [(.cacheControl, "max-age=60")]) }
            for _ in 0..<2 {
                _ = try await h.get("/no-store")
                _ = try await h.get("/private")
                _ = try await h.get("/auth", [("Authorization", "Bearer secret")])
            }
            _ = try await h.get("/public")
            await h.proxy.waitForPendingWork()
            #expect(entryFiles(in: folder).count == 1)
            #expect(h.proxy.diskStore?.statistics.entries == 1)
            #expect(h.origin.count("/no-store") == 2)
            #expect(h.origin.count("/private") == 2)
            #expect(h.origin.count("/auth") == 2)
            try await h.shutdown()
            #expect(entryFiles(in: folder).count == 1)
        }
    }

    @Test("when the disk falls behind, writes beyond the queue's bound are dropped; removals never are")
    func boundedWriteQueue() async throws {
        try await withTemporaryFolder { folder in
            var configuration = Self.disk(folder)
            configuration.threads = 1
            configuration.maximumQueuedBytes = 250_000
            let tier = DiskTier(configuration: configuration)
            try await tier.open()
            let store = try #require(tier.store)
            // Hold the tier's only disk thread, as a slow disk would.
            let release = DispatchSemaphore(value: 0)
            let holding = NIOLockedValueBox(false)
            let holder = Task {
                try await tier.threadPool.runIfActive {
                    holding.withLockedValue { $0 = true }
                    release.wait()
                }
            }
            try await eventually { holding.withLockedValue { $0 } }

            let responses = (0..<5).map { Self.stored("/q\($0)", bytes: 100_000) }
            for response in responses { tier.insert(response, unlessRemovedSince: tier.mark(response.key)) }
            // 100k, then 200k queued; each later write would pass 250k.
            #expect(tier.droppedWrites == 3)
            tier.remove(responses[0].key) {}
            #expect(tier.droppedWrites == 3)

            release.signal()
            try await holder.value
            await tier.writes.drain()
            #expect(store.statistics.entries == 1)
            #expect(await store.variants(for: responses[1].key).count == 1)
            // Caught up: writes go again.
            tier.insert(responses[4], unlessRemovedSince: tier.mark(responses[4].key))
            await tier.writes.drain()
            #expect(store.statistics.entries == 2)
            await tier.close()
        }
    }

    @Test("an unusable --disk folder makes start() throw one clear error, and the server does not listen")
    func unusableFolder() async throws {
        try await withTemporaryFolder { folder in
            // Root may write anywhere: a folder below a regular file is unusable for everyone.
            let file = folder + "/not-a-folder"
            #expect(FileManager.default.createFile(atPath: file, contents: Data("x".utf8)))
            var configuration = ProxyConfiguration(listenHost: "127.0.0.1", listenPort: 0)
            configuration.admin = nil
            configuration.defaultOrigin = OriginAddress("http://127.0.0.1:1")
            configuration.threads = 1
            configuration.disk = Self.disk(file + "/cache")
            let server = ProxyServer(configuration: configuration)
            do {
                try await server.start()
                Issue.record("start() succeeded with an unusable disk folder")
            } catch let error as ProxyStartError {
                let message = "\(error)"
                #expect(message.hasPrefix("cannot use --disk \(file)/cache: cannot open the disk cache folder: "), "\(message)")
                #expect(!message.contains("\n"))
            }
            try await server.shutdown()
        }
    }

    @Test("`cachet proxy --disk` on an unusable folder exits non-zero with one error line")
    func unusableFolderCommand() async throws {
        try await withTemporaryFolder { folder in
            let file = folder + "/not-a-folder"
            #expect(FileManager.default.createFile(atPath: file, contents: Data("x".utf8)))
            let (status, output) = try ProxyLifecycleTests.runToExit(
                ["proxy", "--listen", "127.0.0.1:0", "--admin", "off", "--origin", "http://127.0.0.1:1", "--disk", file + "/cache"]
            )
            let text = output.joined(separator: "\n")
            let lines = output.filter { !$0.contains(" info ") }
            #expect(status != 0)
            #expect(lines.count == 1, "\(text)")
            #expect(lines.first?.hasPrefix("cachet proxy: cannot use --disk \(file)/cache: ") == true, "\(text)")
        }
    }

    @Test("kill -9 of `cachet proxy --disk` during concurrent misses: after a restart every body is whole, no temporary file is left", arguments: [0, 1])
    func killedProxy(_ run: Int) async throws {
        let executable = try Self.cachetExecutable()
        try await withTemporaryFolder { folder in
            let clock = ManualClock(SystemClock().now())
            let origin = ScriptedOrigin(clock: clock)
            try await origin.start()
            let keys = 160
            for key in 0..<keys {
                let content = Self.body("k\(key)", bytes: 64_000)
                origin.route("/k\(key)") { _, _ in origin.ok(content, [(.cacheControl, "max-age=3600"), (.eTag, "\"k\(key)\"")]) }
            }
            func arguments(port: Int) -> [String] {
                [
                    "proxy", "--listen", "127.0.0.1:\(port)", "--admin", "127.0.0.1:0", "--origin", "http://127.0.0.1:\(origin.port)",
                    "--disk", folder, "--threads", "2",
                ]
            }

            let first = try await ChildProxy.launch(executable, arguments: arguments(port: 0))
            // Whatever happens to the test, no proxy is left running.
            defer { first.sigkill() }
            // Kill after a number of answers that differs per run, with the rest in flight and
            // the answered ones' disk writes queued or running.
            let killAfter = 40 + run * 50
            let answered = NIOLockedValueBox(0)
            let client = Self.client()
            await withTaskGroup(of: Void.self) { group in
                for lane in 0..<16 {
                    group.addTask {
                        for key in stride(from: lane, to: keys, by: 16) {
                            guard let received = try? await Self.get(client, port: first.port, path: "/k\(key)") else { return }
                            if received.body == Self.body("k\(key)", bytes: 64_000) {
                                let count = answered.withLockedValue { value -> Int in
                                    value += 1
                                    return value
                                }
                                if count == killAfter { first.sigkill() }
                            }
                        }
                    }
                }
            }
            first.sigkill()  // in case fewer than killAfter answers came (the expectation below fails then)
            first.process.waitUntilExit()
            #expect(first.process.terminationReason == .uncaughtSignal)
            #expect(answered.withLockedValue { $0 } >= killAfter)
            // Its pooled connections went with the killed proxy: none may be reused for the next.
            try await client.shutdown()

            // On the same port: the Host, and so the cache keys, stay the same.
            let second = try await ChildProxy.launch(executable, arguments: arguments(port: first.port))
            defer { second.sigkill() }
            // Listening means the store is open: start-up has deleted the temporary files.
            #expect(!files(in: folder).contains { $0.hasSuffix(".tmp") })
            var hits = 0
            var corrupt = 0
            // Nothing below throws, so this client is always shut down.
            let verifier = Self.client()
            for key in 0..<keys {
                let fetchedBefore = origin.count("/k\(key)")
                guard let received = try? await Self.get(verifier, port: second.port, path: "/k\(key)") else {
                    Issue.record("GET /k\(key) from the restarted proxy failed")
                    continue
                }
                let fetchedAfter = origin.count("/k\(key)")
                guard received.status == 200, received.body == Self.body("k\(key)", bytes: 64_000) else {
                    corrupt += 1
                    continue
                }
                if received["X-Cache"] == "HIT" {
                    hits += 1
                    #expect(fetchedAfter == fetchedBefore, "a HIT for k\(key) went to the origin")
                } else {
                    #expect(fetchedAfter > fetchedBefore, "a MISS for k\(key) did not go to the origin")
                }
            }
            #expect(corrupt == 0)
            #expect(hits > 0, "nothing written before the kill survived it")
            second.sigkill()
            second.process.waitUntilExit()
            try await verifier.shutdown()
            try await origin.server.shutdown()
        }
    }

    // MARK: - Support

    /// The `cachet` executable, built beside the test bundle.
    static func cachetExecutable() throws -> URL {
        let start = URL(fileURLWithPath: (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0])
        var folder = start.deletingLastPathComponent()
        for _ in 0..<4 {
            let candidate = folder.appendingPathComponent("cachet")
            if FileManager.default.isExecutableFile(atPath: candidate.path), !candidate.hasDirectoryPath { return candidate }
            folder = folder.deletingLastPathComponent()
        }
        throw CocoaError(.fileNoSuchFile, userInfo: [NSFilePathErrorKey: "cachet near \(start.path); build it with `swift build`"])
    }

    /// A stored response for `http://example.test<path>` with `bytes` of body.
    static func stored(_ path: String, bytes: Int) -> StoredResponse {
        let request = HTTPRequest(method: .get, scheme: "http", authority: "example.test", path: path)
        var head = HTTPResponse(status: .ok)
        head.headerFields = [.date: ProxyHarness.start.imfFixdate, .cacheControl: "max-age=60"]
        let policy = CachePolicy(request: request, response: head, requestTime: ProxyHarness.start, responseTime: ProxyHarness.start)
        return StoredResponse(key: CacheKey(request: request)!, policy: policy, body: ByteBuffer(repeating: 0x61, count: bytes))
    }

    static func client() -> HTTPClient {
        var pool = HTTPClient.Configuration.ConnectionPool(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: 16)
        pool.retryConnectionEstablishment = false
        var configuration = HTTPClient.Configuration(redirectConfiguration: .disallow, connectionPool: pool, decompression: .disabled)
        configuration.httpVersion = .http1Only
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }

    static func get(_ client: HTTPClient, port: Int, path: String) async throws -> Received {
        let request = HTTPClientRequest(url: "http://127.0.0.1:\(port)\(path)")
        let response = try await client.execute(request, timeout: .seconds(30))
        let bytes = try await response.body.collect(upTo: 16 << 20)
        return Received(status: Int(response.status.code), headers: response.headers, body: String(buffer: bytes))
    }
}
