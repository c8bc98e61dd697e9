import NIOCore
import NIOPosix

/// One request written on a plain TCP connection and everything read back until the server
/// closes it: the only way to see bytes a server sends after a response that cannot have
/// content, which every HTTP/1.1 parser (rightly) refuses to read as a body.
enum RawExchange {
    struct TimedOut: Error, CustomStringConvertible {
        var description: String { "the server did not close the connection in time" }
    }

    static func send(_ request: [UInt8], host: String, port: Int, timeout: Duration, limit: Int) async throws -> [UInt8] {
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connectTimeout(.init(timeout))
            .connect(host: host, port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
        return try await withThrowingTaskGroup(of: [UInt8]?.self) { group in
            group.addTask {
                try await channel.executeThenClose { inbound, outbound in
                    try await outbound.write(ByteBuffer(bytes: request))
                    var received: [UInt8] = []
                    for try await chunk in inbound {
                        received += chunk.readableBytesView
                        if received.count >= limit { break }
                    }
                    return received
                }
            }
            group.addTask {
                // The exchange's deadline; the server is expected to close well before.
                try await Task.sleep(for: timeout)
                return nil
            }
            defer { group.cancelAll() }
            guard let first = try await group.next(), let received = first else {
                channel.channel.close(promise: nil)
                throw TimedOut()
            }
            return received
        }
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
}
