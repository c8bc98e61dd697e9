#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import HTTPCachePolicy
import Logging
import NIOPosix

// The start-up of a disk store: the folder is created and checked, temporary files left by a
// crash are deleted, and the index is rebuilt from each entry's header and key alone.
extension DiskStore {
    /// One entry file found at start-up.
    struct Found: Sendable {
        var entry: DiskIndex.Entry
        var modified: Int64
    }

    struct Scan: Sendable {
        var entries: [Found] = []
        var corrupt = 0
        var temporaryFiles = 0
    }

    /// Creates the folder, checks that it is writable, opens it (to sync it after renames)
    /// and lists it. Blocking.
    static func prepare(_ path: String) throws -> (Int32, [String]) {
        do throws(DiskIOError) {
            try DiskFiles.makeDirectory(path)
        } catch {
            throw DiskStoreError.cannotOpenFolder(error)
        }
        let probe = path + "/.probe-" + String(UInt64.random(in: 0...UInt64.max), radix: 16) + DiskEntryFormat.temporaryExtension
        do throws(DiskIOError) {
            let fd = try DiskFiles.open(probe, O_WRONLY | O_CREAT | O_EXCL)
            DiskFiles.close(fd)
            DiskFiles.unlink(probe)
        } catch {
            throw DiskStoreError.folderNotWritable(error)
        }
        do throws(DiskIOError) {
            let folder = try DiskFiles.open(path, O_RDONLY | O_DIRECTORY)
            do throws(DiskIOError) {
                return (folder, try DiskFiles.list(path))
            } catch {
                DiskFiles.close(folder)
                throw error
            }
        } catch {
            throw DiskStoreError.cannotOpenFolder(error)
        }
    }

    /// Reads the header of every entry file, spread over the thread pool's threads; deletes
    /// temporary files and damaged entries.
    static func scan(_ names: [String], in path: String, threadPool: NIOThreadPool, logger: Logger) async throws -> Scan {
        let lanes = max(1, min(threadPool.numberOfThreads, 8))
        let chunk = max(1, (names.count + lanes - 1) / lanes)
        return try await withThrowingTaskGroup(of: Scan.self) { group in
            for start in stride(from: 0, to: names.count, by: chunk) {
                let slice = Array(names[start..<min(start + chunk, names.count)])
                group.addTask {
                    try await threadPool.runIfActive {
                        var scan = Scan()
                        for name in slice { scanFile(name, in: path, into: &scan, logger: logger) }
                        return scan
                    }
                }
            }
            var total = Scan()
            for try await part in group {
                total.entries += part.entries
                total.corrupt += part.corrupt
                total.temporaryFiles += part.temporaryFiles
            }
            return total
        }
    }

    private static func scanFile(_ name: String, in path: String, into scan: inout Scan, logger: Logger) {
        let file = path + "/" + name
        if name.hasSuffix(DiskEntryFormat.temporaryExtension) {
            DiskFiles.unlink(file)
            scan.temporaryFiles += 1
            return
        }
        guard isEntryName(name) else { return }  // not ours: left alone
        let fd: Int32
        do {
            fd = try DiskFiles.open(file, O_RDONLY)
        } catch {
            logger.error("disk cache cannot read an entry", metadata: ["error": "\(error)"])
            return
        }
        defer { DiskFiles.close(fd) }
        do throws(DiskIOError) {
            let status = try DiskFiles.status(fd, path: file)
            guard status.isRegular else { return }
            switch try readMetadata(fd, size: status.size, path: file) {
            case .success(let (header, key, tags)):
                let entry = DiskIndex.Entry(name: name, key: key, size: status.size, identity: header.identity, tags: tags)
                scan.entries.append(Found(entry: entry, modified: status.modified))
            case .failure(let reason):
                DiskFiles.unlink(file)
                scan.corrupt += 1
                logger.warning("disk cache entry is damaged and was deleted", metadata: ["file": "\(file)", "reason": "\(reason)"])
            }
        } catch {
            logger.error("disk cache cannot read an entry", metadata: ["error": "\(error)"])
        }
    }

    /// The header, key and surrogate keys of an entry file of `size` bytes, checked against the size and the
    /// header checksum; reads the first KiB (more only for a longer key).
    static func readMetadata(
        _ fd: Int32, size: Int, path: String
    ) throws(DiskIOError) -> Result<(DiskEntryFormat.Header, CacheKey, [String]), DiskEntryError> {
        var prefix = [UInt8](repeating: 0, count: min(size, 1024))
        let got = try prefix.withUnsafeMutableBytes { bytes in
            Result { () throws(DiskIOError) in try DiskFiles.read(fd, into: bytes, at: 0, path: path) }
        }.get()
        prefix.removeSubrange(got...)
        let decoded = prefix.withUnsafeBytes { bytes in
            Result { () throws(DiskEntryError) in try DiskEntryFormat.decodeHeader(bytes) }
        }
        let header: DiskEntryFormat.Header
        switch decoded {
        case .success(let value): header = value
        case .failure(let reason): return .failure(reason)
        }
        let needed = DiskEntryFormat.headerSize + header.keyLength
        guard header.totalLength <= size else { return .failure(.truncated) }
        guard header.totalLength == size else { return .failure(.trailingBytes) }
        if needed > prefix.count {
            prefix = [UInt8](repeating: 0, count: needed)
            let got = try prefix.withUnsafeMutableBytes { bytes in
                Result { () throws(DiskIOError) in try DiskFiles.read(fd, into: bytes, at: 0, path: path) }
            }.get()
            guard got == needed else { return .failure(.truncated) }
        }
        return prefix.withUnsafeBytes { bytes in
            Result { () throws(DiskEntryError) in try DiskEntryFormat.decodeIndexEntry(bytes) }
        }
    }

    /// 32 lowercase hex digits and `.entry`.
    static func isEntryName(_ name: String) -> Bool {
        guard name.hasSuffix(DiskEntryFormat.entryExtension) else { return false }
        let stem = name.utf8.dropLast(DiskEntryFormat.entryExtension.utf8.count)
        return stem.count == 32 && stem.allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x61 && $0 <= 0x66) }
    }
}
