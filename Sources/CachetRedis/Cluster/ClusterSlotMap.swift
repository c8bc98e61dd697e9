import NIOCore

/// Which master serves each hash slot, as `CLUSTER SLOTS` reports it (Redis Cluster spec,
/// "Client first connection and handling of redirections"). Replicas are ignored: the shared
/// tier reads and writes on masters only, so a read never sees a replica's lag.
public struct ClusterSlotMap: Sendable, Hashable {
    /// The masters, in the order first seen.
    public private(set) var nodes: [RedisAddress]
    /// For each slot, an index into `nodes`, or -1 when no node serves it.
    private var owners: [Int16]

    public init() {
        nodes = []
        owners = Array(repeating: -1, count: HashSlot.count)
    }

    /// Reads a `CLUSTER SLOTS` reply: an array of `[start, end, [host, port, id, ...],
    /// replicas...]`. An empty host means the host of the node asked; a null host (unknown
    /// endpoint) leaves the range unassigned.
    public init(slotsReply: RESPValue, askedHost: String) throws(RedisError) {
        self.init()
        guard let ranges = slotsReply.array else { throw .clusterMapUnavailable("CLUSTER SLOTS replied \(slotsReply)") }
        for range in ranges {
            guard let fields = range.array, fields.count >= 3,
                case .integer(let start) = fields[0], case .integer(let end) = fields[1],
                0 <= start, start <= end, end < HashSlot.count,
                let master = fields[2].array, master.count >= 2,
                case .integer(let port) = master[1]
            else { throw .clusterMapUnavailable("CLUSTER SLOTS range is malformed: \(range)") }
            guard let host = master[0].string else { continue }
            guard let address = RedisAddress(Substring("\(host.isEmpty ? askedHost : host):\(port)")) else {
                throw .clusterMapUnavailable("CLUSTER SLOTS names an invalid address: \(range)")
            }
            for slot in Int(start)...Int(end) { assign(slot: slot, to: address) }
        }
    }

    public func node(forSlot slot: Int) -> RedisAddress? {
        let owner = owners[slot]
        return owner < 0 ? nil : nodes[Int(owner)]
    }

    /// The number of slots some node serves (16384 when the cluster is whole).
    public var coveredSlots: Int {
        owners.reduce(0) { $0 + ($1 >= 0 ? 1 : 0) }
    }

    /// Moves one slot, as a `MOVED` redirect says.
    public mutating func assign(slot: Int, to address: RedisAddress) {
        if let index = nodes.firstIndex(of: address) {
            owners[slot] = Int16(index)
        } else {
            nodes.append(address)
            owners[slot] = Int16(nodes.count - 1)
        }
    }
}
