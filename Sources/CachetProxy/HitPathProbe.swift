import CachetStorage
import HTTPCachePolicy
import HTTPPreconditions
import HTTPTypes
import NIOCore
import NIOHTTP1

/// The proxy's hit path without sockets, for the micro benchmarks: from a request and a
/// stored response to the NIO response head that the HTTP/1 encoder writes, through the same
/// code a fresh hit runs (`RequestFlow.answerFromMemory` less the store lookup).
@_spi(Benchmarks)
public struct HitPathProbe: Sendable {
    private let headers: DeliveryHeaders
    private let store: MemoryStore

    /// A probe holding `response` with `body` as stored for `request` at `now`.
    public init(request: HTTPRequest, response: HTTPResponse, body: ByteBuffer, now: HTTPDate) {
        let clock = ManualClock(now)
        self.headers = DeliveryHeaders(cacheName: "cachet", dates: DateFieldCache(clock: clock))
        let policy = CachePolicy(request: request, response: response, requestTime: now, responseTime: now)
        self.store = MemoryStore(limit: 64 << 20)
        store.insert(StoredResponse(key: CacheKey(request: request)!, policy: policy, body: body))
    }

    /// Looks the request up, checks freshness and builds the response head a fresh hit
    /// sends (`nil` when it is not a fresh hit).
    public func respond(to request: HTTPRequest, now: HTTPDate) -> HTTPResponseHead? {
        guard let key = RequestFlow.key(for: request),
            let delivery = RequestFlow.freshHit(request, key: key, store: store, headers: headers, now: now)
        else { return nil }
        return ChannelResponseWriter.nioHead(delivery.head, version: .http1_1, close: false)
    }
}
