import NIOCore
import NIOPosix

/// A plain TCP exchange with 127.0.0.1, for sending bytes no HTTP client would send.
enum RawConnection {
    /// Sends `request` on a new connection and returns all the server answers until it
    /// closes the connection.
    static func exchange(port: Int, _ request: String) async throws -> String {
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connect(host: "127.0.0.1", port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
        return try await channel.executeThenClose { inbound, outbound in
            try await outbound.write(ByteBuffer(string: request))
            var received = ByteBuffer()
            do {
                for try await var chunk in inbound { received.writeBuffer(&chunk) }
            } catch {
                // A reset after the answer is fine: what arrived is what counts.
            }
            return String(buffer: received)
        }
    }
}
