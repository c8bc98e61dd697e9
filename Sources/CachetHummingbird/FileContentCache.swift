import NIOConcurrencyHelpers
import NIOCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The contents of small files, kept in memory by file version (device, inode, size,
/// modification time), so a small file is answered without opening it. A file that changes
/// has a new identity and is read again; a version no longer asked for ages out.
final class FileContentCache: Sendable {
    /// Files larger than this are streamed from disk.
    let maximumFileSize: Int64
    /// Bytes held at most.
    let capacity: Int

    private struct State {
        var contents: [FileIdentity: ByteBuffer] = [:]
        var order: [FileIdentity] = []
        var head = 0
        var bytes = 0
    }

    private let state = NIOLockedValueBox(State())

    init(maximumFileSize: Int64, capacity: Int) {
        self.maximumFileSize = maximumFileSize
        self.capacity = capacity
    }

    func holds(_ identity: FileIdentity) -> Bool {
        identity.size <= maximumFileSize && identity.size <= Int64(capacity)
    }

    func contents(of identity: FileIdentity) -> ByteBuffer? {
        state.withLockedValue { $0.contents[identity] }
    }

    func remember(_ contents: ByteBuffer, of identity: FileIdentity) {
        state.withLockedValue { state in
            guard state.contents[identity] == nil else { return }
            state.contents[identity] = contents
            state.order.append(identity)
            state.bytes += contents.readableBytes
            while state.bytes > capacity, state.head < state.order.count {
                if let old = state.contents.removeValue(forKey: state.order[state.head]) { state.bytes -= old.readableBytes }
                state.head += 1
            }
            if state.head > 1024, state.head * 2 > state.order.count {
                state.order.removeFirst(state.head)
                state.head = 0
            }
        }
    }

    /// Reads the whole file at `path`, which must be the version `identity` before and after
    /// reading. Blocking: run it off the event loops.
    static func load(path: String, identity: FileIdentity) throws -> ByteBuffer {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw FileHashing.Changed() }
        defer { close(descriptor) }
        guard FileHashing.currentIdentity(descriptor) == identity else { throw FileHashing.Changed() }
        let size = Int(identity.size)
        var buffer = ByteBufferAllocator().buffer(capacity: size)
        while buffer.readableBytes < size {
            let remaining = size - buffer.readableBytes
            var result = 0
            _ = buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: 0) { pointer in
                result = read(descriptor, pointer.baseAddress, min(pointer.count, remaining))
                return max(result, 0)
            }
            if result < 0 && errno == EINTR { continue }
            if result <= 0 { break }
        }
        guard buffer.readableBytes == size, FileHashing.currentIdentity(descriptor) == identity else { throw FileHashing.Changed() }
        return buffer
    }
}
