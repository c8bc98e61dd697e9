import CachetStorage
import HTTPCachePolicy
import HTTPPreconditions
import CachetTestSupport
import HTTPTypes
import Logging
import NIOCore
import NIOEmbedded
import NIOPosix
import Testing

@testable import CachetProxy

/// Slow and silent clients (the slowloris family): a request head has a deadline from its
/// first byte that trickling does not move, a body that stops arriving is cut, and an idle
/// keep-alive connection is closed. The connection's clock is the event loop's, so the
/// embedded cases move time by hand; the live cases wait for the proxy's own short timers.
@Suite("Proxy client timeouts")
struct ProxyClientTimeoutTests {
    /// A connection pipeline as the server builds it, on an embedded event loop.
    final class EmbeddedConnection {
        let loop = EmbeddedEventLoop()
        let channel: EmbeddedChannel
        let origin: OriginClient
        let flow: RequestFlow
        /// Holds back what the proxy writes, as a client that does not read would.
        let reader = UnreadBytes()

        init(timeouts: ClientTimeouts) throws {
            channel = EmbeddedChannel(loop: loop)
            origin = OriginClient(timeouts: OriginTimeouts(), eventLoopGroup: MultiThreadedEventLoopGroup.singleton)
            flow = RequestFlow(
                configuration: ProxyConfiguration(defaultOrigin: OriginAddress("http://127.0.0.1:9")),
                store: MemoryStore(limit: 64 << 20), origin: origin, clock: ManualClock(ProxyHarness.start),
                logger: Logger(label: "test")
            )
            let connection = ClientConnectionHandler(flow: flow, maximumRequestBodySize: 1 << 20, timeouts: timeouts)
            try channel.pipeline.syncOperations.addHandler(reader)
            try channel.pipeline.syncOperations.addHandler(ByteArrivalObserver(connection: connection))
            try channel.pipeline.syncOperations.addHandler(ProxyServer.makeRequestDecoder())
            try channel.pipeline.syncOperations.addHandler(connection)
            try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 40_000)).wait()
        }

        func send(_ text: String) throws {
            try channel.writeInbound(ByteBuffer(string: text))
        }

        /// Everything written to the client so far.
        func written() throws -> String {
            var text = ""
            while let buffer = try channel.readOutbound(as: ByteBuffer.self) { text += String(buffer: buffer) }
            return text
        }

        func finish() async throws {
            _ = try? channel.finish()
            try await origin.shutdown()
        }
    }

    /// Keeps the bytes written unflushed (buffered in the channel) while `holding`.
    final class UnreadBytes: ChannelOutboundHandler {
        typealias OutboundIn = ByteBuffer
        var holding = false

        func flush(context: ChannelHandlerContext) {
            if !holding { context.flush() }
        }

        func release(_ channel: Channel) {
            holding = false
            channel.flush()
        }
    }

    /// A fresh 1 MiB response stored for `http://x/big`.
    static func storeBig(in flow: RequestFlow) {
        let request = HTTPRequest(method: .get, scheme: "http", authority: "x", path: "/big")
        var response = HTTPResponse(status: .ok)
        response.headerFields = [.date: ProxyHarness.start.imfFixdate, .cacheControl: "max-age=3600"]
        let policy = CachePolicy(request: request, response: response, requestTime: ProxyHarness.start, responseTime: ProxyHarness.start)
        let stored = flow.store.insert(flow.headers.entry(key: CacheKey(request: request)!, policy: policy, body: ByteBuffer(repeating: 0x62, count: 1 << 20)))
        precondition(stored, "the store must hold the response for the hit path to answer")
    }

    @Test("a client that leaves a response unread is cut after the idle time; one that takes it in time is not")
    func slowReader() async throws {
        let c = try EmbeddedConnection(timeouts: ClientTimeouts(requestHead: .seconds(10), idle: .seconds(60)))
        Self.storeBig(in: c.flow)
        c.reader.holding = true
        try c.send("GET /big HTTP/1.1\r\nHost: x\r\n\r\n")
        c.loop.advanceTime(by: .seconds(59))
        #expect(c.channel.isActive)
        c.reader.release(c.channel)  // taken in full before the deadline
        let answer = try c.written()
        #expect(answer.utf8.count > 1 << 20, "\(answer.prefix(300))")
        c.loop.advanceTime(by: .seconds(59))
        #expect(c.channel.isActive, "idle time counts from when the answer went out")

        c.reader.holding = true
        try c.send("GET /big HTTP/1.1\r\nHost: x\r\n\r\n")
        c.loop.advanceTime(by: .seconds(200))
        #expect(!c.channel.isActive)
        try await c.finish()
    }

    @Test("a head trickled one field a second is cut at the deadline from its first byte: 408, then close")
    func trickledHead() async throws {
        let c = try EmbeddedConnection(timeouts: ClientTimeouts(requestHead: .seconds(10), idle: .seconds(60)))
        c.loop.advanceTime(by: .seconds(30))  // idle before the first byte does not count against the head
        try c.send("GET /a HTTP/1.1\r\n")
        for second in 1..<10 {
            c.loop.advanceTime(by: .seconds(1))
            try c.send("X-Slow-\(second): y\r\n")
            #expect(try c.written().isEmpty)
            #expect(c.channel.isActive)
        }
        c.loop.advanceTime(by: .seconds(1))
        let answer = try c.written()
        #expect(answer.hasPrefix("HTTP/1.1 408 Request Timeout\r\n"))
        #expect(answer.contains("Connection: close\r\n"))
        #expect(answer.hasSuffix("The request did not arrive in time.\n"))
        #expect(!c.channel.isActive)
        try await c.finish()
    }

    @Test("a request body that stops arriving for the idle time gets 408")
    func stalledBody() async throws {
        let c = try EmbeddedConnection(timeouts: ClientTimeouts(requestHead: .seconds(10), idle: .seconds(20)))
        try c.send("POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n")
        for _ in 0..<5 {
            c.loop.advanceTime(by: .seconds(15))  // parts keep coming: alive well past one idle time
            try c.send("0123456789")
            #expect(c.channel.isActive)
        }
        c.loop.advanceTime(by: .seconds(20))
        #expect(try c.written().hasPrefix("HTTP/1.1 408 "))
        #expect(!c.channel.isActive)
        try await c.finish()
    }

    @Test("a connection that never sends anything is closed after the idle time, without a response")
    func silentConnection() async throws {
        let c = try EmbeddedConnection(timeouts: ClientTimeouts(requestHead: .seconds(10), idle: .seconds(60)))
        c.loop.advanceTime(by: .seconds(59))
        #expect(c.channel.isActive)
        c.loop.advanceTime(by: .seconds(1))
        #expect(!c.channel.isActive)
        #expect(try c.written().isEmpty)
        try await c.finish()
    }

    @Test("live: an incomplete head gets 408 and a close while another client is served")
    func liveHead() async throws {
        // A long idle time, so that a loaded machine reading the bytes late cannot turn this
        // into an idle close.
        let h = try await ProxyHarness.make { $0.clientTimeouts = ClientTimeouts(requestHead: .milliseconds(300), idle: .seconds(30)) }
        h.origin.route("/a") { _, _ in h.origin.ok("real", [(.cacheControl, "max-age=60")]) }
        async let slow = RawConnection.exchange(port: h.port, "GET /a HTTP/1.1\r\nHost: x\r\nX-Never-Ends: ")
        #expect(try await h.get("/a").body == "real")
        let answer = try await slow
        #expect(answer.hasPrefix("HTTP/1.1 408 "))
        #expect(h.origin.count("/a") == 1)
        try await h.shutdown()
    }

    @Test("live: a keep-alive connection gets its answer, then is closed once idle")
    func liveIdle() async throws {
        let h = try await ProxyHarness.make { $0.clientTimeouts = ClientTimeouts(requestHead: .seconds(30), idle: .seconds(2)) }
        h.origin.route("/a") { _, _ in h.origin.ok("real", [(.cacheControl, "max-age=60")]) }
        let kept = try await RawConnection.exchange(port: h.port, "GET /a HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(kept.hasPrefix("HTTP/1.1 200 OK\r\n"))
        #expect(kept.components(separatedBy: "HTTP/1.1 ").count == 2)
        #expect(kept.hasSuffix("real"))
        try await h.shutdown()
    }
}
