import CachetTestSupport
import HTTPTypes
import Logging
import NIOHTTP1

@testable import CachetProxy

/// Three (or more) proxy nodes in front of one scripted origin, sharing a cache through a
/// Redis the test started: what a load balancer would spread requests over. Every request
/// carries the fleet's one public `Host`, so the nodes compute the same cache keys.
struct Fleet {
    let nodes: [ProxyHarness]
    let logs: [LogCapture]
    /// The prefix of the fleet's Redis keys.
    let namespace: String
    var origin: ScriptedOrigin { nodes[0].origin }
    var clock: ManualClock { nodes[0].clock }

    static let host = "fleet.test"
    static let purge = HTTPMethod.RAW(value: "PURGE")

    /// `count` nodes sharing the Redis at `url`, each under a namespace of this fleet's own.
    static func start(shared url: String, count: Int = 3, _ configure: (inout SharedConfiguration) -> Void = { _ in }) async throws -> Fleet {
        var shared = SharedConfiguration(url: url, fillWait: .seconds(2), namespace: "fleet-\(UInt32.random(in: .min ... .max))")
        configure(&shared)
        var nodes: [ProxyHarness] = []
        var logs: [LogCapture] = []
        for _ in 0..<count {
            let log = LogCapture()
            let node = try await ProxyHarness.make(joining: nodes.first, logger: log.logger(label: "cachet.proxy", level: .info)) {
                $0.shared = shared
            }
            nodes.append(node)
            logs.append(log)
        }
        return Fleet(nodes: nodes, logs: logs, namespace: shared.namespace)
    }

    func get(_ node: Int, _ path: String, _ headers: [(String, String)] = []) async throws -> Received {
        try await nodes[node].get(path, [("Host", Self.host)] + headers)
    }

    func request(_ node: Int, _ method: HTTPMethod, _ path: String, _ headers: [(String, String)] = []) async throws -> Received {
        try await nodes[node].request(method, path, [("Host", Self.host)] + headers)
    }

    /// Waits until every node's writes to the shared tier (and to its disk) are done.
    func settle() async {
        for node in nodes { await node.proxy.waitForBackgroundWork() }
    }

    func shared(_ node: Int) -> SharedTier { nodes[node].proxy.sharedTier! }

    /// Waits until each of `nodes` has received `count` purge broadcasts.
    func waitForBroadcasts(_ count: Int, on indices: [Int]) async throws {
        try await eventually(within: .seconds(10)) {
            indices.allSatisfy { shared($0).counters.current.broadcastsReceived >= count }
        }
    }

    func shutdown() async throws {
        for node in nodes.reversed() { try await node.shutdownProxy() }
        try await origin.server.shutdown()
    }
}
