#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import NIOCore

// The C functions under names that the `DiskFiles` methods of the same names do not shadow.
private func systemOpen(_ path: String, _ flags: Int32, _ mode: mode_t) -> Int32 { open(path, flags, mode) }
private func systemClose(_ fd: Int32) -> Int32 { close(fd) }
private func systemWrite(_ fd: Int32, _ bytes: UnsafeRawPointer, _ count: Int) -> Int { write(fd, bytes, count) }
private func systemRename(_ from: String, _ to: String) -> Int32 { rename(from, to) }
private func systemUnlink(_ path: String) -> Int32 { unlink(path) }

/// A failed system call: what was attempted, on which path, and `errno`.
public struct DiskIOError: Error, Sendable, Hashable, CustomStringConvertible {
    public var operation: String
    public var path: String
    public var errno: Int32

    public var description: String {
        "\(operation) \(path): \(String(cString: strerror(errno))) (errno \(errno))"
    }
}

/// The blocking file operations of the disk store, run on a thread pool, never on Swift's
/// cooperative threads. Each retries on `EINTR`.
enum DiskFiles {
    static func fail(_ operation: String, _ path: String) -> DiskIOError {
        DiskIOError(operation: operation, path: path, errno: errno)
    }

    static func open(_ path: String, _ flags: Int32, mode: mode_t = 0o644) throws(DiskIOError) -> Int32 {
        while true {
            let fd = systemOpen(path, flags | O_CLOEXEC, mode)
            if fd >= 0 { return fd }
            if errno != EINTR { throw fail("open", path) }
        }
    }

    static func close(_ fd: Int32) {
        _ = systemClose(fd)
    }

    /// Writes all of `bytes`.
    static func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer, path: String) throws(DiskIOError) {
        var offset = 0
        while offset < bytes.count {
            let written = systemWrite(fd, bytes.baseAddress! + offset, bytes.count - offset)
            if written < 0 {
                if errno == EINTR { continue }
                throw fail("write", path)
            }
            offset += written
        }
    }

    static func writeAll(_ fd: Int32, _ buffer: ByteBuffer, path: String) throws(DiskIOError) {
        let result: Result<Void, DiskIOError> = buffer.withUnsafeReadableBytes { bytes in
            guard !bytes.isEmpty else { return .success(()) }
            do throws(DiskIOError) { try writeAll(fd, bytes, path: path) } catch { return .failure(error) }
            return .success(())
        }
        try result.get()
    }

    /// Reads up to `count` bytes at `offset`; fewer only at the end of the file.
    static func read(_ fd: Int32, into bytes: UnsafeMutableRawBufferPointer, at offset: Int, path: String) throws(DiskIOError) -> Int {
        var done = 0
        while done < bytes.count {
            let got = pread(fd, bytes.baseAddress! + done, bytes.count - done, off_t(offset + done))
            if got < 0 {
                if errno == EINTR { continue }
                throw fail("read", path)
            }
            if got == 0 { break }
            done += got
        }
        return done
    }

    static func sync(_ fd: Int32, path: String) throws(DiskIOError) {
        while fsync(fd) != 0 {
            if errno != EINTR { throw fail("fsync", path) }
        }
    }

    static func rename(_ from: String, _ to: String) throws(DiskIOError) {
        if systemRename(from, to) != 0 { throw fail("rename", from) }
    }

    /// Removes a file; a file already gone is not an error.
    static func unlink(_ path: String) {
        _ = systemUnlink(path)
    }

    struct Status {
        var size: Int
        var modified: Int64  // nanoseconds since 1970
        var device: UInt64
        var inode: UInt64
        var isRegular: Bool
        var isDirectory: Bool
    }

    static func status(_ fd: Int32, path: String) throws(DiskIOError) -> Status {
        var info = stat()
        if fstat(fd, &info) != 0 { throw fail("fstat", path) }
        return Status(info)
    }

    /// The status of a path, or nil when it does not exist.
    static func status(path: String) throws(DiskIOError) -> Status? {
        var info = stat()
        if stat(path, &info) != 0 {
            if errno == ENOENT { return nil }
            throw fail("stat", path)
        }
        return Status(info)
    }

    /// The names in a directory, without `.` and `..`.
    static func list(_ directory: String) throws(DiskIOError) -> [String] {
        guard let dir = opendir(directory) else { throw fail("opendir", directory) }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafePointer(to: entry.pointee.d_name) {
                $0.withMemoryRebound(to: CChar.self, capacity: Int(NAME_MAX) + 1) { String(cString: $0) }
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }

    /// Creates a directory and its parents; an existing directory is fine.
    static func makeDirectory(_ path: String) throws(DiskIOError) {
        if let existing = try status(path: path) {
            guard existing.isDirectory else { throw DiskIOError(operation: "mkdir", path: path, errno: ENOTDIR) }
            return
        }
        let parent = parentPath(path)
        if parent != path && !parent.isEmpty { try makeDirectory(parent) }
        if mkdir(path, 0o755) != 0 && errno != EEXIST { throw fail("mkdir", path) }
    }

    static func parentPath(_ path: String) -> String {
        var trimmed = Substring(path)
        while trimmed.count > 1 && trimmed.hasSuffix("/") { trimmed = trimmed.dropLast() }
        guard let slash = trimmed.lastIndex(of: "/") else { return "." }
        return slash == trimmed.startIndex ? "/" : String(trimmed[..<slash])
    }

    /// Bytes available to an unprivileged user on the file system holding `path`.
    static func availableBytes(_ path: String) -> Int? {
        var info = statvfs()
        guard statvfs(path, &info) == 0 else { return nil }
        let (bytes, overflow) = Int(clamping: info.f_bavail).multipliedReportingOverflow(by: Int(clamping: info.f_frsize))
        return overflow ? Int.max : bytes
    }
}

extension DiskFiles.Status {
    init(_ info: stat) {
        #if canImport(Darwin)
        let modified = Int64(info.st_mtimespec.tv_sec) * 1_000_000_000 + Int64(info.st_mtimespec.tv_nsec)
        #else
        let modified = Int64(info.st_mtim.tv_sec) * 1_000_000_000 + Int64(info.st_mtim.tv_nsec)
        #endif
        self.init(
            size: Int(info.st_size),
            modified: modified,
            device: UInt64(info.st_dev),
            inode: UInt64(info.st_ino),
            isRegular: (info.st_mode & S_IFMT) == S_IFREG,
            isDirectory: (info.st_mode & S_IFMT) == S_IFDIR
        )
    }
}
