/// How `RedisStore` lays out and moves entries.
public struct RedisStoreConfiguration: Sendable, Hashable {
    /// The prefix of every key and channel (``RedisEntryLayout``): caches sharing a Redis
    /// with different namespaces never see each other's entries. No `{` or `}`.
    public var namespace: String
    /// Bytes per body chunk (one hash field each). Readers use the size the writer
    /// recorded in the header block, so nodes may differ.
    public var chunkSize: Int
    /// About the most body bytes one command carries, written (`HSET`) or read (`HMGET`):
    /// a large body moves in several round trips, so neither Redis nor this node holds a
    /// reply or a request of the whole body at once. At least one chunk per command.
    public var bytesPerCommand: Int

    public init(namespace: String = "cachet", chunkSize: Int = 256 << 10, bytesPerCommand: Int = 1 << 20) {
        precondition((1...RedisEntryHeader.maximumChunkSize).contains(chunkSize), "chunk size out of range")
        precondition(bytesPerCommand >= 1)
        self.namespace = namespace
        self.chunkSize = chunkSize
        self.bytesPerCommand = bytesPerCommand
    }

    /// Chunks per command for chunks of `chunkSize`.
    func chunksPerCommand(chunkSize: Int) -> Int {
        max(1, bytesPerCommand / chunkSize)
    }
}
