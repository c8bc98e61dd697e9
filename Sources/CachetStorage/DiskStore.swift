#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import HTTPCachePolicy
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

/// Why a disk store could not be opened.
public enum DiskStoreError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The folder could not be created or opened.
    case cannotOpenFolder(DiskIOError)
    /// The folder exists but a file cannot be created in it.
    case folderNotWritable(DiskIOError)

    public var description: String {
        switch self {
        case .cannotOpenFolder(let error): "cannot open the disk cache folder: \(error)"
        case .folderNotWritable(let error): "the disk cache folder is not writable: \(error)"
        }
    }
}

/// The persistent store: one file per stored response in one folder, bounded by bytes with
/// least-recently-used eviction, surviving restarts and crashes.
///
/// - An entry is written to a temporary file in the folder, synced, renamed over its final
///   name (a hash of its key and Vary key), and the folder is synced: a reader, or the store
///   after a crash, sees the old entry or the new one, never half of one.
/// - Every entry carries checksums (``DiskEntryFormat``). Start-up checks each file's header
///   and length; every read checks the whole entry. A damaged entry is deleted, logged and
///   counted, and never returned.
/// - Start-up rebuilds the index from the headers alone, in parallel, and deletes the
///   temporary files a crash left behind. The least-recently-used order starts as the
///   order in which the files were written (their modification times).
/// - A write is refused (and logged once) when the file system would be left with less than
///   ``minimumFreeBytes``; reads go on.
///
/// All file I/O runs on a `NIOThreadPool`, never on Swift's cooperative threads. Operations
/// on one entry file (rename into place, delete) and the matching index change happen under
/// that file's lock, so the index and the folder agree whatever runs concurrently.
public final class DiskStore: Sendable {
    /// The folder holding the entries.
    public let path: String
    /// The most bytes of entry files kept.
    public let limit: Int
    /// Writes are refused when fewer bytes than this would be left free on the file system.
    public let minimumFreeBytes: Int

    private let threadPool: NIOThreadPool
    private let logger: Logger
    private let freeSpace: @Sendable (String) -> Int?
    private let state: NIOLockedValueBox<State>
    private let fileLocks: [NIOLock]
    private let folder: Int32

    private struct State: Sendable {
        var index: DiskIndex
        var corruptEntries = 0
        var refusedWrites = 0
        var failedWrites = 0
        var lowSpaceReported = false
    }

    /// What the store holds and what it has done.
    public struct Statistics: Sendable, Hashable {
        /// Bytes of entry files.
        public var bytes: Int
        /// Entry files (one per stored variant).
        public var entries: Int
        /// Distinct primary keys.
        public var keys: Int
        /// Entries removed to stay within the limits.
        public var evictions: Int
        /// Damaged entries found (at start-up or on read) and deleted.
        public var corruptEntries: Int
        /// Writes refused because free space was low.
        public var refusedWrites: Int
        /// Writes that failed with an I/O error.
        public var failedWrites: Int
    }

    /// Opens (creating it if needed) the store in `path` and rebuilds its index from the
    /// entry files found there.
    ///
    /// - Parameters:
    ///   - limit: the most bytes of entry files kept.
    ///   - minimumFreeBytes: writes are refused when they would leave less free space.
    ///   - maximumVariants: the most Vary variants kept per key.
    ///   - freeSpace: the bytes available on the file system holding a path (`statvfs`);
    ///     injectable for tests.
    /// - Throws: ``DiskStoreError`` when the folder cannot be created, opened or written.
    public init(
        path: String,
        limit: Int,
        minimumFreeBytes: Int = 512 << 20,
        maximumVariants: Int = 32,
        threadPool: NIOThreadPool = .singleton,
        logger: Logger = Logger(label: "cachet.disk"),
        freeSpace: @escaping @Sendable (String) -> Int? = DiskStore.availableBytes
    ) async throws {
        self.path = path
        self.limit = limit
        self.minimumFreeBytes = minimumFreeBytes
        self.threadPool = threadPool
        self.logger = logger
        self.freeSpace = freeSpace
        self.fileLocks = (0..<64).map { _ in NIOLock() }

        let started = ContinuousClock.now
        let (folder, names) = try await threadPool.runIfActive { try Self.prepare(path) }
        let scan: Scan
        do {
            scan = try await Self.scan(names, in: path, threadPool: threadPool, logger: logger)
        } catch {
            DiskFiles.close(folder)
            throw error
        }
        var index = DiskIndex(limit: limit, maximumVariants: maximumVariants)
        var overflow: [DiskIndex.Entry] = []
        for found in scan.entries.sorted(by: { $0.modified > $1.modified }) where !index.appendOldest(found.entry) {
            overflow.append(found.entry)
        }
        self.folder = folder
        self.state = NIOLockedValueBox(State(index: index, corruptEntries: scan.corrupt))
        if !overflow.isEmpty {
            let removed = overflow
            try? await threadPool.runIfActive { [self] in
                for entry in removed { DiskFiles.unlink(filePath(entry.name)) }
                try? DiskFiles.sync(folder, path: path)
            }
        }
        let statistics = self.statistics
        logger.info(
            "disk cache opened",
            metadata: [
                "path": "\(path)", "entries": "\(statistics.entries)", "bytes": "\(statistics.bytes)",
                "corrupt": "\(scan.corrupt)", "temporaryFilesRemoved": "\(scan.temporaryFiles)",
                "overLimitRemoved": "\(overflow.count)", "duration": "\(ContinuousClock.now - started)",
            ]
        )
    }

    /// The bytes available to unprivileged users on the file system holding `path`
    /// (`statvfs`), or nil when it cannot be read.
    @Sendable
    public static func availableBytes(_ path: String) -> Int? {
        DiskFiles.availableBytes(path)
    }

    deinit {
        DiskFiles.close(folder)
    }

    /// What the store holds and what it has done.
    public var statistics: Statistics {
        state.withLockedValue {
            Statistics(
                bytes: $0.index.bytes, entries: $0.index.entries, keys: $0.index.keys, evictions: $0.index.evictions,
                corruptEntries: $0.corruptEntries, refusedWrites: $0.refusedWrites, failedWrites: $0.failedWrites
            )
        }
    }

    // MARK: - Lookup

    /// The stored variants of `key`, most recently stored first, each verified against its
    /// checksum; marks them as used. A damaged entry is deleted and left out.
    public func variants(for key: CacheKey) async -> [StoredResponse] {
        let names = state.withLockedValue { $0.index.use(key) }
        guard !names.isEmpty else { return [] }
        do {
            return try await threadPool.runIfActive { [self] in
                names.compactMap { name in
                    guard let response = read(name) else { return nil }
                    // Another key may have taken the file name meanwhile (a hash collision).
                    return response.key == key ? response : nil
                }
            }
        } catch {
            return []
        }
    }

    /// Reads and verifies one entry file. Blocking.
    private func read(_ name: String) -> StoredResponse? {
        let file = filePath(name)
        let fd: Int32
        do throws(DiskIOError) {
            fd = try DiskFiles.open(file, O_RDONLY)
        } catch {
            if error.errno == ENOENT {
                forgetMissing(name)
            } else {
                logger.error("disk cache read failed", metadata: ["error": "\(error)"])
            }
            return nil
        }
        defer { DiskFiles.close(fd) }
        let status: DiskFiles.Status
        var buffer: ByteBuffer
        do {
            status = try DiskFiles.status(fd, path: file)
            guard status.size >= DiskEntryFormat.headerSize else {
                discardCorrupt(name, inode: status.inode, reason: .truncated)
                return nil
            }
            // No entry larger than the limit is ever written: do not allocate for one.
            guard status.size <= limit else {
                discardCorrupt(name, inode: status.inode, reason: .lengthOutOfRange)
                return nil
            }
            buffer = ByteBuffer()
            buffer.reserveCapacity(status.size)
            var failure: DiskIOError?
            buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: status.size) { bytes in
                do throws(DiskIOError) {
                    return try DiskFiles.read(fd, into: UnsafeMutableRawBufferPointer(rebasing: bytes[0..<status.size]), at: 0, path: file)
                } catch {
                    failure = error
                    return 0
                }
            }
            if let failure { throw failure }
        } catch {
            logger.error("disk cache read failed", metadata: ["error": "\(error)"])
            return nil
        }
        do throws(DiskEntryError) {
            let response = try DiskEntryFormat.decode(buffer)
            guard DiskEntryFormat.fileName(key: response.key, varyKey: response.policy.varyKey) == name else {
                throw .malformedKey
            }
            return response
        } catch {
            discardCorrupt(name, inode: status.inode, reason: error)
            return nil
        }
    }

    /// Deletes a damaged entry, unless another file has taken its name since it was read.
    private func discardCorrupt(_ name: String, inode: UInt64, reason: DiskEntryError) {
        let file = filePath(name)
        let removed = withFileLock(name) {
            guard let current = try? DiskFiles.status(path: file), current.inode == inode else { return false }
            DiskFiles.unlink(file)
            state.withLockedValue {
                $0.index.remove(named: name)
                $0.corruptEntries += 1
            }
            return true
        }
        if removed {
            logger.warning("disk cache entry is damaged and was deleted", metadata: ["file": "\(file)", "reason": "\(reason)"])
        }
    }

    /// Drops an entry whose file has gone from the folder (removed from outside).
    private func forgetMissing(_ name: String) {
        let file = filePath(name)
        withFileLock(name) {
            if case .some(.none) = try? DiskFiles.status(path: file) {
                state.withLockedValue { _ = $0.index.remove(named: name) }
            }
        }
    }

    // MARK: - Storing

    /// Stores `response`, replacing the stored variant with the same key and Vary key, and
    /// evicts the least recently used entries to stay within the limit. Returns whether it
    /// was stored: not when it is larger than the limit, when free space is low, or on an
    /// I/O error (logged).
    @discardableResult
    public func insert(_ response: StoredResponse) async -> Bool {
        await write(response, replacing: nil)
    }

    /// Stores `new` only if `old` itself (not a newer response with the same Vary key) is
    /// still stored, as ``MemoryStore/replace(_:with:)`` does.
    @discardableResult
    public func replace(_ old: StoredResponse, with new: StoredResponse) async -> Bool {
        await write(new, replacing: old)
    }

    private func write(_ response: StoredResponse, replacing old: StoredResponse?) async -> Bool {
        do {
            return try await threadPool.runIfActive { [self] in writeBlocking(response, replacing: old) }
        } catch {
            return false
        }
    }

    private func writeBlocking(_ response: StoredResponse, replacing old: StoredResponse?) -> Bool {
        let name = DiskEntryFormat.fileName(key: response.key, varyKey: response.policy.varyKey)
        let precondition = old.map { (DiskEntryFormat.fileName(key: $0.key, varyKey: $0.policy.varyKey), DiskEntryFormat.identity(of: $0.policy)) }
        if let precondition, state.withLockedValue({ $0.index.entry(named: precondition.0)?.identity }) != precondition.1 {
            return false
        }
        let entry: DiskEntryFormat.Parts
        do {
            entry = try DiskEntryFormat.encodeParts(response)
        } catch {
            logger.error("disk cache cannot encode an entry", metadata: ["key": "\(response.key)", "error": "\(error)"])
            return false
        }
        guard entry.totalLength <= limit, hasRoom(for: entry.totalLength) else { return false }

        let final = filePath(name)
        let temporary = filePath(String(name.dropLast(DiskEntryFormat.entryExtension.count)) + "." + String(UInt64.random(in: 0...UInt64.max), radix: 16) + DiskEntryFormat.temporaryExtension)
        var evicted: [DiskIndex.Entry] = []
        do throws(DiskIOError) {
            let fd = try DiskFiles.open(temporary, O_WRONLY | O_CREAT | O_EXCL, mode: 0o644)
            do throws(DiskIOError) {
                try DiskFiles.writeAll(fd, entry.head, path: temporary)
                try DiskFiles.writeAll(fd, response.body, path: temporary)
                try DiskFiles.writeAll(fd, entry.trailer, path: temporary)
                try DiskFiles.sync(fd, path: temporary)
                DiskFiles.close(fd)
            } catch {
                DiskFiles.close(fd)
                throw error
            }
            let stored = try withFileLock(name) { () throws(DiskIOError) -> Bool in
                if let precondition, state.withLockedValue({ $0.index.entry(named: precondition.0)?.identity }) != precondition.1 {
                    return false
                }
                try DiskFiles.rename(temporary, final)
                let indexed = DiskIndex.Entry(
                    name: name, key: response.key, size: entry.totalLength, identity: entry.identity, tags: response.surrogateKeys
                )
                evicted = state.withLockedValue { $0.index.insert(indexed) }
                return true
            }
            guard stored else {
                DiskFiles.unlink(temporary)
                return false
            }
            try DiskFiles.sync(folder, path: path)
        } catch {
            DiskFiles.unlink(temporary)
            state.withLockedValue { $0.failedWrites += 1 }
            logger.error("disk cache write failed", metadata: ["key": "\(response.key)", "error": "\(error)"])
            return false
        }
        removeEvicted(evicted)
        return true
    }

    /// Whether the file system keeps at least ``minimumFreeBytes`` after writing `bytes`;
    /// reports the first refusal of each low-space period.
    private func hasRoom(for bytes: Int) -> Bool {
        let available = freeSpace(path)
        let low = available.map { $0 - bytes < minimumFreeBytes } ?? false
        let report = state.withLockedValue { state -> Bool in
            guard low else {
                state.lowSpaceReported = false
                return false
            }
            state.refusedWrites += 1
            defer { state.lowSpaceReported = true }
            return !state.lowSpaceReported
        }
        if report {
            logger.warning(
                "disk cache: free space is low; new entries are not stored until it recovers",
                metadata: ["path": "\(path)", "available": "\(available ?? 0)", "minimumFreeBytes": "\(minimumFreeBytes)"]
            )
        }
        return !low
    }

    /// Deletes the files of entries the index evicted, unless a new entry took the name.
    private func removeEvicted(_ evicted: [DiskIndex.Entry]) {
        guard !evicted.isEmpty else { return }
        for entry in evicted {
            withFileLock(entry.name) {
                if state.withLockedValue({ $0.index.entry(named: entry.name) }) == nil {
                    DiskFiles.unlink(filePath(entry.name))
                }
            }
        }
    }

    // MARK: - Removal

    /// Removes every variant of `key`. Returns how many were removed.
    @discardableResult
    public func remove(_ key: CacheKey) async -> Int {
        let names = state.withLockedValue { $0.index.names(for: key) }
        guard !names.isEmpty else { return 0 }
        return (try? await threadPool.runIfActive { [self] in removeBlocking(names.map { ($0, nil) }) }) ?? 0
    }

    /// The keys with an entry carrying surrogate key `tag` (``SurrogateKeys``).
    public func keys(taggedWith tag: String) -> Set<CacheKey> {
        state.withLockedValue { $0.index.keys(taggedWith: tag) }
    }

    /// Removes the variants of `key` that carry one of the surrogate keys `tags`. Returns how many.
    @discardableResult
    public func remove(_ key: CacheKey, taggedWithAnyOf tags: Set<String>) async -> Int {
        // With their identities: a newer entry written under the same name meanwhile stays.
        let files = state.withLockedValue { state in
            state.index.names(for: key).compactMap { name -> (name: String, identity: UInt64?)? in
                guard let entry = state.index.entry(named: name), entry.tags.contains(where: tags.contains) else { return nil }
                return (name, entry.identity)
            }
        }
        guard !files.isEmpty else { return 0 }
        return (try? await threadPool.runIfActive { [self] in removeBlocking(files) }) ?? 0
    }

    /// Removes one stored response, if it is still the one stored.
    public func remove(_ response: StoredResponse) async {
        let name = DiskEntryFormat.fileName(key: response.key, varyKey: response.policy.varyKey)
        let identity = DiskEntryFormat.identity(of: response.policy)
        _ = try? await threadPool.runIfActive { [self] in removeBlocking([(name, identity)]) }
    }

    private func removeBlocking(_ files: [(name: String, identity: UInt64?)]) -> Int {
        var removed = 0
        for (name, identity) in files {
            let done = withFileLock(name) {
                state.withLockedValue { state -> Bool in
                    guard let entry = state.index.entry(named: name), identity == nil || entry.identity == identity else { return false }
                    state.index.remove(named: name)
                    return true
                }
            }
            if done {
                // The index no longer names the file, so no other operation touches it.
                DiskFiles.unlink(filePath(name))
                removed += 1
            }
        }
        // A removal must survive a crash too: a purged response never comes back.
        if removed > 0 { try? DiskFiles.sync(folder, path: path) }
        return removed
    }

    // MARK: - Files

    private func filePath(_ name: String) -> String { path + "/" + name }

    @discardableResult
    private func withFileLock<T, E: Error>(_ name: String, _ body: () throws(E) -> T) throws(E) -> T {
        var hasher = NameHasher()
        hasher.add(name)
        let lock = fileLocks[Int(hasher.first % UInt64(fileLocks.count))]
        lock.lock()
        defer { lock.unlock() }
        return try body()
    }
}
