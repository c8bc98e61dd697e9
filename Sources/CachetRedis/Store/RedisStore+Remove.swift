import CachetStorage
import HTTPCachePolicy
import NIOCore

extension RedisStore {
    public func remove(_ key: CacheKey, taggedWithAnyOf tags: Set<String>?) async throws -> Int {
        var arguments: [any RESPArgumentConvertible] = [layout.versionPrefix(key)]
        if let tags {
            guard !tags.isEmpty else { return 0 }
            arguments.append("1")
            arguments += tags.sorted()
        } else {
            arguments.append("0")
        }
        let reply = try await client.evaluate(RedisStoreScripts.remove, keys: [layout.pointer(key)], arguments: arguments)
        return try Self.integer(reply, "remove")
    }

    /// The union of the tags' sets. A member whose entry is gone (expired, removed, or
    /// untagged by a later publication) is returned too: the caller's removal finds nothing.
    public func keys(taggedWith tags: Set<String>) async throws -> [CacheKey] {
        var keys = Set<CacheKey>()
        for tag in tags.sorted() {
            for member in try await client.smembers(layout.tagSet(tag)) {
                if let key = RedisEntryLayout.key(fromText: String(buffer: member)) { keys.insert(key) }
            }
        }
        return keys.sorted { $0.description < $1.description }
    }
}
