import CachetStorage
import HTTPCachePolicy
import NIOCore

extension RedisStore {
    public func variants(for key: CacheKey) async throws -> [StoredResponse] {
        let reply = try await client.send(["HGETALL", layout.pointer(key)])
        guard let fields = reply.array, fields.count % 2 == 0 else {
            throw RedisError.unexpectedReply(command: "HGETALL", reply: "\(reply)")
        }
        var responses: [StoredResponse] = []
        for index in stride(from: 0, to: fields.count, by: 2) {
            guard let variant = fields[index].string, let value = fields[index + 1].string else { continue }
            if let response = try await readVariant(of: key, variant: variant, pointer: value) {
                responses.append(response)
            }
        }
        return responses
    }

    /// What reading one version found.
    private enum VersionRead {
        case entry(StoredResponse)
        /// No field at all: the version expired (the pointer outlives its shorter-lived
        /// variants) or was replaced and deleted.
        case gone
        case invalid(RedisEntryError)
    }

    /// The variant `pointer` leads to, verified. When the read fails, the pointer is read
    /// again: if it moved meanwhile (a publication replaced the version and deleted it
    /// while it was being read), the new version is read, a few times at most; if it did
    /// not, a missing version is unlinked quietly and an invalid one is rejected: counted,
    /// unlinked and deleted.
    private func readVariant(of key: CacheKey, variant: String, pointer initial: String) async throws -> StoredResponse? {
        let pointerKey = layout.pointer(key)
        var value = initial
        for _ in 0..<3 {
            guard let pointer = RedisPointerValue(parsing: value) else {
                countRejection()
                _ = try? await client.send(["HDEL", pointerKey, variant])
                return nil
            }
            let version = layout.version(key, id: pointer.version)
            let read = try await readVersion(version, of: key, variant: variant, pointer: pointer)
            if case .entry(let response) = read { return response }
            guard let now = try await client.send(["HGET", pointerKey, variant]).string else { return nil }
            if now != value {
                value = now
                continue
            }
            if case .invalid = read { countRejection() }
            _ = try? await client.evaluate(RedisStoreScripts.drop, keys: [pointerKey, version], arguments: [variant, value])
            return nil
        }
        return nil
    }

    /// Reads the header block and the chunks of `version`, several chunks per `HMGET` but
    /// about `bytesPerCommand` of them at most. The rounds go on to the index one past the
    /// last chunk, so that the last round also checks there is no chunk past the last.
    private func readVersion(_ version: String, of key: CacheKey, variant: String, pointer: RedisPointerValue) async throws -> VersionRead {
        // The first round guesses this node's chunk size; the header block says the real one.
        let firstRound = configuration.chunksPerCommand(chunkSize: configuration.chunkSize)
        let first = try await fields(["h"] + (0..<firstRound).map(String.init), of: version)
        guard let block = first[0] else {
            return first.allSatisfy({ $0 == nil }) ? .gone : .invalid(.missingHeader)
        }
        let header: RedisEntryHeader
        do {
            header = try RedisEntryHeader(decoding: block)
        } catch {
            return .invalid(error)
        }
        guard header.key == key, RedisEntryLayout.variantID(header.policy.varyKey) == variant,
            RedisPointerValue.identity(of: header.policy) == pointer.identity
        else { return .invalid(.wrongEntry) }

        var body = ByteBuffer()
        body.reserveCapacity(min(header.bodyLength, 64 << 20))
        var crc = CRC32C()
        // Checks the chunks `values` of indices from `start`: present and of the right length
        // up to the last, absent past it.
        func take(_ values: ArraySlice<ByteBuffer?>, from start: Int) -> RedisEntryError? {
            for (offset, value) in values.enumerated() {
                let index = start + offset
                guard index < header.chunkCount else {
                    if value != nil { return .extraChunk(index) }
                    continue
                }
                guard let chunk = value else { return .missingChunk(index) }
                guard chunk.readableBytes == header.chunkLength(index) else { return .wrongChunkLength(index) }
                chunk.withUnsafeReadableBytes { crc.update($0) }
                body.writeImmutableBuffer(chunk)
            }
            return nil
        }
        if let error = take(first.dropFirst(), from: 0) { return .invalid(error) }
        var next = firstRound
        let perRound = configuration.chunksPerCommand(chunkSize: header.chunkSize)
        while next <= header.chunkCount {
            let last = min(next + perRound - 1, header.chunkCount)
            let values = try await fields((next...last).map(String.init), of: version)
            if let error = take(values[...], from: next) { return .invalid(error) }
            next = last + 1
        }
        guard crc.value == header.bodyChecksum else { return .invalid(.bodyChecksumMismatch) }
        return .entry(StoredResponse(key: header.key, policy: header.policy, body: body))
    }

    /// `HMGET version fields...`: each value, or nil where the field does not exist.
    private func fields(_ names: [String], of version: String) async throws -> [ByteBuffer?] {
        let reply = try await client.send(["HMGET", version] + names)
        guard let values = reply.array, values.count == names.count else {
            throw RedisError.unexpectedReply(command: "HMGET", reply: "\(reply)")
        }
        return try values.map { value in
            if value.isNull { return nil }
            guard let bytes = value.bytes else { throw RedisError.unexpectedReply(command: "HMGET", reply: "\(value)") }
            return bytes
        }
    }
}
