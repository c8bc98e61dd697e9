import AsyncHTTPClient
import NIOCore
import NIOHTTP1

/// Sends a `PURGE` to a running `cachet proxy` (the `cachet purge` command).
public enum PurgeClient {
    /// What the proxy answered.
    public struct Outcome: Sendable, Hashable {
        /// The response status: 200 when the purge ran, 403 when it was refused.
        public var status: Int
        /// The stored responses removed or marked (`Cachet-Purged`), on a 200.
        public var purged: Int?
        /// The proxy's plain-text answer.
        public var message: String
    }

    /// Purges `url` — or, with `surrogateKeys`, every response carrying one of them, through
    /// the proxy at `url`'s host and port. `soft` marks instead of removing; `token` is sent
    /// as a bearer token for a proxy that requires one.
    public static func purge(
        url: String, surrogateKeys: [String] = [], soft: Bool = false, token: String? = nil, timeout: TimeAmount = .seconds(10)
    ) async throws -> Outcome {
        var request = HTTPClientRequest(url: url)
        request.method = .RAW(value: "PURGE")
        if !surrogateKeys.isEmpty { request.headers.add(name: "Surrogate-Key", value: surrogateKeys.joined(separator: " ")) }
        if soft { request.headers.add(name: "Cachet-Soft-Purge", value: "1") }
        if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        let response = try await HTTPClient.shared.execute(request, timeout: timeout)
        let body = try await response.body.collect(upTo: 64 << 10)
        return Outcome(
            status: Int(response.status.code),
            purged: response.headers.first(name: "Cachet-Purged").flatMap { Int($0) },
            message: String(buffer: body)
        )
    }
}
