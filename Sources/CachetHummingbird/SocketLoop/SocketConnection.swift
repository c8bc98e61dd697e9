#if os(Linux)
import NIOCore

/// One client connection owned by a ``SocketLoop``, touched only on the loop's thread.
final class SocketConnection {
    let descriptor: Int32
    /// Tells this connection from a later one with the same descriptor.
    let id: UInt64
    /// Bytes received and not answered yet: the start of a head not all here, or requests
    /// held back while answers wait to be written.
    var received: ByteBuffer?
    /// How far `received` has been searched for the end of the head.
    var searched = 0
    /// Answers the socket did not take yet, in order. While there are any, the connection is
    /// not read (nothing more is answered until the client reads what it asked for).
    var pending: [ByteBuffer] = []
    /// What goes to NIO's decoder once `pending` is written: a request this loop does not
    /// answer, and all that follows it.
    var handOffWhenWritten: ByteBuffer?
    /// `received` holds complete requests, held back while `pending` is written.
    var heldBack = false
    /// The connection waits to be writable, not readable.
    var waitsToWrite = false

    /// The first request in `received` waits for the files to do the I/O it needs
    /// (``ConditionalFileMiddleware/prepareAnswer(_:)``); the connection is not read meanwhile.
    var parked = false
    /// The first request in `received` was prepared for: if it still cannot be answered at
    /// once, it goes to NIO.
    var prepared = false

    /// The last time the client sent bytes or took some of the answers.
    var lastProgress: NIODeadline
    /// When the head not all received yet began to arrive.
    var headStarted: NIODeadline?

    init(descriptor: Int32, id: UInt64, now: NIODeadline) {
        self.descriptor = descriptor
        self.id = id
        self.lastProgress = now
    }
}
#endif
