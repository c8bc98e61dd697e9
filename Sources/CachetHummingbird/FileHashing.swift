import HTTPPreconditions

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads a file once to compute its content tag, refusing a file that changes under it.
enum FileHashing {
    struct Changed: Error {}

    /// Hashes the file at `path`, which must still be the version `identity` before and after
    /// reading. Blocking: run it off the event loops.
    static func etag(path: String, identity: FileIdentity, chunkSize: Int = 256 * 1024) throws -> EntityTag {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw Changed() }
        defer { close(descriptor) }
        guard currentIdentity(descriptor) == identity else { throw Changed() }
        var hasher = ContentETag.Hasher()
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: chunkSize, alignment: 16)
        defer { buffer.deallocate() }
        var total: Int64 = 0
        while true {
            let count = read(descriptor, buffer.baseAddress, chunkSize)
            if count < 0 {
                if errno == EINTR { continue }
                throw Changed()
            }
            if count == 0 { break }
            hasher.update(UnsafeRawBufferPointer(rebasing: buffer[0..<count]))
            total += Int64(count)
        }
        guard total == identity.size, currentIdentity(descriptor) == identity else { throw Changed() }
        return hasher.finalize()
    }

    static func currentIdentity(_ descriptor: Int32) -> FileIdentity? {
        var info = stat()
        guard fstat(descriptor, &info) == 0 else { return nil }
        return FileLookup.Status(info).identity
    }
}
