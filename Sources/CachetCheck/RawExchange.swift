import NIOCore
import NIOPosix
import Synchronization

/// One request written on a plain TCP connection and everything read back until the server
/// closes it: the only way to see bytes a server sends after a response that cannot have
/// content, which every HTTP/1.1 parser (rightly) refuses to read as a body.
enum RawExchange {
    struct TimedOut: Error, CustomStringConvertible {
        var description: String { "no complete response header arrived in time" }
    }

    /// A server that ignores `Connection: close` keeps the connection open: after this long
    /// the bytes received so far are the answer, if they hold a whole header section.
    static let patience: Duration = .seconds(2)

    static func send(_ request: [UInt8], host: String, port: Int, timeout: Duration, limit: Int) async throws -> [UInt8] {
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connectTimeout(.init(timeout))
            .connect(host: host, port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
        let received = Received()
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                // A reset after the response (the server closing with our request unread) is
                // an end like any other: what arrived before it is what counts.
                try? await channel.executeThenClose { inbound, outbound in
                    try await outbound.write(ByteBuffer(bytes: request))
                    for try await chunk in inbound {
                        if received.append(chunk) >= limit { break }
                    }
                }
            }
            group.addTask {
                try await Task.sleep(for: min(timeout, patience))
            }
            // Whichever ends first: the server closed, or patience ran out.
            defer { group.cancelAll() }
            _ = try await group.next()
            channel.channel.close(promise: nil)
        }
        let bytes = received.bytes
        guard endOfHeader(bytes) != nil else { throw TimedOut() }
        return bytes
    }

    /// The offset just past the blank line that ends the header section, if there is one.
    static func endOfHeader(_ bytes: [UInt8]) -> Int? {
        guard bytes.count >= 4 else { return nil }
        for index in 0...(bytes.count - 4)
        where bytes[index] == 13 && bytes[index + 1] == 10 && bytes[index + 2] == 13 && bytes[index + 3] == 10 {
            return index + 4
        }
        return nil
    }

    /// The bytes read so far, shared between the reader and the deadline.
    private final class Received: Sendable {
        private let storage = Mutex<[UInt8]>([])

        func append(_ chunk: ByteBuffer) -> Int {
            storage.withLock { bytes in
                bytes += chunk.readableBytesView
                return bytes.count
            }
        }

        var bytes: [UInt8] { storage.withLock { $0 } }
    }
}
