#if os(Linux)
import CachetTestSupport
import Foundation
import HTTPTypes
import NIOConcurrencyHelpers
import NIOCore
import NIOEmbedded
import NIOHTTPTypes
import Logging
import NIOPosix
import ServiceLifecycle
import Testing

@testable import CachetHummingbird

/// What only ``FileSocketServer``'s own loops do: the I/O a request needs is done off the
/// loop and the request is still answered there; answers a slow client does not read wait
/// for it without holding more than a bound; a repeated head is answered from the memo.
/// The wire-level behaviour shared with ``FileFastPath`` is in ``RawFastPathTests``.
@Suite("cachet serve: FileSocketServer's socket loops")
struct FileSocketServerTests {
    typealias Stack = RawFastPathTests.Stack

    @Test("a file not looked up yet is looked up off the loop and answered there, without the decoder or the router")
    func preparedOffTheLoop() async throws {
        let counters = RawFastPathTests.Counters()
        // Two loops: the prepared request resumes on the loop its connection is on.
        try await RawFastPathTests.withServer(.socketLoop, counters, threads: 2) { port in
            let first = WireResponse.parse(try await RawConnection.exchange(port: port, RawFastPathTests.get("/dir/nested.txt"), halfClose: true))
            try #require(first.count == 1)
            #expect(first[0].statusLine == "HTTP/1.1 200 OK")
            #expect(first[0].body == "nested\n")
            let tag = try #require(first[0].value("ETag"))
            // Then a 304 and a 200 on one connection, the way a client revalidates.
            let wire = try await RawConnection.exchange(
                port: port, RawFastPathTests.get("/dir/nested.txt", RawFastPathTests.ifNoneMatch(tag)) + RawFastPathTests.get("/tiny.txt"),
                halfClose: true)
            #expect(WireResponse.parse(wire).map(\.statusLine) == ["HTTP/1.1 304 Not Modified", "HTTP/1.1 200 OK"], "\(wire)")
            #expect(counters.values == (0, 0), "looked up, tagged and read into memory without the router")
        }
    }

    @Test("heads that differ only in fields the files do not read share one answer; each field the files read, the method and the target get their own")
    func answersByKey() async throws {
        let counters = RawFastPathTests.Counters()
        let (files, router, http1) = try RawFastPathTests.parts(counters)
        let (ports, announce) = AsyncStream<Int>.makeStream()
        var server = FileSocketServer(
            files: files, router: router, configuration: .init(host: "127.0.0.1", port: 0, threads: 1, serverName: "cachet/test", http1: http1),
            onRunning: { announce.yield($0) })
        let asked = NIOLockedValueBox(0)
        let answer = server.answer
        server.answer = { request, now in
            asked.withLockedValue { $0 += 1 }
            return answer(request, now)
        }
        let group = ServiceGroup(configuration: .init(services: [server], logger: Logger(label: "test")))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            var iterator = ports.makeAsyncIterator()
            let port = try #require(await iterator.next())
            let tags = try await RawFastPathTests.warmUp(port, counters)
            let small = String(decoding: Fixture.small, as: UTF8.self)
            let brotli = String(decoding: Fixture.appBR, as: UTF8.self)
            // Each kind differs from the others in one thing the answer reads (RFC 9110 §13.1,
            // §12.5.3 for Accept-Encoding) and is asked three times with other fields around it.
            let kinds: [(fields: String, target: String, method: String, status: String, body: String, bodiless: Bool)] = [
                (RawFastPathTests.ifNoneMatch(tags.small), "/small.txt", "GET", "304", "", true),
                (RawFastPathTests.ifNoneMatch("\"other\""), "/small.txt", "GET", "200", small, false),
                ("If-None-Match: \"other\", \(tags.small)\r\n", "/small.txt", "GET", "304", "", true),
                ("", "/small.txt", "GET", "200", small, false),
                ("", "/small.txt?v=2", "GET", "200", small, false),
                ("", "/small.txt", "HEAD", "200", "", true),
                ("If-Modified-Since: \(Fixture.lastModified)\r\n", "/small.txt", "GET", "304", "", true),
                ("If-Modified-Since: Sat, 01 Jan 2000 00:00:00 GMT\r\n", "/small.txt", "GET", "200", small, false),
                ("Accept-Encoding: br\r\n", "/app.js", "GET", "200", brotli, false),
                ("Accept-Encoding: identity\r\n", "/app.js", "GET", "200", String(decoding: Fixture.appJS, as: UTF8.self), false),
                ("ACCEPT-ENCODING: br\r\nIf-None-Match: \(tags.appBrotli)\r\n", "/app.js", "GET", "304", "", true),
            ]
            var sequence: [Int] = []
            for round in 0..<3 { sequence += kinds.indices.map { ($0 + round) % kinds.count } }
            let requests = sequence.enumerated().map { index, kind in
                let other = ["X-Request: \(index)\r\n", "User-Agent: test/\(index)\r\nCookie: a=\(index)\r\n", "Connection: keep-alive\r\nX-Request: \(index)\r\n"][index % 3]
                return "\(kinds[kind].method) \(kinds[kind].target) HTTP/1.1\r\nHost: h\(index)\r\n\(other)\(kinds[kind].fields)\r\n"
            }
            asked.withLockedValue { $0 = 0 }
            let wire = try await RawConnection.exchange(port: port, requests.joined(), halfClose: true)
            let responses = WireResponse.parse(wire, bodiless: Set(sequence.indices.filter { kinds[sequence[$0]].bodiless }))
            try #require(responses.count == requests.count, "\(wire)")
            for (response, kind) in zip(responses, sequence.map { kinds[$0] }) {
                #expect(response.statusLine.split(separator: " ")[1] == kind.status, "\(kind)")
                #expect(response.body == kind.body, "\(kind)")
            }
            // At most one answer worked out per kind (none for the two the warm-up asked);
            // twice when the clock's second turns meanwhile, and once more for the identity
            // app.js, asked again once its content is read. Without the key: one per request.
            let times = asked.withLockedValue { $0 }
            #expect(times >= kinds.count - 2 && times <= 2 * kinds.count + 1, "\(times) answers worked out for \(requests.count) requests")
            #expect(counters.values == (0, 0))
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
    }

    /// A folder with one file larger than the loop copies next to its head, in ASCII so the
    /// wire reads as text.
    static let largeRoot: (root: String, body: String) = {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("cachet-socket-\(UUID().uuidString)")
        try! FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        let line = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ+/\n"
        let body = String(repeating: line, count: 200 * 1024 / line.utf8.count)
        try! Data(body.utf8).write(to: root.appendingPathComponent("large.txt"))
        return (root.path, body)
    }()

    @Test("40 pipelined requests for a 200 KiB file, more than the socket takes at once, are all answered whole and in order")
    func slowReaderGetsEverything() async throws {
        let counters = RawFastPathTests.Counters()
        let (root, body) = Self.largeRoot
        try await RawFastPathTests.withServer(.socketLoop, counters, root: root) { port in
            let count = 40
            let requests = (0..<count).map { index in
                index % 4 == 3 ? "HEAD /large.txt HTTP/1.1\r\nHost: x\r\n\r\n" : RawFastPathTests.get("/large.txt")
            }
            let wire = try await RawConnection.exchange(port: port, requests.joined(), halfClose: true)
            let responses = WireResponse.parse(wire, bodiless: Set((0..<count).filter { $0 % 4 == 3 }))
            try #require(responses.count == count, "\(responses.count) responses")
            for (index, response) in responses.enumerated() {
                #expect(response.statusLine == "HTTP/1.1 200 OK")
                #expect(response.value("Content-Length") == String(body.utf8.count))
                #expect(response.body == (index % 4 == 3 ? "" : body), "response \(index)")
            }
            #expect(counters.values == (0, 0))
        }
    }

    @Test("a connection handed to NIO keeps its order when the answers before it wait for the client")
    func handOffAfterLargeAnswers() async throws {
        let counters = RawFastPathTests.Counters()
        let (root, body) = Self.largeRoot
        try await RawFastPathTests.withServer(.socketLoop, counters, root: root) { port in
            let requests = Array(repeating: RawFastPathTests.get("/large.txt"), count: 12) + [RawFastPathTests.get("/large.txt", "Range: bytes=0-9\r\n")]
            let wire = try await RawConnection.exchange(port: port, requests.joined(), halfClose: true)
            let responses = WireResponse.parse(wire)
            try #require(responses.count == 13, "\(responses.count) responses")
            #expect(responses.prefix(12).allSatisfy { $0.body == body })
            #expect(responses[12].statusLine == "HTTP/1.1 206 Partial Content")
            #expect(responses[12].body == String(body.prefix(10)))
            #expect(counters.values == (1, 1))
        }
    }

    static let hostile: [String] = [
        "HELLO\r\n\r\n",
        "GE\u{0}T /small.txt HTTP/1.1\r\nHost: x\r\n\r\n",
        "get /small.txt HTTP/1.1\r\nHost: x\r\n\r\n",
        "GET /small.txt\u{1} HTTP/1.1\r\nHost: x\r\n\r\n",
        "GET /small.txt HTTP/2.0\r\nHost: x\r\n\r\n",
        "GET /small.txt HTTP/1.1\nHost: x\n\n",
        "GET /small.txt HTTP/1.1\r\nHost: x\r\nHost: y\r\n\r\n",
        "GET /small.txt HTTP/1.1\r\n\r\n",
        "GET /small.txt HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab",
        "GET /small.txt HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n0\r\n\r\n",
        "GET /small.txt HTTP/1.1\r\nHost: x\r\nX-Folded: a\r\n b\r\n\r\n",
        "GET /small.txt HTTP/1.1\r\nHost: x\r\nBad Name: a\r\n\r\n",
        "GET /small.txt HTTP/1.1\r\nHost: x\r\nX: a\rb\r\n\r\n",
        "GET /../outside/secret.txt HTTP/1.1\r\nHost: x\r\n\r\n",
        "GET /%2e%2e/outside/secret.txt HTTP/1.1\r\nHost: x\r\n\r\n",
        "GET /escape-link HTTP/1.1\r\nHost: x\r\n\r\n",
        "GET /.hidden HTTP/1.1\r\nHost: x\r\n\r\n",
        "GET /small.txt HTTP/1.1\r\nHost: x\r\nX: \(String(repeating: "a", count: 100_000))\r\n\r\n",
        "GET /small.txt HTTP/1.1\r\nHost: x\r\nIf-None-Match: \"unterminated\r\n\r\n",
        "GET /small.txt HTTP/1.1\r\nHost: x\r\nRange: bytes=5-1\r\n\r\n",
        "GET /small.txt HTTP/1.1\r\nHost: x\r\nIf-Match: \"nope\"\r\n\r\n",
        "GET /small.txt HTTP/1.1\r\nHost: x\r\n\r\nGET /small.txt HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\n\r\n",
        "GET /small.txt HTTP/1.1\r\nHost: x\r\nUpgrade: h2c\r\nConnection: Upgrade, HTTP2-Settings\r\n\r\n",
        "GET /small.txt HTTP/1.1\r\nHost: x\r\n",
    ]

    @Test("after a request answered from the socket, a hostile one gets what Hummingbird's own stack answers")
    func hostileAsHummingbird() async throws {
        @Sendable func statuses(_ port: Int, _ bytes: String, tag: String) async throws -> [String] {
            let wire = try await RawConnection.exchange(
                port: port, RawFastPathTests.get("/small.txt", RawFastPathTests.ifNoneMatch(tag)) + bytes, halfClose: true)
            return WireResponse.parse(wire).map { String($0.statusLine.split(separator: " ").dropFirst().first ?? "") }
        }
        let plainCounters = RawFastPathTests.Counters()
        try await RawFastPathTests.server(raw: false, plainCounters).test(.live) { plain in
            let plainPort = try #require(plain.port)
            let counters = RawFastPathTests.Counters()
            try await RawFastPathTests.withServer(.socketLoop, counters) { port in
                let tag = try await RawFastPathTests.warmUp(port, counters).small
                for bytes in Self.hostile {
                    let fromLoop = try await statuses(port, bytes, tag: tag)
                    let fromHummingbird = try await statuses(plainPort, bytes, tag: tag)
                    #expect(fromLoop == fromHummingbird, "\(bytes.prefix(120).debugDescription)")
                    #expect(fromLoop.first == "304")
                }
            }
        }
    }

    @Test("a graceful stop closes idle connections at once, and answers a request that was waiting on the files before closing", .timeLimit(.minutes(1)))
    func stopAnswersParked() async throws {
        let gate = Gate()
        let (files, router, http1) = try RawFastPathTests.parts(RawFastPathTests.Counters())
        let (ports, announce) = AsyncStream<Int>.makeStream()
        // One loop, so that the idle connection closing shows that this loop has seen the stop.
        var server = FileSocketServer(
            files: files, router: router, configuration: .init(host: "127.0.0.1", port: 0, threads: 1, http1: http1),
            onRunning: { announce.yield($0) })
        let prepare = server.prepare
        server.prepare = { request in
            if request.path == "/dir/nested.txt" { await gate.wait() }
            await prepare(request)
        }
        let group = ServiceGroup(configuration: .init(services: [server], logger: Logger(label: "test")))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            var iterator = ports.makeAsyncIterator()
            let port = try #require(await iterator.next())
            let waiting = Task { try await RawConnection.exchange(port: port, RawFastPathTests.get("/dir/nested.txt")) }
            try await waitUntil { gate.arrived == 1 }
            // A connection that has had its answer and stays open: the loop holds it.
            let (answered, tell) = AsyncStream<Void>.makeStream()
            let idle = Task { try await Self.exchange(port: port, steps: [(RawFastPathTests.get("/small.txt"), 1, { tell.yield() })]) }
            for await _ in answered { break }
            await group.triggerGracefulShutdown()
            #expect(WireResponse.parse(try await idle.value).map(\.statusLine) == ["HTTP/1.1 200 OK"])
            gate.open()
            let wire = try await waiting.value
            let responses = WireResponse.parse(wire)
            #expect(responses.map(\.statusLine) == ["HTTP/1.1 200 OK"], "\(wire)")
            #expect(responses.first?.body == "nested\n")
            try await tasks.waitForAll()
        }
    }

    // MARK: timeouts

    /// A clock the test moves.
    final class TestClock: Sendable {
        private let now = NIOLockedValueBox(NIODeadline.uptimeNanoseconds(1_000_000_000))
        var read: @Sendable () -> NIODeadline { { self.now.withLockedValue { $0 } } }
        func advance(_ amount: TimeAmount) { now.withLockedValue { $0 = $0 + amount } }
    }

    typealias Step = (send: String, answered: Int, then: @Sendable () -> Void)

    /// Sends each step's bytes, reads until the server has ended `answered` heads in all
    /// (the answers here carry no CRLF CRLF in their content), then calls the step's `then`;
    /// returns all the server sent until it closed the connection.
    static func exchange(port: Int, steps: [Step]) async throws -> String {
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connect(host: "127.0.0.1", port: port) { channel in
                channel.eventLoop.makeCompletedFuture { try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel) }
            }
        return try await channel.executeThenClose { inbound, outbound in
            var iterator = inbound.makeAsyncIterator()
            var received = ""
            for step in steps {
                try await outbound.write(ByteBuffer(string: step.send))
                while received.components(separatedBy: "\r\n\r\n").count - 1 < step.answered, let chunk = try await iterator.next() {
                    received += String(buffer: chunk)
                }
                step.then()
            }
            while let chunk = try await iterator.next() { received += String(buffer: chunk) }
            return received
        }
    }

    @Test(
        "a head that has not all arrived within the request head timeout gets 408 and the connection closes (slowloris)",
        .timeLimit(.minutes(1))
    )
    func slowHead() async throws {
        let clock = TestClock()
        let counters = RawFastPathTests.Counters()
        try await RawFastPathTests.withServer(.socketLoop, counters, clock: clock.read) { port in
            let tag = try await RawFastPathTests.warmUp(port, counters).small
            // The 304 tells that the loop has read the start of the next head, sent with it.
            let start = RawFastPathTests.get("/small.txt", RawFastPathTests.ifNoneMatch(tag)) + "GET /small.txt HTTP/1.1\r\nHo"
            let wire = try await Self.exchange(port: port, steps: [(start, 1, { clock.advance(.seconds(11)) })])
            let responses = WireResponse.parse(wire)
            #expect(responses.map(\.statusLine) == ["HTTP/1.1 304 Not Modified", "HTTP/1.1 408 Request Timeout"], "\(wire)")
            #expect(responses.last?.value("Connection") == "close")
        }
    }

    @Test("a connection is closed once idle for the idle timeout, counted from its last request", .timeLimit(.minutes(1)))
    func idle() async throws {
        let clock = TestClock()
        let counters = RawFastPathTests.Counters()
        try await RawFastPathTests.withServer(.socketLoop, counters, clock: clock.read) { port in
            let tag = try await RawFastPathTests.warmUp(port, counters).small
            let request = RawFastPathTests.get("/small.txt", RawFastPathTests.ifNoneMatch(tag))
            // 59 s after each request the connection is still open; 61 s after the last, closed.
            let wire = try await Self.exchange(
                port: port,
                steps: [(request, 1, { clock.advance(.seconds(59)) }), (request, 2, { clock.advance(.seconds(59)) }), (request, 3, { clock.advance(.seconds(61)) })]
            )
            #expect(WireResponse.parse(wire).map(\.statusLine) == Array(repeating: "HTTP/1.1 304 Not Modified", count: 3), "\(wire)")
        }
    }

    // MARK: the memo

    static func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

    static let answer: ImmediateAnswer = {
        let head = HTTPResponse(status: .notModified, headerFields: [.eTag: "\"a\""])
        var answer = ImmediateAnswer(head, encodedHead: ImmediateAnswer.encodedHead(head))
        answer.validUntil = NIODeadline.uptimeNanoseconds(2_000)
        return answer
    }()

    static func remember(_ answer: ImmediateAnswer = answer, to head: [UInt8], isHead: Bool = false, second: Int64 = 100, in memo: inout AnswerMemo) {
        head.withUnsafeBytes { memo.remember(answer.wire(isHead: isHead)!, of: answer, to: $0, second: second) }
    }

    @Test("the memo answers the same bytes in the same second while the lookup holds, and nothing else")
    func memo() {
        var memo = AnswerMemo(slots: 64)
        let head = Self.bytes("GET /a HTTP/1.1\r\nHost: x\r\nIf-None-Match: \"a\"\r\n\r\n")
        Self.remember(to: head, in: &memo)
        let now = NIODeadline.uptimeNanoseconds(1_000)
        func lookUp(_ bytes: [UInt8], second: Int64 = 100, at now: NIODeadline = now, generation: Int = 0) -> ImmediateAnswer.Wire? {
            bytes.withUnsafeBytes { memo.answer(to: $0, second: second, now: now, generation: generation) }
        }
        #expect(lookUp(head)?.head == Self.answer.encodedHead)
        // One byte different: another request.
        #expect(lookUp(Self.bytes("GET /a HTTP/1.1\r\nHost: x\r\nIf-None-Match: \"b\"\r\n\r\n")) == nil)
        #expect(lookUp(Self.bytes("GET /a HTTP/1.1\r\nHost: x\r\nIf-None-Match: \"a\"\r\n\r\n ")) == nil)
        // The next second: dates compare in seconds (RFC 9110 §13.1.3), so it is asked again.
        #expect(lookUp(head, second: 101) == nil)
        // The lookup the answer came from no longer holds, or was dropped early.
        #expect(lookUp(head, at: .uptimeNanoseconds(2_000)) == nil)
        #expect(lookUp(head, generation: 1) == nil)
        // A head past the memo's bound is not remembered.
        let long = Self.bytes("GET /a HTTP/1.1\r\nHost: x\r\nX: \(String(repeating: "a", count: AnswerMemo.maximumHeadLength))\r\n\r\n")
        Self.remember(to: long, in: &memo)
        #expect(lookUp(long) == nil)
    }

    @Test("the memo keeps a HEAD's answer without content, and a GET's with it")
    func memoKeepsHead() {
        var memo = AnswerMemo(slots: 1024)
        var full = ImmediateAnswer(HTTPResponse(status: .ok, headerFields: [.contentLength: "2"]), encodedHead: nil)
        full = ImmediateAnswer(full.head, encodedHead: ImmediateAnswer.encodedHead(full.head), body: ByteBuffer(string: "hi"))
        let head = Self.bytes("HEAD /a HTTP/1.1\r\nHost: x\r\n\r\n")
        let get = Self.bytes("GET /a HTTP/1.1\r\nHost: x\r\n\r\n")
        Self.remember(full, to: head, isHead: true, second: 5, in: &memo)
        Self.remember(full, to: get, second: 5, in: &memo)
        func lookUp(_ bytes: [UInt8]) -> ImmediateAnswer.Wire? {
            bytes.withUnsafeBytes { memo.answer(to: $0, second: 5, now: .uptimeNanoseconds(0), generation: 0) }
        }
        #expect(lookUp(head) != nil)
        #expect(lookUp(head)?.body == nil)
        #expect(lookUp(get)?.body == ByteBuffer(string: "hi"))
    }

    @Test("a 304 never carries the content it was given, even to a GET (RFC 9110 §15.4.5)")
    func notModifiedWireHasNoContent() {
        let head = HTTPResponse(status: .notModified, headerFields: [.eTag: "\"a\""])
        let answer = ImmediateAnswer(head, encodedHead: ImmediateAnswer.encodedHead(head), body: ByteBuffer(string: "content"))
        #expect(answer.wire(isHead: false)?.body == nil)
        #expect(ImmediateAnswer(head, encodedHead: nil).wire(isHead: false) == nil)
    }
}

/// ``IdleTimeout``, which gives the connections a socket loop hands to NIO the loop's idle
/// timeout, on an embedded event loop whose clock the test moves.
@Suite("cachet serve: the idle timeout of connections handed to NIO")
struct IdleTimeoutTests {
    static func channel() throws -> EmbeddedChannel {
        try withRequests(tracked: false).0
    }

    @Test("a connection on which nothing moves is closed once the timeout has passed, not before (RFC 9112 §9.6)")
    func closesWhenIdle() throws {
        let channel = try Self.channel()
        channel.embeddedEventLoop.advanceTime(by: .seconds(59))
        #expect(channel.isActive)
        channel.embeddedEventLoop.advanceTime(by: .seconds(1))
        #expect(!channel.isActive)
    }

    @Test("a byte received or an answer taken starts the timeout again")
    func progressKeepsOpen() throws {
        let channel = try Self.channel()
        channel.embeddedEventLoop.advanceTime(by: .seconds(50))
        try channel.writeInbound(ByteBuffer(string: "G"))
        channel.embeddedEventLoop.advanceTime(by: .seconds(50))
        #expect(channel.isActive)
        try channel.writeOutbound(ByteBuffer(string: "HTTP/1.1 200 OK\r\n"))
        channel.embeddedEventLoop.advanceTime(by: .seconds(59))
        #expect(channel.isActive)
        channel.embeddedEventLoop.advanceTime(by: .seconds(1))
        #expect(!channel.isActive)
    }

    @Test("an answer the client does not take is no progress: the slow reader is closed")
    func unreadAnswer() throws {
        let channel = try Self.channel()
        // A write that never completes, as when the client's window stays shut.
        let pending = channel.eventLoop.makePromise(of: Void.self)
        let holding = HoldWrites(pending)
        try channel.pipeline.syncOperations.addHandler(holding, position: .first)
        channel.write(ByteBuffer(string: "HTTP/1.1 200 OK\r\n"), promise: nil)
        channel.flush()
        channel.embeddedEventLoop.advanceTime(by: .seconds(60))
        #expect(!channel.isActive)
        pending.succeed()
    }

    /// A connected channel with an `IdleTimeout` of 60 s, and `RequestsInFlight` after it when `tracked`.
    static func withRequests(tracked: Bool = true) throws -> (EmbeddedChannel, IdleTimeout) {
        let channel = EmbeddedChannel()
        let idle = IdleTimeout(.seconds(60))
        try channel.pipeline.syncOperations.addHandler(idle)
        if tracked { try channel.pipeline.syncOperations.addHandler(RequestsInFlight(idle)) }
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).wait()
        return (channel, idle)
    }

    static let head = HTTPRequestPart.head(HTTPRequest(method: .get, scheme: "http", authority: "x", path: "/big.bin"))

    @Test("the time the server spends on a request received whole, with nothing to write yet, is not the client's")
    func serverWorking() throws {
        let (channel, _) = try Self.withRequests()
        try channel.writeInbound(Self.head)
        try channel.writeInbound(HTTPRequestPart.end(nil))
        channel.embeddedEventLoop.advanceTime(by: .seconds(180))
        #expect(channel.isActive, "hashing a large file, say")
        try channel.writeOutbound(HTTPResponsePart.head(HTTPResponse(status: .ok)))
        try channel.writeOutbound(HTTPResponsePart.end(nil))
        channel.embeddedEventLoop.advanceTime(by: .seconds(59))
        #expect(channel.isActive)
        channel.embeddedEventLoop.advanceTime(by: .seconds(1))
        #expect(!channel.isActive, "idle between requests from the end of the response")
    }

    @Test("a request whose body stops coming is the client's wait: closed")
    func bodyStalls() throws {
        let (channel, _) = try Self.withRequests()
        try channel.writeInbound(Self.head)
        channel.embeddedEventLoop.advanceTime(by: .seconds(60))
        #expect(!channel.isActive)
    }

    @Test("an answer being sent that the client does not take is the client's wait, request or not")
    func answerNotTaken() throws {
        let (channel, _) = try Self.withRequests()
        let pending = channel.eventLoop.makePromise(of: Void.self)
        try channel.pipeline.syncOperations.addHandler(HoldWrites(pending), position: .first)
        try channel.writeInbound(Self.head)
        try channel.writeInbound(HTTPRequestPart.end(nil))
        channel.write(HTTPResponsePart.head(HTTPResponse(status: .ok)), promise: nil)
        channel.flush()
        channel.embeddedEventLoop.advanceTime(by: .seconds(60))
        #expect(!channel.isActive)
        pending.succeed()
    }

    @Test("a large buffer is written in slices that share its storage and add up to it")
    func slices() {
        let bytes = ByteBuffer(bytes: (0..<(150 * 1024)).map { UInt8(truncatingIfNeeded: $0) })
        let slices = bytes.slices()
        #expect(slices.map(\.readableBytes) == [65536, 65536, 22528])
        var joined = ByteBuffer()
        for var slice in slices { joined.writeBuffer(&slice) }
        #expect(joined == bytes)
        #expect(ByteBuffer().slices().isEmpty)
    }

    /// Takes the writes and completes none of them until told.
    final class HoldWrites: ChannelOutboundHandler {
        typealias OutboundIn = NIOAny
        let pending: EventLoopPromise<Void>
        init(_ pending: EventLoopPromise<Void>) { self.pending = pending }
        func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
            if let promise { pending.futureResult.cascade(to: promise) }
        }
    }
}
#endif
