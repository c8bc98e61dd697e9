import NIOCore
import NIOPosix
import Testing

@testable import CachetProxy

/// An origin body nobody reads any more is given up: the proxy closes that origin connection
/// at once instead of leaving it stalled until the idle timeout.
@Suite("Proxy gives up origin bodies it no longer reads")
struct ProxyOriginAbandonTests {
    /// Sends `request`, reads until the end of the response head, and closes the connection.
    static func headThenClose(port: Int, _ request: String) async throws -> String {
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connect(host: "127.0.0.1", port: port) { channel in
                channel.eventLoop.makeCompletedFuture { try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel) }
            }
        return try await channel.executeThenClose { inbound, outbound in
            try await outbound.write(ByteBuffer(string: request))
            var received = ByteBuffer()
            for try await var chunk in inbound {
                received.writeBuffer(&chunk)
                if String(buffer: received).contains("\r\n\r\n") { break }
            }
            return String(buffer: received)
        }
    }

    @Test("a client gone in the middle of a passed-through body: the origin connection closes well before the idle timeout")
    func clientGoneMidBody() async throws {
        let date = ProxyHarness.start.imfFixdate
        // Not storable, so the body is passed through at the client's pace; then a trickle,
        // so the proxy's writes to the departed client fail, then silence.
        let head = "HTTP/1.1 200 OK\r\nDate: \(date)\r\nCache-Control: no-store\r\nContent-Length: 1000000\r\n\r\n"
        let trickle = (0..<50).flatMap { _ in [FaultyOrigin.Step.send(String(repeating: "x", count: 1000)), .pause(.milliseconds(100))] }
        let origin = FaultyOrigin { _, _ in [.send(head)] + trickle + [.silence] }
        let originPort = try await origin.start()
        let h = try await ProxyHarness.make { configuration in
            configuration.defaultOrigin = OriginAddress("http://127.0.0.1:\(originPort)")
            // Far beyond what the test waits: only giving the body up can close the connection.
            configuration.originTimeouts = OriginTimeouts(connect: .seconds(10), firstByte: .seconds(60), idle: .seconds(60))
        }

        let answer = try await Self.headThenClose(port: h.port, "GET /big HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(answer.hasPrefix("HTTP/1.1 200 OK\r\n"), "\(answer.prefix(80))")
        // Polls for the close (each poll a short wait on the event loop, at most 10 s in all).
        var polls = 0
        while origin.endedConnections == 0, polls < 200 {
            try await MultiThreadedEventLoopGroup.singleton.next().scheduleTask(in: .milliseconds(50)) {}.futureResult.get()
            polls += 1
        }
        #expect(origin.endedConnections == 1, "the origin connection is still open after \(polls * 50) ms")
        #expect(origin.requests.count == 1)
        try await h.shutdown()
        try await origin.stop()
    }
}
