import AsyncHTTPClient
import CachetProxy
import HTTPPreconditions
import HTTPTypes
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOPosix

/// An origin whose answers the test scripts, counting what it receives.
final class ScriptedOrigin: Sendable {
    typealias Route = @Sendable (HTTPRequest, Int) async -> SimpleOriginServer.Reply

    private let state = NIOLockedValueBox<(routes: [String: Route], requests: [HTTPRequest])>(([:], []))
    let clock: ManualClock
    let server: SimpleOriginServer
    private let boundPort = NIOLockedValueBox(0)
    var port: Int { boundPort.withLockedValue { $0 } }

    init(clock: ManualClock) {
        self.clock = clock
        let state = self.state
        self.server = SimpleOriginServer { request, _ in
            let path = request.path ?? "/"
            let (route, count) = state.withLockedValue { state -> (Route?, Int) in
                state.requests.append(request)
                return (state.routes[path], state.requests.filter { $0.path == path }.count)
            }
            guard let route else {
                return .init(head: HTTPResponse(status: .notFound), body: ByteBuffer(string: "no route"))
            }
            return await route(request, count)
        }
    }

    func start() async throws {
        let port = try await server.start()
        boundPort.withLockedValue { $0 = port }
    }

    /// Answers `path` with `route`; the second argument is how many requests for the path
    /// the origin has received, this one included.
    func route(_ path: String, _ route: @escaping Route) {
        state.withLockedValue { $0.routes[path] = route }
    }

    /// Requests received for `path`.
    func requests(_ path: String) -> [HTTPRequest] {
        state.withLockedValue { $0.requests.filter { $0.path == path } }
    }

    func count(_ path: String) -> Int { requests(path).count }

    /// A 200 with the given fields and body, dated by the test clock.
    func ok(_ body: String, _ fields: [(HTTPField.Name, String)]) -> SimpleOriginServer.Reply {
        var head = HTTPResponse(status: .ok)
        head.headerFields[.date] = clock.now().imfFixdate
        for (name, value) in fields { head.headerFields.append(HTTPField(name: name, value: value)) }
        return .init(head: head, body: ByteBuffer(string: body))
    }

    func reply(_ status: HTTPResponse.Status, _ fields: [(HTTPField.Name, String)], body: String = "") -> SimpleOriginServer.Reply {
        var head = HTTPResponse(status: status)
        head.headerFields[.date] = clock.now().imfFixdate
        for (name, value) in fields { head.headerFields.append(HTTPField(name: name, value: value)) }
        return .init(head: head, body: ByteBuffer(string: body))
    }
}

/// What a test client received.
struct Received: Sendable {
    var status: Int
    var headers: HTTPHeaders
    var body: String

    subscript(_ name: String) -> String? { headers.first(name: name) }
}

/// A proxy in front of a scripted origin, both on 127.0.0.1 ephemeral ports, driven by a
/// manual clock.
final class ProxyHarness: Sendable {
    static let start = HTTPDate(secondsSince1970: 1_795_000_000)

    let clock: ManualClock
    let origin: ScriptedOrigin
    let proxy: ProxyServer
    let port: Int
    let client: HTTPClient

    private init(clock: ManualClock, origin: ScriptedOrigin, proxy: ProxyServer, port: Int) {
        self.clock = clock
        self.origin = origin
        self.proxy = proxy
        self.port = port
        var pool = HTTPClient.Configuration.ConnectionPool(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: 64)
        pool.retryConnectionEstablishment = false
        var configuration = HTTPClient.Configuration(redirectConfiguration: .disallow, connectionPool: pool, decompression: .disabled)
        configuration.httpVersion = .http1Only
        self.client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }

    /// A proxy in front of a new origin, or of `sharing`'s origin and clock on its port (a
    /// restarted proxy), or of `joining`'s origin and clock on a port of its own (another
    /// node of a fleet).
    /// Its admin listener is on an ephemeral port; its access log is quiet unless the test
    /// passes a logger.
    static func make(
        sharing other: ProxyHarness? = nil, joining fleet: ProxyHarness? = nil, logger: Logger? = nil, accessLogger: Logger? = nil,
        _ configure: (inout ProxyConfiguration) -> Void = { _ in }
    ) async throws -> ProxyHarness {
        let base = other ?? fleet
        let clock = base?.clock ?? ManualClock(ProxyHarness.start)
        let origin = base?.origin ?? ScriptedOrigin(clock: clock)
        if base == nil { try await origin.start() }
        var configuration = ProxyConfiguration(listenHost: "127.0.0.1", listenPort: 0)
        configuration.defaultOrigin = OriginAddress("http://127.0.0.1:\(origin.port)")
        configuration.threads = 2
        configuration.admin = ListenAddress(host: "127.0.0.1", port: 0)
        // A restarted proxy listens where the first one did: the Host, and so the cache keys, stay the same.
        if let other { configuration.listenPort = other.port }
        configure(&configuration)
        var quiet = Logger(label: "cachet.access")
        quiet.logLevel = .notice
        let proxy = ProxyServer(
            configuration: configuration, clock: clock, logger: logger ?? Logger(label: "cachet.proxy"), accessLogger: accessLogger ?? quiet
        )
        let address = try await proxy.start()
        return ProxyHarness(clock: clock, origin: origin, proxy: proxy, port: address.port!)
    }

    var now: HTTPDate { clock.now() }

    func advance(_ seconds: Int64) {
        clock.advance(seconds: seconds)
    }

    func request(_ method: HTTPMethod = .GET, _ path: String, _ headers: [(String, String)] = [], body: String? = nil) async throws -> Received {
        var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)\(path)")
        request.method = method
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let body { request.body = .bytes(ByteBuffer(string: body)) }
        let response = try await client.execute(request, timeout: .seconds(30))
        let bytes = try await response.body.collect(upTo: 64 << 20)
        return Received(status: Int(response.status.code), headers: response.headers, body: String(buffer: bytes))
    }

    func get(_ path: String, _ headers: [(String, String)] = []) async throws -> Received {
        try await request(.GET, path, headers)
    }

    func shutdown() async throws {
        try await shutdownProxy()
        try await origin.server.shutdown()
    }

    /// Shuts the proxy (and its client) down, leaving the origin running for another proxy.
    func shutdownProxy() async throws {
        try await client.shutdown()
        try await proxy.shutdown()
    }
}
