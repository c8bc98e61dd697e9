import NIOCore
import NIOPosix

/// A plain TCP exchange with 127.0.0.1, for sending bytes no HTTP client would send.
public enum RawConnection {
    /// Sends `request` on a new connection and returns all the server answers until it
    /// closes the connection. With `halfClose`, the client then shuts its sending side, so a
    /// server still waiting for the rest of a request sees the end instead of waiting on.
    public static func exchange(port: Int, _ request: String, halfClose: Bool = false) async throws -> String {
        try await exchange(port: port, writes: [request], halfClose: halfClose)
    }

    /// Like ``exchange(port:_:halfClose:)``, sending the request in several writes, each
    /// flushed before the next.
    public static func exchange(port: Int, writes: [String], halfClose: Bool = false) async throws -> String {
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connect(host: "127.0.0.1", port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try NIOAsyncChannel<ByteBuffer, ByteBuffer>(
                        wrappingChannelSynchronously: channel, configuration: .init(isOutboundHalfClosureEnabled: true)
                    )
                }
            }
        return try await channel.executeThenClose { inbound, outbound in
            for bytes in writes { try await outbound.write(ByteBuffer(string: bytes)) }
            if halfClose { outbound.finish() }
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
