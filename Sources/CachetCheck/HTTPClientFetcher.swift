import AsyncHTTPClient
import HTTPPreconditions
import HTTPTypes
import NIOCore
import NIOHTTP1
import NIOSSL

/// The real fetcher: AsyncHTTPClient with redirects off (a 304 or a 3xx must be seen, not
/// followed; AsyncHTTPClient treats a 304 with `Location` as a redirect) and decompression
/// off (content codings are part of what is checked), reading at most `bodyLimit` bytes.
public final class HTTPClientFetcher: Fetcher {
    public let target: CheckTarget
    /// Fields added to every request (`--header`).
    public let extraFields: HTTPFields
    public let timeout: Duration
    public let bodyLimit: Int
    private let client: HTTPClient

    /// - Parameter tlsConfiguration: how HTTPS servers are verified (the system's trust
    ///   roots unless given).
    public init(
        target: CheckTarget, extraFields: HTTPFields = [:], timeout: Duration = .seconds(10), bodyLimit: Int = 8 << 20,
        tlsConfiguration: TLSConfiguration? = nil
    ) {
        self.target = target
        self.extraFields = extraFields
        self.timeout = timeout
        self.bodyLimit = bodyLimit
        var configuration = HTTPClient.Configuration(
            redirectConfiguration: .disallow,
            timeout: .init(connect: .init(timeout), read: .init(timeout)),
            decompression: .disabled
        )
        configuration.connectionPool.retryConnectionEstablishment = false
        configuration.httpVersion = .http1Only
        configuration.tlsConfiguration = tlsConfiguration
        self.client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }

    /// Closes the client's connections; call once when done.
    public func shutdown() async throws {
        try await client.shutdown()
    }

    public func fetch(_ probe: ProbeRequest) async throws -> FetchedResponse {
        var request = HTTPClientRequest(url: target.url)
        request.method = HTTPMethod(rawValue: probe.method.rawValue)
        for field in extraFields + probe.fields {
            request.headers.add(name: field.name.rawName, value: field.value)
        }
        if let body = probe.body { request.body = .bytes(ByteBuffer(bytes: body)) }
        let requestTime = WallClock.now()
        let response = try await client.execute(request, timeout: .init(timeout))
        var fields = HTTPFields()
        for (name, value) in response.headers {
            if let name = HTTPField.Name(name) { fields.append(HTTPField(name: name, value: value)) }
        }
        var body: [UInt8] = []
        var truncated = false
        for try await chunk in response.body {
            let room = bodyLimit - body.count
            if chunk.readableBytes > room {
                body += chunk.readableBytesView.prefix(room)
                truncated = true
                break
            }
            body += chunk.readableBytesView
        }
        return FetchedResponse(
            status: HTTPResponse.Status(code: Int(response.status.code), reasonPhrase: response.status.reasonPhrase),
            fields: fields, body: body, isTruncated: truncated,
            requestTime: requestTime, responseTime: WallClock.now()
        )
    }

    public func bytesAfterHeader(_ probe: ProbeRequest) async throws -> Int? {
        guard target.scheme == "http" else { return nil }
        var head = "\(probe.method.rawValue) \(target.pathAndQuery) HTTP/1.1\r\nHost: \(target.authority)\r\n"
        for field in extraFields + probe.fields where field.name != .connection && field.name.canonicalName != "host" {
            head += "\(field.name.rawName): \(field.value)\r\n"
        }
        head += "Connection: close\r\n\r\n"
        let bytes = try await RawExchange.send(
            Array(head.utf8), host: target.host, port: target.port, timeout: timeout, limit: 1 << 20
        )
        guard let end = RawExchange.endOfHeader(bytes) else { return nil }
        return bytes.count - end
    }
}
