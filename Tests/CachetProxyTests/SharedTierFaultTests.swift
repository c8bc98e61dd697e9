import CachetRedis
import CachetTestSupport
import HTTPTypes
import NIOConcurrencyHelpers
import Testing

@testable import CachetProxy

/// The shared tier is a cache, never a dependency (issue 11): Redis stopped, or a Cluster
/// master killed, while three nodes are under load → every client still gets its response
/// whole, from the nodes' own tiers and the origin; each node logs the loss once and counts
/// the failures.
@Suite("Shared tier: faults under load", .enabled(if: RedisAvailability.enabled, Comment(rawValue: RedisAvailability.reason)))
struct SharedTierFaultTests {
    /// The body the origin sends for path number `index`: distinct per path, so a body from
    /// another path (or a part of one) cannot pass for it.
    static func body(_ index: Int) -> String {
        "body \(index): " + String(repeating: "\(index % 10)", count: 2_000 + index * 37)
    }

    static func routes(_ fleet: Fleet, count: Int) {
        for index in 0..<count {
            fleet.origin.route("/item/\(index)") { _, _ in
                fleet.origin.ok(body(index), [(.cacheControl, "max-age=600"), (.eTag, "\"i\(index)\"")])
            }
        }
    }

    /// Three workers per node ask for `paths` in turn, `rounds` times; once `trigger` responses
    /// have arrived, `fault` runs while the load goes on. Returns the wrong answers (status
    /// or body) and how many responses arrived.
    static func load(
        _ fleet: Fleet, paths: Range<Int>, rounds: Int, trigger: Int, fault: @escaping @Sendable () async -> Void
    ) async throws -> (failures: [String], responses: Int) {
        let done = NIOLockedValueBox(0)
        let failures = NIOLockedValueBox<[String]>([])
        let faulted = NIOLockedValueBox(false)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                try await eventually(within: .seconds(60)) { done.withLockedValue { $0 } >= trigger }
                await fault()
                faulted.withLockedValue { $0 = true }
            }
            for node in 0..<fleet.nodes.count {
                for worker in 0..<3 {
                    group.addTask {
                        for round in 0..<rounds {
                            for step in paths.indices {
                                let index = paths.lowerBound + (step + worker * 7 + round * 3) % paths.count
                                do {
                                    let response = try await fleet.get(node, "/item/\(index)")
                                    if response.status != 200 || response.body != body(index) {
                                        failures.withLockedValue { $0.append("node \(node) /item/\(index): \(response.status), \(response.body.utf8.count) bytes") }
                                    }
                                } catch {
                                    failures.withLockedValue { $0.append("node \(node) /item/\(index): \(error)") }
                                }
                                done.withLockedValue { $0 += 1 }
                            }
                        }
                    }
                }
            }
            try await group.waitForAll()
        }
        #expect(faulted.withLockedValue { $0 }, "the fault ran while the load was on")
        return (failures.withLockedValue { $0 }, done.withLockedValue { $0 })
    }

    /// Every node that saw shared-tier errors logged the loss exactly once; the others not at all.
    static func expectOneLossLine(_ fleet: Fleet, sourceLocation: SourceLocation = #_sourceLocation) {
        for (node, log) in fleet.logs.enumerated() {
            let lost = log.count(.warning, containing: "shared tier failing")
            let noticed = fleet.shared(node).counters.current.errors > 0
            #expect(lost == (noticed ? 1 : 0), "node \(node) logged the loss \(lost) times", sourceLocation: sourceLocation)
        }
    }

    @Test("standalone Redis stopped under load: 0 client errors, 0 wrong bodies; each node logs the loss once and counts errors")
    func standaloneStopped() async throws {
        let redis = try await RedisServer.start()
        defer { redis.stop() }
        let fleet = try await Fleet.start(shared: "redis://127.0.0.1:\(redis.port)")
        Self.routes(fleet, count: 60)
        // Warm: the first 20 through the shared tier.
        for index in 0..<20 { _ = try await fleet.get(index % 3, "/item/\(index)") }
        await fleet.settle()

        // Paths 0..<60: the first 20 shared, the rest cold, so misses go on after the stop.
        let (failures, responses) = try await Self.load(fleet, paths: 0..<60, rounds: 2, trigger: 40) { redis.stop() }
        #expect(failures.isEmpty, "\(failures.prefix(5))")
        #expect(responses == 3 * 3 * 60 * 2)
        let errors = (0..<3).map { fleet.shared($0).counters.current.errors }
        #expect(errors.reduce(0, +) > 0, "the nodes noticed")
        Self.expectOneLossLine(fleet)
        #expect(fleet.logs.map { $0.count(.warning, containing: "shared tier failing") }.reduce(0, +) >= 1)
        try await fleet.shutdown()
    }

    @Test("standalone Redis frozen (SIGSTOP) under load: 0 client errors, 0 wrong bodies; each node logs the loss once")
    func standaloneFrozen() async throws {
        let redis = try await RedisServer.start()
        defer { redis.stop() }
        let fleet = try await Fleet.start(shared: "redis://127.0.0.1:\(redis.port)") { $0.timeout = .milliseconds(200) }
        Self.routes(fleet, count: 60)
        for index in 0..<20 { _ = try await fleet.get(index % 3, "/item/\(index)") }
        await fleet.settle()

        let (failures, responses) = try await Self.load(fleet, paths: 0..<60, rounds: 2, trigger: 40) { redis.pause() }
        #expect(failures.isEmpty, "\(failures.prefix(5))")
        #expect(responses == 3 * 3 * 60 * 2)
        #expect((0..<3).map { fleet.shared($0).counters.current.errors }.reduce(0, +) > 0, "the nodes noticed")
        Self.expectOneLossLine(fleet)
        redis.resume()
        try await fleet.shutdown()
    }

    @Test("a damaged value in Redis (a body chunk overwritten, a chunk gone) is never served: the node fetches from the origin and counts it")
    func damagedValueNeverServed() async throws {
        let redis = try await RedisServer.start()
        defer { redis.stop() }
        let fleet = try await Fleet.start(shared: "redis://127.0.0.1:\(redis.port)")
        Self.routes(fleet, count: 2)
        for index in 0..<2 { _ = try await fleet.get(0, "/item/\(index)") }
        await fleet.settle()

        // Damage every stored version: for item 0 overwrite its first chunk, for item 1 remove it.
        let client = RedisClient(endpoint: .standalone(RedisAddress(host: "127.0.0.1", port: redis.port)))
        let versions = try await client.send(["KEYS", "\(fleet.namespace):*:v:*"]).array?.compactMap(\.bytes).map { String(buffer: $0) } ?? []
        #expect(versions.count == 2)
        for (number, version) in versions.enumerated() {
            if number == 0 {
                try await client.send(["HSET", version, "0", "not the body that was stored"])
            } else {
                try await client.send(["HDEL", version, "0"])
            }
        }
        await client.shutdown()

        for index in 0..<2 {
            let response = try await fleet.get(1, "/item/\(index)")
            #expect(response.status == 200)
            #expect(response.body == Self.body(index))
            #expect(response["Cache-Status"]?.contains("detail=shared") == false)
            #expect(fleet.origin.count("/item/\(index)") == 2, "fetched again rather than served damaged")
        }
        #expect(fleet.nodes[1].proxy.metricsSnapshot().counts.sharedRejected == 2)
        try await fleet.shutdown()
    }

    @Test("a Cluster master killed with SIGKILL under load: 0 client errors, 0 wrong bodies")
    func clusterMasterKilled() async throws {
        let cluster = try await RedisTestCluster.start()
        defer { cluster.stop() }
        let fleet = try await Fleet.start(shared: cluster.seedURL)
        Self.routes(fleet, count: 60)
        for index in 0..<20 { _ = try await fleet.get(index % 3, "/item/\(index)") }
        await fleet.settle()

        let victim = cluster.nodes[1]
        let (failures, responses) = try await Self.load(fleet, paths: 0..<60, rounds: 2, trigger: 40) { victim.crash() }
        #expect(failures.isEmpty, "\(failures.prefix(5))")
        #expect(responses == 3 * 3 * 60 * 2)
        #expect((0..<3).map { fleet.shared($0).counters.current.errors }.reduce(0, +) > 0, "the killed master's slots failed")
        try await fleet.shutdown()
    }
}
