import CachetStorage
import HTTPCachePolicy
import Logging
import NIOConcurrencyHelpers
import NIOPosix

/// The persistent tier behind the memory store: a ``DiskStore`` on its own thread pool,
/// written behind the memory tier and read when memory misses.
///
/// - Writes and removals are queued per key and run in the order they were queued, each
///   after the previous one on the same key, so the disk ends up as memory was left: an
///   invalidation queued after a store is never overtaken by it (RFC 9111 §4.4).
/// - A lookup waits for the key's queued operations first, so it sees what the requests
///   before it did (a POST's invalidation included).
/// - Every removal moves its key's mark (one of 64, by key hash) *before* it touches memory.
///   A write or a promotion checks the mark it took before changing memory and gives up when
///   it moved, so a purged response is never written or promoted back. Giving up only costs
///   a disk copy (or a promotion) that a later miss makes again; it never makes a response
///   outlive its invalidation.
/// - The queue is bounded by the bytes of the bodies it holds
///   (``DiskConfiguration/maximumQueuedBytes``): when the disk falls behind, new writes are
///   dropped (counted and logged), never removals. The disk is a cache; memory is not a
///   buffer for it.
/// - Shutdown drains the queue (``writes``) before the pool stops.
final class DiskTier: Sendable {
    let configuration: DiskConfiguration
    /// Queued disk writes and removals; drained at shutdown.
    let writes = TaskRegistry()
    /// The disk store's own threads (internal for tests, which hold them up).
    let threadPool: NIOThreadPool
    private let logger: Logger
    private let opened = NIOLockedValueBox<DiskStore?>(nil)
    private let state = NIOLockedValueBox(State())

    private static let stripes = 64

    /// Operations in order per key, tracked by `writes`.
    private let queue: KeySerialQueue

    private struct State: Sendable {
        var poolStarted = false
        /// Removal marks, by key stripe.
        var marks = [UInt64](repeating: 0, count: DiskTier.stripes)
        /// Body bytes of the queued writes.
        var queuedBytes = 0
        var droppedWrites = 0
        /// Whether the current backlog has been reported.
        var backlogReported = false
    }

    init(configuration: DiskConfiguration, logger: Logger = Logger(label: "cachet.disk")) {
        self.configuration = configuration
        self.threadPool = NIOThreadPool(numberOfThreads: max(1, configuration.threads))
        self.logger = logger
        self.queue = KeySerialQueue(registry: writes)
    }

    /// The opened store, once ``open()`` has succeeded.
    var store: DiskStore? { opened.withLockedValue { $0 } }

    /// Writes dropped because the queue was full.
    var droppedWrites: Int { state.withLockedValue { $0.droppedWrites } }

    /// Starts the pool and opens the store, rebuilding its index from the folder.
    func open() async throws {
        let start = state.withLockedValue { state -> Bool in
            defer { state.poolStarted = true }
            return !state.poolStarted
        }
        if start { threadPool.start() }
        do {
            let store = try await DiskStore(
                path: configuration.path, limit: configuration.limit, minimumFreeBytes: configuration.minimumFreeBytes,
                threadPool: threadPool, logger: logger
            )
            opened.withLockedValue { $0 = store }
        } catch let error as DiskStoreError {
            throw ProxyStartError.diskUnavailable(path: configuration.path, reason: error)
        }
    }

    /// Waits for the queued writes, then stops the pool.
    func close() async {
        await writes.drain()
        if state.withLockedValue({ $0.poolStarted }) {
            try? await threadPool.shutdownGracefully()
        }
    }

    // MARK: - Lookup

    /// The variants of `key` stored on disk, turned into memory entries by `prepare` and
    /// promoted into `memory`; empty when the disk has none, or when an invalidation of the
    /// key ran meanwhile. If memory got variants of the key meanwhile (a fetch finished),
    /// those are returned instead and nothing is promoted.
    func promote(
        _ key: CacheKey, into memory: MemoryStore, prepare: (StoredResponse) -> StoredResponse
    ) async -> (variants: [StoredResponse], fromDisk: Bool) {
        guard let store else { return ([], false) }
        await queue.settled(key)
        let before = mark(key)
        let found = await store.variants(for: key)
        guard !found.isEmpty else { return ([], false) }
        // Prepared heads are not persisted: every entry put into memory gets them here.
        let entries = found.map(prepare)
        return state.withLockedValue { state in
            guard state.marks[Self.stripe(key)] == before else { return ([], false) }
            let current = memory.variants(for: key)
            if !current.isEmpty { return (current, false) }
            // Oldest first, so memory's order (most recent first) matches the disk's.
            for entry in entries.reversed() { memory.insert(entry) }
            return (entries, true)
        }
    }

    // MARK: - Writes and removals

    /// The key's removal mark: taken before a change to memory, handed to the write after it.
    func mark(_ key: CacheKey) -> UInt64 {
        state.withLockedValue { $0.marks[Self.stripe(key)] }
    }

    /// Queues writing `response`, unless the key was invalidated since `mark`.
    func insert(_ response: StoredResponse, unlessRemovedSince mark: UInt64) {
        enqueue(response.key, bytes: response.body.readableBytes, unlessRemovedSince: mark) { store in
            await store.insert(response)
        }
    }

    /// Queues replacing `old` with its freshened copy `new` (RFC 9111 §4.3.4). Only a copy
    /// of `old` still on disk is replaced: a response purged or superseded meanwhile is not
    /// brought back.
    func replace(_ old: StoredResponse, with new: StoredResponse, unlessRemovedSince mark: UInt64) {
        enqueue(new.key, bytes: new.body.readableBytes, unlessRemovedSince: mark) { store in
            await store.replace(old, with: new)
        }
    }

    /// Removes `response` from memory (by `removeFromMemory`) and queues its removal from disk.
    func remove(_ response: StoredResponse, removeFromMemory: () -> Void) {
        bump(response.key)
        removeFromMemory()
        enqueue(response.key, bytes: 0, unlessRemovedSince: nil) { store in
            await store.remove(response)
        }
    }

    /// Removes every variant of `key` from memory (by `removeFromMemory`) and queues their
    /// removal from disk.
    func remove(_ key: CacheKey, removeFromMemory: () -> Void) {
        bump(key)
        removeFromMemory()
        enqueue(key, bytes: 0, unlessRemovedSince: nil) { store in
            await store.remove(key)
        }
    }

    /// Purges `key` (only its variants carrying one of `tags`, when given): removes
    /// them from memory by `removeFromMemory`, which returns how many it removed, then from
    /// disk in the key's queue, and waits for that. Returns how many responses went (a
    /// response held in both tiers counts once).
    func purge(_ key: CacheKey, taggedWithAnyOf tags: Set<String>?, removeFromMemory: () -> Int) async -> Int {
        bump(key)
        let inMemory = removeFromMemory()
        let onDisk = NIOLockedValueBox(0)
        let task = enqueue(key, bytes: 0, unlessRemovedSince: nil) { store in
            let removed = if let tags { await store.remove(key, taggedWithAnyOf: tags) } else { await store.remove(key) }
            onDisk.withLockedValue { $0 = removed }
        }
        await task?.value
        return max(inMemory, onDisk.withLockedValue { $0 })
    }

    /// The variants of `key` on disk, after the key's queued operations (for a soft purge
    /// of what memory does not hold).
    func storedOnDisk(_ key: CacheKey) async -> [StoredResponse] {
        guard let store else { return [] }
        await queue.settled(key)
        return await store.variants(for: key)
    }

    private func bump(_ key: CacheKey) {
        state.withLockedValue { $0.marks[Self.stripe(key)] &+= 1 }
    }

    /// Queues `operation` (a write of `bytes` of body, or a removal when 0) after the key's
    /// pending ones. The mark check and the queueing happen under one lock, so a removal
    /// either moved the mark first (and this write is dropped) or is queued after it.
    @discardableResult
    private func enqueue(
        _ key: CacheKey, bytes: Int, unlessRemovedSince mark: UInt64?, _ operation: @escaping @Sendable (DiskStore) async -> Void
    ) -> Task<Void, Never>? {
        guard let store else { return nil }
        let limit = configuration.maximumQueuedBytes
        let (reportBacklog, queued) = state.withLockedValue { state -> (Bool, Task<Void, Never>?) in
            if let mark, state.marks[Self.stripe(key)] != mark { return (false, nil) }
            // A write always goes when nothing is queued, so one larger than the bound is not
            // starved; removals always go.
            if bytes > 0, state.queuedBytes > 0, state.queuedBytes + bytes > limit {
                state.droppedWrites += 1
                defer { state.backlogReported = true }
                return (!state.backlogReported, nil)
            }
            state.queuedBytes += bytes
            let task = queue.enqueue(key) { [self] in
                await operation(store)
                self.state.withLockedValue { state in
                    state.queuedBytes -= bytes
                    if state.queuedBytes == 0 { state.backlogReported = false }
                }
            }
            return (false, task)
        }
        if reportBacklog {
            logger.warning(
                "disk cache: writes are behind; new responses are not written to disk until they catch up",
                metadata: ["path": "\(configuration.path)", "maximumQueuedBytes": "\(limit)"]
            )
        }
        return queued
    }

    private static func stripe(_ key: CacheKey) -> Int {
        Int(UInt(bitPattern: key.hashValue) % UInt(stripes))
    }
}
