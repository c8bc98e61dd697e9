import CachetStorage
import HTTPCachePolicy
import HTTPPreconditions
import HTTPTypes
import NIOCore

/// The proxy's hit path without sockets, for the micro benchmarks: from a request and a
/// stored response to the HTTP/1 response head bytes the proxy writes, through the same
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
        store.insert(headers.entry(key: CacheKey(request: request)!, policy: policy, body: body))
    }

    /// Looks the request up, checks freshness and serialises the response head a fresh hit
    /// sends (`nil` when it is not a fresh hit).
    public func respond(to request: HTTPRequest, now: HTTPDate) -> ByteBuffer? {
        guard let key = RequestFlow.key(for: request),
            let hit = RequestFlow.freshHit(request, key: key, adaptation: RequestFlow.adaptation(request), store: store, headers: headers, now: now, prepared: true)
        else { return nil }
        switch hit {
        case .prepared(let head, _, _, _):
            return head
        case .delivery(let delivery):
            return ResponseEncoding.completeHead(
                delivery.head, bodyLength: delivery.body?.readableBytes ?? 0, version: .http1_1, close: false, allocator: ByteBufferAllocator()
            )
        }
    }
}
