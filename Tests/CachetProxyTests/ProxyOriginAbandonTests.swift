import CachetTestSupport
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

    /// Sends `request` and resets the connection at once, reading nothing: the proxy's
    /// connection is gone (a FIN alone leaves it half open, for the answer).
    static func sendAndReset(port: Int, _ request: String) async throws {
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connect(host: "127.0.0.1", port: port) { channel in
                channel.eventLoop.makeCompletedFuture { try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel) }
                    .flatMap { wrapped in
                        // SO_LINGER 0: the close sends RST.
                        (channel as! any SocketOptionProvider).setSoLinger(linger(l_onoff: 1, l_linger: 0)).map { wrapped }
                    }
            }
        try await channel.executeThenClose { _, outbound in try await outbound.write(ByteBuffer(string: request)) }
    }

    /// Polls `condition` every 50 ms on an event loop's timer, for at most 10 s.
    static func eventually(_ condition: () -> Bool) async throws {
        var polls = 0
        while !condition(), polls < 200 {
            try await MultiThreadedEventLoopGroup.singleton.next().scheduleTask(in: .milliseconds(50)) {}.futureResult.get()
            polls += 1
        }
    }

    @Test("a client gone before a small response arrives whole: the exchange ends instead of waiting for a reader for good")
    func clientGoneBeforeSmallResponse() async throws {
        let date = ProxyHarness.start.imfFixdate
        // Head, body and end in one write, so AsyncHTTPClient holds the whole response for a
        // reader before the proxy's request goes on; not storable, so it is passed through.
        let response = "HTTP/1.1 200 OK\r\nDate: \(date)\r\nCache-Control: no-store\r\nContent-Length: 5\r\n\r\nsmall"
        let origin = FaultyOrigin { _, _ in [.pause(.milliseconds(300)), .send(response)] }
        let originPort = try await origin.start()
        let h = try await ProxyHarness.make { configuration in
            configuration.defaultOrigin = OriginAddress("http://127.0.0.1:\(originPort)")
            configuration.originTimeouts = OriginTimeouts(connect: .seconds(10), firstByte: .seconds(60), idle: .seconds(60))
        }

        try await Self.sendAndReset(port: h.port, "GET /small HTTP/1.1\r\nHost: x\r\n\r\n")
        try await Self.eventually { origin.requests.count == 1 }
        #expect(origin.requests.count == 1)
        try await Self.eventually { h.proxy.liveOriginExchanges == 0 }
        #expect(h.proxy.liveOriginExchanges == 0, "an origin exchange outlived its request")
        // The proxy still answers.
        #expect(try await h.get("/small").body == "small")
        try await Self.eventually { h.proxy.liveOriginExchanges == 0 }
        #expect(h.proxy.liveOriginExchanges == 0)
        try await h.shutdown()
        try await origin.stop()
    }

    @Test("a target no origin URL can be made of (OPTIONS *) gets a clear 502, and no exchange is left unsettled")
    func targetWithoutURL() async throws {
        let h = try await ProxyHarness.make()
        let answer = try await RawConnection.exchange(port: h.port, "OPTIONS * HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        #expect(answer.hasPrefix("HTTP/1.1 502 "), "\(answer.prefix(80))")
        #expect(h.proxy.liveOriginExchanges == 0)
        #expect(try await h.get("/after").status != 502)
        try await h.shutdown()
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
        try await Self.eventually { origin.endedConnections > 0 }
        #expect(origin.endedConnections == 1, "the origin connection is still open")
        #expect(origin.requests.count == 1)
        try await h.shutdown()
        try await origin.stop()
    }
}
