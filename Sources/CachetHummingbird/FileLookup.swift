#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Maps request paths to files under a root, so that nothing outside the root can be
/// reached: `..` and `.` segments, encoded or not, are refused; every candidate path is
/// resolved with `realpath` and must stay under the root's own real path, so a symbolic
/// link that points out of the root is not followed.
///
/// Its methods make blocking system calls: run them off the event loops.
struct FileLookup: Sendable {
    /// The root's real path, without a trailing `/` (unless it is `/`).
    let root: String
    let servesHiddenFiles: Bool

    enum Failure: Error, Equatable {
        case missing(String)
        case notADirectory(String)
    }

    /// Resolves `root` to its real path; fails with a clear reason when it is not a directory.
    init(root: String, servesHiddenFiles: Bool) throws {
        guard let real = Self.realPath(root) else { throw Failure.missing(root) }
        guard let info = Self.status(real), info.isDirectory else { throw Failure.notADirectory(root) }
        self.root = real
        self.servesHiddenFiles = servesHiddenFiles
    }

    /// One file found on disk.
    struct Found: Sendable {
        var path: String
        var identity: FileIdentity
        var isDirectory: Bool
        var isRegularFile: Bool
    }

    /// The file chosen for a request, with its precompressed siblings.
    struct Selection: Sendable {
        /// The request path of the file, for `Content-Type` and `Cache-Control` rules.
        var urlPath: String
        var file: Found
        var variants: [ContentCoding: Found]
    }

    enum Outcome: Sendable {
        case notFound
        /// A folder asked for without its trailing `/`.
        case redirectToFolder
        case file(Selection)
    }

    /// The segments of a percent-encoded request path, or `nil` when the path cannot name a
    /// file under the root: bad percent-encoding, a NUL, invalid UTF-8, a `.` or `..`
    /// segment, or (unless allowed) a hidden segment.
    func segments(ofEncodedPath path: Substring) -> [String]? {
        guard let decoded = Self.percentDecoded(path) else { return nil }
        var segments: [String] = []
        for segment in decoded.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: true) {
            guard let text = String(validating: segment, as: UTF8.self) else { return nil }
            if text == "." || text == ".." { return nil }
            if !servesHiddenFiles, text.hasPrefix(".") { return nil }
            segments.append(text)
        }
        return segments
    }

    /// Finds the file for `segments`; a folder gives its `index.html` when `index` is set.
    func select(segments: [String], endsWithSlash: Bool, index: Bool, codings: [ContentCoding]) -> Outcome {
        var urlPath = "/" + segments.joined(separator: "/")
        guard var found = find(segments.isEmpty ? root : root + "/" + segments.joined(separator: "/")) else { return .notFound }
        if found.isDirectory {
            guard index else { return .notFound }
            guard endsWithSlash else { return .redirectToFolder }
            guard let indexFile = find(found.path == "/" ? "/index.html" : found.path + "/index.html") else { return .notFound }
            found = indexFile
            urlPath = (segments.isEmpty ? "" : urlPath) + "/index.html"
        }
        guard found.isRegularFile else { return .notFound }
        var variants: [ContentCoding: Found] = [:]
        for coding in codings {
            // A sibling that is not smaller than the file saves nothing: it is not offered.
            if let sibling = find(found.path + coding.fileSuffix), sibling.isRegularFile, sibling.identity.size < found.identity.size {
                variants[coding] = sibling
            }
        }
        return .file(Selection(urlPath: urlPath, file: found, variants: variants))
    }

    /// The file at `path` if its real path lies under the root.
    func find(_ path: String) -> Found? {
        guard let real = Self.realPath(path) else { return nil }
        guard real == root || real.hasPrefix(root == "/" ? "/" : root + "/") else { return nil }
        guard let info = Self.status(real) else { return nil }
        return Found(path: real, identity: info.identity, isDirectory: info.isDirectory, isRegularFile: info.isRegularFile)
    }

    static func realPath(_ path: String) -> String? {
        guard let pointer = realpath(path, nil) else { return nil }
        defer { free(pointer) }
        return String(cString: pointer)
    }

    struct Status {
        var identity: FileIdentity
        var isDirectory: Bool
        var isRegularFile: Bool
    }

    static func status(_ path: String) -> Status? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return Status(info)
    }

    static func percentDecoded(_ path: Substring) -> [UInt8]? {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(path.utf8.count)
        var iterator = path.utf8.makeIterator()
        while let byte = iterator.next() {
            if byte == UInt8(ascii: "%") {
                guard let high = iterator.next().flatMap(hexValue), let low = iterator.next().flatMap(hexValue) else { return nil }
                bytes.append(high << 4 | low)
            } else {
                bytes.append(byte)
            }
        }
        if bytes.contains(0) { return nil }
        return bytes
    }

    static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}

extension FileLookup.Status {
    init(_ info: stat) {
        #if canImport(Darwin)
        let mtime = info.st_mtimespec
        #else
        let mtime = info.st_mtim
        #endif
        let kind = info.st_mode & S_IFMT
        self.init(
            identity: FileIdentity(
                device: UInt64(info.st_dev),
                inode: UInt64(info.st_ino),
                size: Int64(info.st_size),
                modificationSeconds: Int64(mtime.tv_sec),
                modificationNanoseconds: Int64(mtime.tv_nsec)
            ),
            isDirectory: kind == S_IFDIR,
            isRegularFile: kind == S_IFREG
        )
    }
}
