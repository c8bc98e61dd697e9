import CachetStorage
import CachetTestSupport
import HTTPTypes
import NIOHTTP1
import Testing

@testable import CachetProxy

/// Several nodes, one cache (issue 11): three `cachet proxy` nodes share a tier on a real
/// `redis-server` the test starts — standalone, and a 3-master Redis Cluster — in front of
/// one origin that counts what it is asked.
@Suite("Shared tier: three nodes, one cache", .enabled(if: RedisAvailability.enabled, Comment(rawValue: RedisAvailability.reason)))
struct SharedTierFleetTests {
    enum Topology: String, CaseIterable, CustomTestStringConvertible {
        case standalone
        case cluster
        var testDescription: String { rawValue }
    }

    /// Runs `body` with a fleet on a fresh Redis of `topology`, then stops both.
    static func withFleet(_ topology: Topology, _ body: (Fleet) async throws -> Void) async throws {
        switch topology {
        case .standalone:
            let redis = try await RedisServer.start()
            defer { redis.stop() }
            let fleet = try await Fleet.start(shared: "redis://127.0.0.1:\(redis.port)")
            try await body(fleet)
            try await fleet.shutdown()
        case .cluster:
            let cluster = try await RedisTestCluster.start()
            defer { cluster.stop() }
            let fleet = try await Fleet.start(shared: cluster.seedURL)
            try await body(fleet)
            try await fleet.shutdown()
        }
    }

    @Test("a response stored through node A is a hit on B and C (Cache-Status says shared), the origin asked once; bodies of several chunks arrive whole", arguments: Topology.allCases)
    func fillOnceHitEverywhere(_ topology: Topology) async throws {
        try await Self.withFleet(topology) { fleet in
            let large = String(repeating: "0123456789abcdef", count: 64 << 10)  // 1 MiB: several chunks
            fleet.origin.route("/page") { _, _ in fleet.origin.ok("shared body", [(.cacheControl, "max-age=600"), (.eTag, "\"p1\"")]) }
            fleet.origin.route("/large") { _, _ in fleet.origin.ok(large, [(.cacheControl, "max-age=600")]) }

            let first = try await fleet.get(0, "/page")
            #expect(first["X-Cache"] == "MISS")
            _ = try await fleet.get(0, "/large")
            await fleet.settle()

            for node in [1, 2] {
                let page = try await fleet.get(node, "/page")
                #expect(page.status == 200)
                #expect(page.body == "shared body")
                #expect(page["Cache-Status"]?.contains("detail=shared") == true, "\(page["Cache-Status"] ?? "")")
                #expect(page["ETag"] == "\"p1\"")
                let body = try await fleet.get(node, "/large")
                #expect(body.body == large)
                #expect(body["Cache-Status"]?.contains("detail=shared") == true)
                // Kept in the node's own memory now.
                let again = try await fleet.get(node, "/page")
                #expect(again["Cache-Status"]?.contains("detail=shared") == false)
                #expect(again["X-Cache"] == "HIT")
            }
            #expect(fleet.origin.count("/page") == 1)
            #expect(fleet.origin.count("/large") == 1)
            #expect(fleet.shared(0).counters.current.bytesWritten >= large.utf8.count)
            #expect(fleet.shared(1).counters.current.bytesRead >= large.utf8.count)
            // The client's own conditional is answered from the shared copy too.
            let conditional = try await fleet.get(2, "/page", [("If-None-Match", "\"p1\"")])
            #expect(conditional.status == 304)
            #expect(fleet.origin.count("/page") == 1)
        }
    }

    @Test("a revalidation answered 304 through B freshens the shared entry: C, and A with its own stale copy, get it fresh without asking the origin (RFC 9111 §4.3.4)", arguments: Topology.allCases)
    func freshenedThroughOneNodeSeenByAnother(_ topology: Topology) async throws {
        try await Self.withFleet(topology) { fleet in
            fleet.origin.route("/f") { request, _ in
                if request.headerFields[.ifNoneMatch] == "\"f1\"" {
                    return fleet.origin.reply(.notModified, [(.eTag, "\"f1\""), (.cacheControl, "max-age=60")])
                }
                return fleet.origin.ok("f body", [(.eTag, "\"f1\""), (.cacheControl, "max-age=60")])
            }
            _ = try await fleet.get(0, "/f")
            await fleet.settle()
            fleet.clock.advance(seconds: 120)

            let revalidated = try await fleet.get(1, "/f")
            #expect(revalidated.body == "f body")
            #expect(revalidated["Cache-Status"]?.contains("fwd=stale") == true)
            #expect(revalidated["Cache-Status"]?.contains("fwd-status=304") == true)
            await fleet.settle()

            let seen = try await fleet.get(2, "/f")
            #expect(seen.body == "f body")
            #expect(seen["Cache-Status"]?.contains("detail=shared") == true, "\(seen["Cache-Status"] ?? "")")
            #expect(seen["Age"] == "0")
            #expect(fleet.origin.count("/f") == 2, "one fetch and one revalidation")
            #expect(fleet.origin.requests("/f").last?.headerFields[.ifNoneMatch] == "\"f1\"")

            // A, whose own copy is stale, takes the freshened one rather than asking the origin.
            let onA = try await fleet.get(0, "/f")
            #expect(onA.body == "f body")
            #expect(onA["Cache-Status"]?.contains("detail=shared") == true, "\(onA["Cache-Status"] ?? "")")
            #expect(try await fleet.get(0, "/f")["X-Cache"] == "HIT")
            #expect(fleet.origin.count("/f") == 2)
        }
    }

    @Test("a PURGE through C (by URL, by surrogate key, soft) reaches the shared entries and the copies A and B hold", arguments: Topology.allCases)
    func purgesReachEveryNode(_ topology: Topology) async throws {
        try await Self.withFleet(topology) { fleet in
            let origin = fleet.origin
            origin.route("/u") { _, count in origin.ok("u\(count)", [(.cacheControl, "max-age=600")]) }
            origin.route("/t1") { _, count in origin.ok("t1-\(count)", [(.cacheControl, "max-age=600"), (SurrogateKeys.surrogateKey, "group")]) }
            origin.route("/t2") { _, count in origin.ok("t2-\(count)", [(.cacheControl, "max-age=600"), (SurrogateKeys.surrogateKey, "group other")]) }
            origin.route("/keep") { _, count in origin.ok("keep\(count)", [(.cacheControl, "max-age=600"), (SurrogateKeys.surrogateKey, "other")]) }
            origin.route("/soft") { request, count in
                if request.headerFields[.ifNoneMatch] == "\"s\"" { return origin.reply(.notModified, [(.eTag, "\"s\""), (.cacheControl, "max-age=600")]) }
                return origin.ok("soft\(count)", [(.cacheControl, "max-age=600"), (.eTag, "\"s\"")])
            }
            let paths = ["/u", "/t1", "/t2", "/keep", "/soft"]
            for path in paths { _ = try await fleet.get(0, path) }
            await fleet.settle()
            // Every node holds its own copy of everything.
            for node in [1, 2] {
                for path in paths { #expect(try await fleet.get(node, path)["X-Cache"] == "HIT") }
            }

            // By URL.
            let byURL = try await fleet.request(2, Fleet.purge, "/u")
            #expect(byURL.status == 200)
            #expect(byURL["Cachet-Purged"] == "1")
            try await fleet.waitForBroadcasts(1, on: [0, 1])
            #expect(try await fleet.get(0, "/u").body == "u2")
            await fleet.settle()
            let fromShared = try await fleet.get(1, "/u")
            #expect(fromShared.body == "u2", "B dropped its own copy and took A's new one")
            #expect(origin.count("/u") == 2)

            // By surrogate key: both tagged responses go everywhere, the other one stays.
            let byKey = try await fleet.request(2, Fleet.purge, "/", [("Surrogate-Key", "group")])
            #expect(byKey["Cachet-Purged"] == "2")
            try await fleet.waitForBroadcasts(2, on: [0, 1])
            #expect(try await fleet.get(1, "/t1").body == "t1-2")
            #expect(try await fleet.get(0, "/t2").body == "t2-2")
            #expect(try await fleet.get(0, "/keep")["X-Cache"] == "HIT")
            #expect(origin.count("/keep") == 1)

            // Soft: every node revalidates before using its copy again, and a 304 suffices.
            let soft = try await fleet.request(2, Fleet.purge, "/soft", [("Cachet-Soft-Purge", "1")])
            #expect(soft["Cachet-Purged"] == "1")
            try await fleet.waitForBroadcasts(3, on: [0, 1])
            let revalidated = try await fleet.get(0, "/soft")
            #expect(revalidated.body == "soft1")
            #expect(revalidated["Cache-Status"]?.contains("fwd-status=304") == true)
            #expect(origin.count("/soft") == 2)
            #expect(origin.requests("/soft").last?.headerFields[.ifNoneMatch] == "\"s\"")
            #expect(fleet.shared(2).counters.current.broadcastsSent == 3)
        }
    }

    @Test("one cold URL asked on all three nodes at once: one origin request, every client gets the body", arguments: Topology.allCases)
    func coldURLOneOriginRequest(_ topology: Topology) async throws {
        try await Self.withFleet(topology) { fleet in
            let shared = (0..<3).map { fleet.shared($0) }
            fleet.origin.route("/cold") { _, _ in
                // Held until the other two nodes wait for this fill (bounded, in case they do not).
                try? await eventually(within: .seconds(5)) { shared.map { $0.counters.current.fillWaits }.reduce(0, +) >= 2 }
                return fleet.origin.ok("cold body", [(.cacheControl, "max-age=600")])
            }
            let bodies = try await withThrowingTaskGroup(of: Received.self) { group in
                for node in 0..<3 {
                    for _ in 0..<4 { group.addTask { try await fleet.get(node, "/cold") } }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(bodies.count == 12)
            #expect(bodies.allSatisfy { $0.status == 200 && $0.body == "cold body" })
            #expect(fleet.origin.count("/cold") == 1)
            // The other two nodes waited for the fill. A wait that outlasts `fillWait` (2 s, on a
            // loaded machine) looks again and waits again, so at least two waits, not exactly.
            #expect(shared.map { $0.counters.current.fillWaits }.reduce(0, +) >= 2)
        }
    }
}
