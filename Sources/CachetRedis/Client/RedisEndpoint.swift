/// Where the shared tier lives: one standalone server, or a Redis Cluster reached through one
/// or more seed nodes (the slot map names the rest).
public enum RedisEndpoint: Sendable, Hashable {
    case standalone(RedisAddress)
    case cluster(seeds: [RedisAddress])

    /// `redis://host[:port][/]` or `redis-cluster://host:port,host:port`.
    public init(url: String) throws(RedisError) {
        func addresses(_ rest: Substring) throws(RedisError) -> [RedisAddress] {
            var trimmed = rest
            while trimmed.last == "/" { trimmed = trimmed.dropLast() }
            var result: [RedisAddress] = []
            for part in trimmed.split(separator: ",", omittingEmptySubsequences: false) {
                guard let address = RedisAddress(part) else { throw .invalidURL(url) }
                result.append(address)
            }
            guard !result.isEmpty else { throw .invalidURL(url) }
            return result
        }
        if url.hasPrefix("redis://") {
            let list = try addresses(url.dropFirst("redis://".count))
            guard list.count == 1 else { throw .invalidURL(url) }
            self = .standalone(list[0])
        } else if url.hasPrefix("redis-cluster://") {
            self = .cluster(seeds: try addresses(url.dropFirst("redis-cluster://".count)))
        } else {
            throw .invalidURL(url)
        }
    }
}
