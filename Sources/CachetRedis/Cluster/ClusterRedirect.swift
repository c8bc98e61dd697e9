/// A `MOVED` or `ASK` error reply (Redis Cluster spec, "MOVED Redirection" and "ASK
/// redirection"): `MOVED 3999 127.0.0.1:6381` says the slot now lives on that node for good
/// (update the map); `ASK 3999 127.0.0.1:6381` says this one query should go there, preceded
/// by `ASKING`, while the slot migrates (leave the map alone).
enum ClusterRedirect: Sendable, Hashable {
    case moved(slot: Int, to: RedisAddress)
    case ask(slot: Int, to: RedisAddress)

    /// Parses the error message; an empty host (`MOVED 3999 :6381`, sent when the node does
    /// not know its own address) means the host of the node that answered.
    init?(errorMessage: String, answeringHost: String) {
        let parts = errorMessage.split(separator: " ")
        guard parts.count == 3, let slot = Int(parts[1]), (0..<HashSlot.count).contains(slot) else { return nil }
        var target = parts[2]
        if target.first == ":" { target = Substring(answeringHost + target) }
        guard let address = RedisAddress(target) else { return nil }
        switch parts[0] {
        case "MOVED": self = .moved(slot: slot, to: address)
        case "ASK": self = .ask(slot: slot, to: address)
        default: return nil
        }
    }
}
