#if os(Linux)
import CCachetSocket
import Glibc
import NIOCore

/// How a ``SocketLoop`` puts answers on a socket: as much as it takes now, in order, without
/// blocking; what it does not take waits for EPOLLOUT.
extension SocketLoop {
    enum Written { case all, partly, failed }

    /// Writes `parts` in order, as much as the socket takes now, and drops what was written.
    static func write(_ parts: inout [ByteBuffer], to descriptor: Int32) -> Written {
        while !parts.isEmpty {
            if parts.count == 1 {
                let written = write(&parts[0], to: descriptor)
                if written == .all { parts.removeAll() }
                return written
            }
            let written = gather(parts.prefix(64)) { vectors in
                var message = msghdr()
                message.msg_iov = vectors.baseAddress
                message.msg_iovlen = vectors.count
                return ccachet_sendmsg(descriptor, &message, Int32(MSG_NOSIGNAL))
            }
            if written < 0 {
                if errno == EINTR { continue }
                return errno == EAGAIN ? .partly : .failed
            }
            var left = written
            while left > 0, let first = parts.first {
                if first.readableBytes <= left {
                    left -= first.readableBytes
                    parts.removeFirst()
                } else {
                    parts[0].moveReaderIndex(forwardBy: left)
                    left = 0
                }
            }
        }
        return .all
    }

    /// Writes `buffer` as far as the socket takes it now, moving its reader index past what was written.
    static func write(_ buffer: inout ByteBuffer, to descriptor: Int32) -> Written {
        while buffer.readableBytes > 0 {
            let written = buffer.withUnsafeReadableBytes { ccachet_send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if written < 0 {
                if errno == EINTR { continue }
                return errno == EAGAIN ? .partly : .failed
            }
            buffer.moveReaderIndex(forwardBy: written)
        }
        return .all
    }

    /// Calls `body` with an iovec for each part; the parts' bytes stay valid meanwhile.
    fileprivate static func gather(_ parts: ArraySlice<ByteBuffer>, _ body: (UnsafeMutableBufferPointer<iovec>) -> Int) -> Int {
        withUnsafeTemporaryAllocation(of: iovec.self, capacity: parts.count) { vectors in
            func fill(_ index: Int) -> Int {
                guard index < parts.count else { return body(vectors) }
                return parts[parts.startIndex + index].withUnsafeReadableBytes { bytes in
                    vectors[index] = iovec(iov_base: UnsafeMutableRawPointer(mutating: bytes.baseAddress), iov_len: bytes.count)
                    return fill(index + 1)
                }
            }
            return fill(0)
        }
    }
}
#endif
