import CachetTestSupport
import HTTPTypes
import Hummingbird
import HummingbirdCore
import HummingbirdTesting
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTPTypes
import ServiceLifecycle
import Testing

@testable import CachetHummingbird

/// `cachet serve` answers the requests that need no I/O from the raw bytes, before NIO's
/// HTTP/1 decoder; every other request, and all that follows it on the connection, goes
/// through the decoder and the router. These tests count both, and read the wire, on both
/// stacks that do it: ``FileFastPath`` first in a Hummingbird `Application`'s pipeline, and
/// ``FileSocketServer``'s own socket loops (what `cachet serve` runs on Linux).
@Suite("cachet serve: requests answered from raw bytes")
struct RawFastPathTests {
    enum Stack: String, CustomTestStringConvertible, Sendable {
        case pipeline
        case socketLoop
        var testDescription: String { rawValue }
        static var all: [Stack] {
            #if os(Linux)
            [.pipeline, .socketLoop]
            #else
            [.pipeline]
            #endif
        }
    }

    /// Counts the request heads NIO's decoder produced.
    final class DecodedRequests: ChannelInboundHandler, RemovableChannelHandler, Sendable {
        typealias InboundIn = HTTPRequestPart
        typealias InboundOut = HTTPRequestPart
        let count: NIOLockedValueBox<Int>
        init(_ count: NIOLockedValueBox<Int>) { self.count = count }
        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            if case .head = unwrapInboundIn(data) { count.withLockedValue { $0 += 1 } }
            context.fireChannelRead(data)
        }
    }

    struct Counters {
        let decoded = NIOLockedValueBox(0)
        let routed = NIOLockedValueBox(0)
        var values: (decoded: Int, routed: Int) { (decoded.withLockedValue { $0 }, routed.withLockedValue { $0 }) }
        func reset() {
            decoded.withLockedValue { $0 = 0 }
            routed.withLockedValue { $0 = 0 }
        }
    }

    /// The files and the router of the `cachet serve` stack, counting what reaches the
    /// decoder and the router.
    static func parts(_ counters: Counters, root: String = Fixture.root) throws -> (
        files: ConditionalFileMiddleware<BasicRequestContext>, router: Router<BasicRequestContext>, http1: HTTP1Channel.Configuration
    ) {
        let files = try ConditionalFileMiddleware<BasicRequestContext>(
            root,
            configuration: .init(
                cacheControl: CacheControlRules([], default: "max-age=60"), metadataValidity: .seconds(3600), memoryCachedFileSize: 1 << 20
            )
        )
        let router = Router(options: .autoGenerateHeadEndpoints)
        router.add(middleware: FileFastPathTests.Counting(count: counters.routed))
        router.add(middleware: files)
        let decoded = counters.decoded
        return (files, router, HTTP1Channel.Configuration(additionalChannelHandlers: [DecodedRequests(decoded)]))
    }

    /// The `cachet serve` stack in an `Application`; `raw: false` is the same without the raw
    /// path: the decoder's.
    static func server(raw: Bool, _ counters: Counters) throws -> some ApplicationProtocol {
        let (files, router, http1) = try parts(counters)
        return Application(
            router: router,
            server: raw ? .http1(configuration: http1, answeringFirst: files, serverName: "cachet/test") : .http1(configuration: http1),
            configuration: .init(serverName: "cachet/test")
        )
    }

    /// Runs `body` with the port of a server of `stack`, then shuts the server down.
    static func withServer(
        _ stack: Stack, _ counters: Counters, root: String = Fixture.root, threads: Int = 1, clock: (@Sendable () -> NIODeadline)? = nil,
        _ body: @Sendable (Int) async throws -> Void
    ) async throws {
        switch stack {
        case .pipeline:
            try await server(raw: true, counters).test(.live) { client in try await body(try #require(client.port)) }
        case .socketLoop:
            #if os(Linux)
            let (files, router, http1) = try parts(counters, root: root)
            let (ports, announce) = AsyncStream<Int>.makeStream()
            var configuration = FileSocketServer.Configuration(host: "127.0.0.1", port: 0, threads: threads, serverName: "cachet/test", http1: http1)
            if let clock { configuration.clock = clock }
            let server = FileSocketServer(files: files, router: router, configuration: configuration, onRunning: { announce.yield($0) })
            let group = ServiceGroup(configuration: .init(services: [server], logger: Logger(label: "test")))
            try await withThrowingTaskGroup(of: Void.self) { tasks in
                tasks.addTask { try await group.run() }
                var iterator = ports.makeAsyncIterator()
                let port = try #require(await iterator.next())
                do {
                    try await body(port)
                } catch {
                    await group.triggerGracefulShutdown()
                    throw error
                }
                await group.triggerGracefulShutdown()
                try await tasks.waitForAll()
            }
            #endif
        }
    }

    /// Tags learnt while warming up: the router looks the files up, tags them and keeps them
    /// in memory, so the raw path can answer them afterwards.
    struct Tags {
        var small = ""
        var appBrotli = ""
    }

    static func warmUp(_ port: Int, _ counters: Counters) async throws -> Tags {
        func tag(_ request: String) async throws -> String {
            let response = try #require(WireResponse.parse(try await RawConnection.exchange(port: port, request, halfClose: true)).first)
            #expect(response.statusLine == "HTTP/1.1 200 OK", "\(request)")
            return response.value("ETag") ?? ""
        }
        var tags = Tags()
        tags.small = try await tag(get("/small.txt"))
        tags.appBrotli = try await tag(get("/app.js", "Accept-Encoding: br\r\n"))
        _ = try await tag(get("/empty.txt"))
        counters.reset()
        return tags
    }

    static func get(_ path: String, _ fields: String = "") -> String {
        "GET \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\n\(fields)\r\n"
    }

    static func ifNoneMatch(_ tag: String) -> String { "If-None-Match: \(tag)\r\n" }

    /// The fields of a response as a sorted list, without `Date`.
    static func fieldSet(_ response: WireResponse) -> [String] {
        response.fields.filter { $0.name.lowercased() != "date" }.map { "\($0.name): \($0.value)" }.sorted()
    }

    @Test("200, HEAD and 304 answers carry the status line, fields and body of the decoder's path, apart from Date", arguments: Stack.all)
    func sameAsDecoderPath(stack: Stack) async throws {
        let rawCounters = Counters()
        let plainCounters = Counters()
        try await Self.server(raw: false, plainCounters).test(.live) { plain in
            let plainPort = try #require(plain.port)
            try await Self.withServer(stack, rawCounters) { rawPort in
                let tags = try await Self.warmUp(rawPort, rawCounters)
                _ = try await Self.warmUp(plainPort, plainCounters)
                let requests: [(String, bodiless: Bool)] = [
                    (Self.get("/small.txt"), false),
                    ("HEAD /small.txt HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", true),
                    (Self.get("/small.txt", Self.ifNoneMatch(tags.small)), true),
                    (Self.get("/small.txt", Self.ifNoneMatch("W/" + tags.small)), true),
                    (Self.get("/small.txt", "If-Modified-Since: \(Fixture.lastModified)\r\n"), true),
                    (Self.get("/app.js", "Accept-Encoding: br\r\n"), false),
                    (Self.get("/app.js", "Accept-Encoding: br\r\n" + Self.ifNoneMatch(tags.appBrotli)), true),
                    (Self.get("/empty.txt", "Connection: keep-alive\r\nUser-Agent: test/1\r\n"), false),
                ]
                for (request, bodiless) in requests {
                    let fromRaw = WireResponse.parse(
                        try await RawConnection.exchange(port: rawPort, request, halfClose: true), bodiless: bodiless ? [0] : [])
                    let fromDecoder = WireResponse.parse(
                        try await RawConnection.exchange(port: plainPort, request, halfClose: true), bodiless: bodiless ? [0] : [])
                    try #require(fromRaw.count == 1 && fromDecoder.count == 1, "\(request)")
                    #expect(fromRaw[0].statusLine == fromDecoder[0].statusLine, "\(request)")
                    #expect(Self.fieldSet(fromRaw[0]) == Self.fieldSet(fromDecoder[0]), "\(request)")
                    #expect(fromRaw[0].values("Date").count == 1)
                    #expect(fromRaw[0].body == fromDecoder[0].body)
                }
                #expect(rawCounters.values == (0, 0), "every answer came from the raw path")
                #expect(plainCounters.values.decoded == requests.count)
            }
        }
    }

    @Test("two and ten requests pipelined in one write are answered in order, without the decoder", arguments: Stack.all, [2, 10])
    func pipelined(stack: Stack, count: Int) async throws {
        let counters = Counters()
        try await Self.withServer(stack, counters) { port in
            let tags = try await Self.warmUp(port, counters)
            let kinds: [(request: String, status: String, body: String, bodiless: Bool)] = [
                (Self.get("/small.txt"), "200", String(decoding: Fixture.small, as: UTF8.self), false),
                (Self.get("/small.txt", Self.ifNoneMatch(tags.small)), "304", "", true),
                ("HEAD /small.txt HTTP/1.1\r\nHost: x\r\n\r\n", "200", "", true),
                (Self.get("/app.js", "Accept-Encoding: br\r\n"), "200", String(decoding: Fixture.appBR, as: UTF8.self), false),
                (Self.get("/empty.txt"), "200", "", false),
            ]
            let sequence = (0..<count).map { kinds[($0 * 3) % kinds.count] }
            let wire = try await RawConnection.exchange(port: port, sequence.map(\.request).joined(), halfClose: true)
            let responses = WireResponse.parse(wire, bodiless: Set(sequence.indices.filter { sequence[$0].bodiless }))
            try #require(responses.count == count, "\(wire)")
            for (response, expected) in zip(responses, sequence) {
                #expect(response.statusLine.split(separator: " ")[1] == expected.status)
                #expect(response.body == expected.body)
            }
            #expect(counters.values == (0, 0))
        }
    }

    @Test("requests split byte by byte across writes are put together and answered", arguments: Stack.all)
    func splitByteByByte(stack: Stack) async throws {
        let counters = Counters()
        try await Self.withServer(stack, counters) { port in
            let tags = try await Self.warmUp(port, counters)
            let requests = Self.get("/small.txt", Self.ifNoneMatch(tags.small)) + Self.get("/small.txt")
            let wire = try await RawConnection.exchange(port: port, writes: requests.map { String($0) }, halfClose: true)
            let responses = WireResponse.parse(wire)
            try #require(responses.count == 2, "\(wire)")
            #expect(responses[0].statusLine == "HTTP/1.1 304 Not Modified")
            #expect(responses[1].body == String(decoding: Fixture.small, as: UTF8.self))
            #expect(counters.values == (0, 0))
        }
    }

    @Test("a simple request the router answers (a range, a file not looked up) is answered in turn, and the raw path goes on after it", arguments: Stack.all)
    func routerInTurn(stack: Stack) async throws {
        let counters = Counters()
        try await Self.withServer(stack, counters) { port in
            let tags = try await Self.warmUp(port, counters)
            let wire = try await RawConnection.exchange(
                port: port,
                Self.get("/small.txt", Self.ifNoneMatch(tags.small)) + Self.get("/small.txt", "Range: bytes=0-4\r\n")
                    + Self.get("/small.txt", Self.ifNoneMatch(tags.small)) + Self.get("/dir/nested.txt") + Self.get("/small.txt")
                    + Self.get("/dir/nested.txt", "Range: bytes=1-2\r\n") + Self.get("/small.txt", Self.ifNoneMatch(tags.small)),
                halfClose: true
            )
            let responses = WireResponse.parse(wire)
            #expect(responses.map { $0.statusLine.split(separator: " ")[1] } == ["304", "206", "304", "200", "200", "206", "304"], "\(wire)")
            #expect(responses.map(\.body) == ["", "Hello", "", "nested\n", "Hello, conditional world!\n", "es", ""])
            #expect(counters.values == (3, 3), "the range requests and the first look at nested.txt only")
        }
    }

    @Test("after a request with content, every later request on the connection goes to the decoder, in order", arguments: Stack.all)
    func declinedThenDecoder(stack: Stack) async throws {
        let counters = Counters()
        try await Self.withServer(stack, counters) { port in
            let tags = try await Self.warmUp(port, counters)
            let wire = try await RawConnection.exchange(
                port: port,
                Self.get("/small.txt", Self.ifNoneMatch(tags.small)) + "POST /small.txt HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc"
                    + Self.get("/small.txt", Self.ifNoneMatch(tags.small)) + Self.get("/small.txt"),
                halfClose: true
            )
            let responses = WireResponse.parse(wire)
            #expect(responses.map { $0.statusLine.split(separator: " ")[1] } == ["304", "405", "304", "200"], "\(wire)")
            #expect(counters.values == (3, 3))
        }
    }

    @Test("Connection: close goes to the decoder's path, which answers and closes (RFC 9112 §9.6)", arguments: Stack.all)
    func connectionClose(stack: Stack) async throws {
        let counters = Counters()
        try await Self.withServer(stack, counters) { port in
            let tags = try await Self.warmUp(port, counters)
            // No half-close: the exchange ends only because the server closes.
            let wire = try await RawConnection.exchange(
                port: port,
                Self.get("/small.txt", Self.ifNoneMatch(tags.small)) + Self.get("/small.txt", "Connection: close\r\n") + Self.get("/small.txt")
            )
            let responses = WireResponse.parse(wire)
            #expect(responses.map { $0.statusLine.split(separator: " ")[1] } == ["304", "200"], "\(wire)")
            #expect(counters.values == (1, 1))
        }
    }

    @Test("requests with content (Content-Length, chunked) go to the decoder's path and are answered in order", arguments: Stack.all)
    func requestsWithContent(stack: Stack) async throws {
        let counters = Counters()
        try await Self.withServer(stack, counters) { port in
            let tags = try await Self.warmUp(port, counters)
            let wire = try await RawConnection.exchange(
                port: port,
                Self.get("/small.txt", Self.ifNoneMatch(tags.small)) + Self.get("/small.txt", "Content-Length: 3\r\n") + "abc"
                    + Self.get("/small.txt", "Transfer-Encoding: chunked\r\n") + "3\r\nabc\r\n0\r\n\r\n"
                    + Self.get("/small.txt", Self.ifNoneMatch(tags.small)),
                halfClose: true
            )
            let responses = WireResponse.parse(wire)
            #expect(responses.map { $0.statusLine.split(separator: " ")[1] } == ["304", "200", "200", "304"], "\(wire)")
            #expect(counters.values.decoded == 3)
        }
    }

    @Test("a head longer than the raw path reads goes to the decoder, which answers it or refuses it", arguments: Stack.all)
    func oversizeHead(stack: Stack) async throws {
        let counters = Counters()
        try await Self.withServer(stack, counters) { port in
            let tags = try await Self.warmUp(port, counters)
            let long = try await RawConnection.exchange(
                port: port,
                Self.get("/small.txt", Self.ifNoneMatch(tags.small)) + Self.get("/small.txt", "X-Filler: \(String(repeating: "a", count: 9000))\r\n"),
                halfClose: true
            )
            #expect(WireResponse.parse(long).map { $0.statusLine.split(separator: " ")[1] } == ["304", "200"], "\(long)")
            #expect(counters.values.decoded == 1)

            // Beyond the decoder's own limit (80 KiB): refused, not left waiting.
            let huge = try await RawConnection.exchange(
                port: port,
                Self.get("/small.txt", Self.ifNoneMatch(tags.small)) + Self.get("/small.txt", "X-Filler: \(String(repeating: "a", count: 100_000))\r\n")
            )
            let statuses = WireResponse.parse(huge).map { $0.statusLine.split(separator: " ")[1] }
            #expect(statuses.count == 2 && statuses[0] == "304" && statuses[1].hasPrefix("4"), "\(huge.prefix(400))")
        }
    }

    @Test("an HTTP/1.0 request goes to the decoder's path", arguments: Stack.all)
    func http10(stack: Stack) async throws {
        let counters = Counters()
        try await Self.withServer(stack, counters) { port in
            let tags = try await Self.warmUp(port, counters)
            let wire = try await RawConnection.exchange(
                port: port,
                Self.get("/small.txt", Self.ifNoneMatch(tags.small)) + "GET /small.txt HTTP/1.0\r\n\r\n",
                halfClose: true
            )
            let responses = WireResponse.parse(wire)
            #expect(responses.map { $0.statusLine.split(separator: " ")[1] } == ["304", "200"], "\(wire)")
            #expect(responses.last?.body == "Hello, conditional world!\n")
            #expect(counters.values == (1, 1))
        }
    }

    // MARK: the reader

    static func read(_ text: String) -> SimpleRequestHead.Outcome {
        Array(text.utf8).withUnsafeBytes { SimpleRequestHead.read($0) }
    }

    static func accepted(_ text: String) -> HTTPRequest? {
        if case .request(let request, let length) = read(text), length == text.utf8.count { return request }
        return nil
    }

    @Test("the reader takes a simple GET or HEAD as the decoder's path would see it")
    func readerAccepts() throws {
        let request = try #require(
            Self.accepted("GET /a%20b/c.txt?x=1 HTTP/1.1\r\nhost: example.com\r\nIf-None-Match:  \"a\", W/\"b\" \r\nConnection: keep-alive\r\nX-Empty:\r\n\r\n")
        )
        #expect(request.method == .get)
        #expect(request.path == "/a%20b/c.txt?x=1")
        #expect(request.authority == "example.com")
        #expect(request.headerFields[.ifNoneMatch] == "\"a\", W/\"b\"")
        #expect(request.headerFields[HTTPField.Name("Host")!] == nil)
        #expect(request.headerFields[HTTPField.Name("X-Empty")!] == "")
        #expect(Self.accepted("HEAD / HTTP/1.1\r\nHost: x\r\n\r\n")?.method == .head)
        // Two requests: the first one's length only.
        if case .request(_, let length) = Self.read("GET / HTTP/1.1\r\nHost: x\r\n\r\nGET / HTTP/1.1\r\n") {
            #expect(length == 27)
        } else {
            Issue.record("not read")
        }
    }

    @Test(
        "the reader declines what it does not answer",
        arguments: [
            "POST / HTTP/1.1\r\nHost: x\r\n\r\n",
            "GET / HTTP/1.0\r\nHost: x\r\n\r\n",
            "GET http://x/ HTTP/1.1\r\nHost: x\r\n\r\n",
            "GET * HTTP/1.1\r\nHost: x\r\n\r\n",
            "GET  / HTTP/1.1\r\nHost: x\r\n\r\n",
            "\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n",
            "GET / HTTP/1.1\r\n\r\n",
            "GET / HTTP/1.1\r\nHost: x\r\nHost: y\r\n\r\n",
            "GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n",
            "GET / HTTP/1.1\r\nHost: x\r\ntransfer-encoding: chunked\r\n\r\n",
            "GET / HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\n\r\n",
            "GET / HTTP/1.1\r\nHost: x\r\nUpgrade: h2c\r\n\r\n",
            "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
            "GET / HTTP/1.1\r\nHost: x\r\nConnection: keep-alive, Close\r\n\r\n",
            "GET / HTTP/1.1\r\nHost: x\r\nX-Folded: a\r\n b\r\n\r\n",
            "GET / HTTP/1.1\r\nHost: x\r\nX-Bad\tName: a\r\n\r\n",
            "GET / HTTP/1.1\r\nHost: x\r\nX-Space : a\r\n\r\n",
            "GET / HTTP/1.1\r\nHost: x\r\nX-Ctl: a\u{01}b\r\n\r\n",
            "GET / HTTP/1.1\r\nHost: x\r\nX-Text: caf\u{e9}\r\n\r\n",
            "GET / HTTP/1.1\r\nHost: x\nX-Bare-LF: a\r\n\r\n",
            "GET / HTTP/1.1\r\nHost: x\r\nX-Bare-CR: a\rb\r\n\r\n",
            "GET /%zz HTTP/1.1\r\nHost: x\r\n\r\n",
            "GET /a#b HTTP/1.1\r\nHost: x\r\n\r\n",
            "GET /a\"b HTTP/1.1\r\nHost: x\r\n\r\n",
            "GET / HTTP/1.1\r\nHost: x\r\nX-Long: \(String(repeating: "a", count: 8200))\r\n\r\n",
        ]
    )
    func readerDeclines(_ text: String) {
        if case .declined = Self.read(text) {} else { Issue.record("not declined: \(text.prefix(80).debugDescription)") }
    }

    @Test("the reader waits for the rest of a head, up to its bound")
    func readerWaits() {
        let head = "GET / HTTP/1.1\r\nHost: x\r\n\r\n"
        for end in [1, 3, 4, 10, head.utf8.count - 1] {
            let part = String(head.utf8.prefix(end))!
            if case .incomplete = Self.read(part) {} else { Issue.record("not incomplete at \(end)") }
        }
        if case .declined = Self.read("GET / HTTP/1.1\r\nX: \(String(repeating: "a", count: 8200))") {} else { Issue.record("not declined past the bound") }
        if case .declined = Self.read("POS") {} else { Issue.record("POST not declined at once") }
        // A bare LF will never be followed by the CRLF CRLF that ends a head here.
        if case .declined = Self.read("GET / HTTP/1.1\nHost: x\n") {} else { Issue.record("bare LF not declined at once") }
        if case .declined = Self.read("\nGET / HTTP/1.1\r\n") {} else { Issue.record("leading LF not declined at once") }
    }
}
