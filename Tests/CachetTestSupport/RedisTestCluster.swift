import Foundation

/// Three cluster-enabled `redis-server`s joined into a 3-master Redis Cluster with
/// `redis-cli --cluster create`, ready when every node reports `cluster_state:ok`.
public struct RedisTestCluster: Sendable {
    public let nodes: [RedisServer]

    public static func start() async throws -> RedisTestCluster {
        var nodes: [RedisServer] = []
        do {
            for _ in 0..<3 { nodes.append(try await RedisServer.start(cluster: true)) }
            let cluster = RedisTestCluster(nodes: nodes)
            let created = try await RedisServer.cli(["--cluster", "create"] + nodes.map { "127.0.0.1:\($0.port)" } + ["--cluster-replicas", "0", "--cluster-yes"])
            guard created.contains("[OK] All 16384 slots covered") else {
                throw RedisServer.Failure(description: "cluster create failed: \(created)")
            }
            try await cluster.waitUntilConsistent()
            return cluster
        } catch {
            for node in nodes { node.stop() }
            throw error
        }
    }

    /// Polls until every node says `cluster_state:ok` and agrees on who serves every slot.
    public func waitUntilConsistent() async throws {
        try await waitUntil(within: 30, "cluster_state:ok on every node with one slot table") {
            var infos: [String] = []
            var tables: [[String]] = []
            for node in nodes {
                infos.append(try await node.cli("CLUSTER", "INFO"))
                tables.append(try await slotOwners(asking: node))
            }
            guard infos.allSatisfy({ $0.contains("cluster_state:ok") }) else { return false }
            return tables.allSatisfy { $0 == tables[0] }
        }
    }

    /// A node's view of who serves what, from `CLUSTER NODES`: "id slot-ranges" per master,
    /// sorted, migration markers (`[slot->-id]`) left out.
    private func slotOwners(asking node: RedisServer) async throws -> [String] {
        try await node.cli("CLUSTER", "NODES").split(separator: "\n").map { line in
            let fields = line.split(separator: " ")
            let ranges = fields.dropFirst(8).filter { !$0.hasPrefix("[") }
            return ([fields[0]] + ranges).joined(separator: " ")
        }.sorted()
    }

    public func node(port: Int) -> RedisServer {
        nodes.first { $0.port == port }!
    }

    public var seedURL: String { "redis-cluster://127.0.0.1:\(nodes[0].port)" }

    public func stop() {
        for node in nodes { node.stop() }
    }
}

extension RedisServer {
    /// `CLUSTER MYID`.
    public var id: String {
        get async throws { try await cli("CLUSTER", "MYID") }
    }
}
