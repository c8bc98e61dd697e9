import CachetStorage
import HTTPCachePolicy
import NIOCore

extension RedisStore {
    public func publish(_ response: StoredResponse, lifetime: Duration) async throws {
        guard let milliseconds = Self.milliseconds(lifetime) else { return }
        let key = response.key
        let versionID = RedisEntryLayout.newVersionID()
        let version = layout.version(key, id: versionID)
        let header = RedisEntryHeader(response, chunkSize: configuration.chunkSize)
        do {
            try await write(header: header.encoded(), body: response.body, chunkSize: header.chunkSize, to: version, milliseconds: milliseconds)
            // Indexed before the flip: a purge by tag must find every entry that can be read
            // (a member whose entry is gone is harmless).
            try await index(key, tags: response.surrogateKeys, milliseconds: milliseconds)
            let pointer = RedisPointerValue(version: versionID, policy: response.policy, tags: response.surrogateKeys)
            try await client.evaluate(
                RedisStoreScripts.publish,
                keys: [layout.pointer(key), version],
                arguments: [RedisEntryLayout.variantID(response.policy.varyKey), pointer.encoded, milliseconds, layout.versionPrefix(key)]
            )
        } catch {
            // Never pointed to; it would expire anyway.
            _ = try? await client.delete([version])
            throw error
        }
    }

    /// Writes the header block and the chunks into `version` in commands of about
    /// `bytesPerCommand`, each in a transaction with its `PEXPIRE`, so that no piece ever
    /// lives without a TTL (a node dying half way leaves garbage that expires).
    private func write(header: ByteBuffer, body: ByteBuffer, chunkSize: Int, to version: String, milliseconds: Int) async throws {
        var command: [any RESPArgumentConvertible] = ["HSET", version, "h", header]
        var bytes = header.readableBytes
        func flush() async throws {
            let replies = try await client.transaction([RESPCommand(command), ["PEXPIRE", version, milliseconds]])
            try Self.check(replies, "HSET")
            command = ["HSET", version]
            bytes = 0
        }
        let chunkCount = RedisEntryHeader.chunkCount(bodyLength: body.readableBytes, chunkSize: chunkSize)
        for index in 0..<chunkCount {
            let length = min(chunkSize, body.readableBytes - index * chunkSize)
            let chunk = body.getSlice(at: body.readerIndex + index * chunkSize, length: length)!
            if command.count > 2, bytes + length > configuration.bytesPerCommand { try await flush() }
            command += [String(index), chunk]
            bytes += length
        }
        if command.count > 2 { try await flush() }
    }

    /// Adds `key` to the set of each tag, whose TTL becomes at least `milliseconds`: set when
    /// it has none (`PEXPIRE NX`), raised when it is shorter (`PEXPIRE GT`, which treats a key
    /// without TTL as infinite and so cannot set the first one; both Redis 7). Each set is in
    /// its tag's slot, so one transaction per tag.
    func index(_ key: CacheKey, tags: [String], milliseconds: Int) async throws {
        guard !tags.isEmpty else { return }
        let member = RedisEntryLayout.text(of: key)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for tag in tags {
                let set = layout.tagSet(tag)
                group.addTask {
                    let replies = try await self.client.transaction([
                        ["SADD", set, member], ["PEXPIRE", set, milliseconds, "NX"], ["PEXPIRE", set, milliseconds, "GT"],
                    ])
                    try Self.check(replies, "SADD")
                }
            }
            try await group.waitForAll()
        }
    }

    public func freshen(_ old: StoredResponse, to updated: StoredResponse, lifetime: Duration) async throws -> Bool {
        let key = old.key
        let variant = RedisEntryLayout.variantID(old.policy.varyKey)
        guard updated.key == key, RedisEntryLayout.variantID(updated.policy.varyKey) == variant else { return false }
        let pointerKey = layout.pointer(key)
        guard let read = try await client.send(["HGET", pointerKey, variant]).string,
            let pointer = RedisPointerValue(parsing: read),
            pointer.identity == RedisPointerValue.identity(of: old.policy)
        else { return false }
        guard let milliseconds = Self.milliseconds(lifetime) else {
            // No longer usable at all: the variant goes, as its expiry would take it.
            let reply = try await client.evaluate(RedisStoreScripts.drop, keys: [pointerKey, layout.version(key, id: pointer.version)], arguments: [variant, read])
            return try Self.integer(reply, "drop") == 1
        }
        // The body stays where it is, so its length and checksum come from the header block
        // stored beside it, not from `old` (which the caller may hold in another form).
        let version = layout.version(key, id: pointer.version)
        guard let stored = try await client.send(["HGET", version, "h"]).bytes,
            let header = try? RedisEntryHeader(decoding: stored), header.key == key
        else { return false }
        var freshened = header
        freshened.policy = updated.policy
        try await index(key, tags: updated.surrogateKeys, milliseconds: milliseconds)
        let replacement = RedisPointerValue(version: pointer.version, policy: updated.policy, tags: updated.surrogateKeys)
        let reply = try await client.evaluate(
            RedisStoreScripts.freshen,
            keys: [pointerKey, version],
            arguments: [variant, read, replacement.encoded, try freshened.encoded(), milliseconds]
        )
        return try Self.integer(reply, "freshen") == 1
    }
}
