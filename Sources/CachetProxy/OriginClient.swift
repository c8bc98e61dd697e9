import AsyncHTTPClient
import HTTPTypes
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOPosix

/// How an exchange with the origin failed, which decides between 502 and 504 and whether
/// stale content may stand in (RFC 5861 §4).
public enum OriginFailure: Error, Sendable, Hashable {
    /// The connection was refused or reset, or the origin broke the protocol: 502.
    case unreachable(String)
    /// No connection, no response head or no body bytes in time: 504.
    case timedOut(String)
    /// The response body ended before its declared length, or the connection broke mid-body.
    case truncated(String)
}

/// Timeouts for talking to the origin.
public struct OriginTimeouts: Sendable, Hashable {
    /// Establishing a connection.
    public var connect: TimeAmount
    /// From sending the request to receiving the response head.
    public var firstByte: TimeAmount
    /// Between two reads of the response body.
    public var idle: TimeAmount

    public init(connect: TimeAmount = .seconds(5), firstByte: TimeAmount = .seconds(30), idle: TimeAmount = .seconds(30)) {
        self.connect = connect
        self.firstByte = firstByte
        self.idle = idle
    }
}

/// A response head from the origin, with its body still to be read.
struct OriginResponse: Sendable {
    var head: HTTPResponse
    var body: OriginResponseBody
    /// The declared body length, when the origin sent one.
    var declaredLength: Int?
}

/// The origin side of the proxy: pooled connections through AsyncHTTPClient, redirects left
/// to the client (a 304 with `Location` is not a redirect), no decompression (the cache
/// stores what the origin sent).
final class OriginClient: Sendable {
    private let client: HTTPClient
    private let eventLoopGroup: any EventLoopGroup
    /// Origin exchanges alive: 0 once every request has ended (the leak tests read it).
    let liveExchanges = NIOLockedValueBox(0)
    private let timeouts: OriginTimeouts
    /// The proxy's metrics: origin latency and body bytes are counted here, where every
    /// origin exchange passes; the request flow reaches them through its origin client.
    let metrics: ProxyMetrics

    init(timeouts: OriginTimeouts, eventLoopGroup: any EventLoopGroup, metrics: ProxyMetrics = ProxyMetrics()) {
        var pool = HTTPClient.Configuration.ConnectionPool(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: 64)
        // A refused connection fails the request at once, as nginx and Varnish do, so that
        // stale-if-error or a 502 answers without waiting out the connect timeout.
        pool.retryConnectionEstablishment = false
        var configuration = HTTPClient.Configuration(
            redirectConfiguration: .disallow,
            timeout: .init(connect: timeouts.connect, read: timeouts.idle),
            connectionPool: pool,
            decompression: .disabled
        )
        configuration.httpVersion = .http1Only
        // No tracing spans: the proxy sets up no tracer, and the no-op one still costs each
        // origin request a span.
        configuration.tracing.tracer = nil
        self.client = HTTPClient(eventLoopGroupProvider: .shared(eventLoopGroup), configuration: configuration)
        self.eventLoopGroup = eventLoopGroup
        self.timeouts = timeouts
        self.metrics = metrics
    }

    func shutdown() async throws {
        try await client.shutdown()
    }

    /// Sends `request` to `origin` and returns once the response head has arrived.
    func send(_ request: HTTPRequest, body: ByteBuffer?, to origin: OriginAddress) async throws(OriginFailure) -> OriginResponse {
        var headers = HTTPHeaders()
        headers.reserveCapacity(request.headerFields.count + 1)
        for field in request.headerFields {
            headers.add(name: field.name.rawName, value: field.value)
        }
        if let authority = request.authority, !request.headerFields.contains(FieldNames.host) {
            headers.add(name: "Host", value: authority)
        }
        let outbound: HTTPClient.Request
        do {
            outbound = try HTTPClient.Request(
                url: origin.baseURL + (request.path ?? "/"), method: HTTPMethod(rawValue: request.method.rawValue), headers: headers,
                body: body.flatMap { $0.readableBytes > 0 ? .byteBuffer($0) : nil }
            )
        } catch {
            throw Self.classify(error)
        }
        // `any()` is the request's own loop when it runs on one of the group's
        // (EventLoopTaskExecutor), else another of them (AsyncHTTPClient accepts no other):
        // the exchange's callbacks and, where the pool has one there, its connection stay on
        // this thread.
        let eventLoop = eventLoopGroup.any()
        let exchange = OriginExchange(eventLoop: eventLoop, live: liveExchanges)
        do {
            let sent = ContinuousClock.now
            let task = client.execute(request: outbound, delegate: exchange, eventLoop: .delegate(on: eventLoop), logger: nil)
            exchange.started(task)
            // The first-byte timeout covers the head alone: a long body is the idle timeout's.
            let firstByte = timeouts.firstByte
            let timer = eventLoop.scheduleTask(in: firstByte) {
                exchange.failUnlessHeadReceived(.timedOut("no response head within \(firstByte)"))
            }
            defer { timer.cancel() }
            let received = try await withTaskCancellationHandler {
                try await exchange.head.futureResult.get()
            } onCancel: {
                exchange.abandon()
            }
            metrics.originResponded(after: ContinuousClock.now - sent)
            var fields = HTTPFields()
            fields.reserveCapacity(received.headers.count)
            for (name, value) in received.headers {
                guard let fieldName = HTTPField.Name(name) else { continue }
                fields.append(HTTPField(name: fieldName, value: value))
            }
            var head = HTTPResponse(status: .init(code: Int(received.status.code), reasonPhrase: received.status.reasonPhrase))
            head.headerFields = fields
            let declared = received.headers.first(name: "content-length").flatMap { Int($0) }
            let body = OriginResponseBody(reader: OriginExchangeReader(exchange), metrics: metrics)
            return OriginResponse(head: head, body: body, declaredLength: declared)
        } catch {
            exchange.abandon()
            throw Self.classify(error)
        }
    }

    static func classify(_ error: any Error) -> OriginFailure {
        if let failure = error as? OriginFailure { return failure }
        if let error = error as? HTTPClientError {
            switch error {
            case .deadlineExceeded, .readTimeout, .connectTimeout, .getConnectionFromPoolTimeout, .writeTimeout:
                return .timedOut(String(describing: error))
            case .remoteConnectionClosed:
                return .truncated(String(describing: error))
            default:
                return .unreachable(String(describing: error))
            }
        }
        if error is NIOHTTP1.HTTPParserError {
            return .truncated(String(describing: error))
        }
        return .unreachable(String(describing: error))
    }
}

/// Where an origin lives: `http://host:port`.
public struct OriginAddress: Sendable, Hashable {
    /// `http://127.0.0.1:9000`, without a trailing slash.
    public var baseURL: String

    /// Parses `http://host:port` (only plain HTTP to the origin for now).
    public init?(_ url: String) {
        var trimmed = url
        while trimmed.hasSuffix("/") { trimmed.removeLast() }
        guard trimmed.hasPrefix("http://") || trimmed.hasPrefix("https://"),
            trimmed.split(separator: "/").count == 2
        else { return nil }
        self.baseURL = trimmed
    }
}
