import CachetStorage
import HTTPCachePolicy
import HTTPPreconditions
import HTTPTypes
import NIOCore

/// Builds what the client receives: a stored response turned into a 200, 206, 304 or 416 for
/// this request, or an origin response passed on, each with `Age`, `Via`, `Cache-Status`
/// and `X-Cache`.
struct DeliveryHeaders: Sendable {
    let cacheName: String
    let dates: DateFieldCache
    /// This cache's `Via` member (RFC 9110 §7.6.3).
    let via: String
    private let xCache = HTTPField.Name("X-Cache")!
    /// `Cache-Status: <this cache>;hit;ttl=`, the start of a fresh hit's member (RFC 9211).
    private let hitStatusPrefix: String

    init(cacheName: String, dates: DateFieldCache) {
        self.cacheName = cacheName
        self.dates = dates
        self.via = "1.1 \(cacheName)"
        var hit = CacheStatus(cacheName: cacheName)
        hit.hit = true
        self.hitStatusPrefix = "\(CacheStatus.fieldName.rawName): \(hit.fieldValue);ttl="
    }

    /// A stored response with its prepared heads: what ``deliver(_:to:now:status:)`` gives a
    /// plain GET as a hit, and a GET whose `If-None-Match: *` it answers 304, less `Age` and
    /// `Cache-Status`, serialised for HTTP/1.1 keep-alive.
    func entry(key: CacheKey, policy: CachePolicy, body: ByteBuffer) -> StoredResponse {
        let plain = StoredResponse(key: key, policy: policy, body: body)
        let responseTime = policy.ageCalculation.responseTime
        // The fast path answers fresh entries alone (RFC 9111 §4.2), and age only grows: a
        // response stale from the start (max-age=0, revalidated on every request, or as old
        // as its lifetime when it arrived) would never use its heads.
        guard policy.isFresh(now: responseTime) else { return plain }
        func prepare(_ request: HTTPRequest) -> (status: Int, head: ByteBuffer) {
            var head = deliver(plain, to: request, now: responseTime, status: .hit).head
            head.headerFields[.age] = nil
            head.headerFields[CacheStatus.fieldName] = nil
            let bytes = ResponseEncoding.completeHead(
                head, bodyLength: body.readableBytes, version: .http1_1, close: false, allocator: Self.allocator, ends: false
            )
            return (head.status.code, bytes)
        }
        var get = HTTPRequest(method: .get, scheme: "http", authority: nil, path: "/")
        let full = prepare(get)
        get.headerFields[.ifNoneMatch] = "*"
        let conditional = prepare(get)
        let heads = PreparedHeads(full: full.head, notModified: conditional.status == 304 ? conditional.head : nil)
        return plain.with(prepared: heads)
    }

    static let allocator = ByteBufferAllocator()

    /// The bytes of a fresh hit's head from the entry's prepared head: the prepared fields,
    /// then `Age` and `Cache-Status` for `now` (RFC 9111 §5.1, RFC 9211).
    func hitHead(_ prepared: ByteBuffer, policy: CachePolicy, now: HTTPDate, allocator: ByteBufferAllocator) -> ByteBuffer {
        let current = policy.age(now: now)
        // Age is a delta-seconds value, capped at 2^31 (RFC 9111 §1.2.2, §5.1).
        let age = min(max(current, 0), 2_147_483_648)
        var head = allocator.buffer(capacity: prepared.readableBytes + hitStatusPrefix.utf8.count + 48)
        head.writeImmutableBuffer(prepared)
        head.writeStaticString("Age: ")
        head.writeDecimal(age)
        head.writeStaticString("\r\n")
        head.writeString(hitStatusPrefix)
        head.writeDecimal(policy.freshnessLifetime - current)
        head.writeStaticString("\r\n\r\n")
        return head
    }

    /// The response to `request` from a stored response at `now` (RFC 9111 §4, §4.3.2):
    /// a 304 when the client's own conditions say so, a 206 or 416 for a range request the
    /// stored complete response can answer (RFC 9111 §3.4, RFC 9110 §14), else a 200.
    func deliver(_ stored: StoredResponse, to request: HTTPRequest, now: HTTPDate, status: CacheStatusValue) -> Delivery {
        let policy = stored.policy
        let cached = policy.cachedResponse(for: request, now: now, validated: status == .revalidated)
        var head = cached.head
        var body: ByteBuffer? = cached.includesContent ? stored.body : nil
        if cached.range == .apply, let ranges = ByteRangeSet(request.headerFields) {
            (head, body) = Self.ranged(head, body: stored.body, ranges: ranges)
        }
        if head.status.code != 304 && head.status.code != 204 && !head.headerFields.contains(.contentLength) {
            head.headerFields[.contentLength] = String(stored.body.readableBytes)
        }
        let ttl = policy.freshnessLifetime - policy.age(now: now)
        decorate(&head, status: status, ttl: ttl, forwardStatus: policy.response.status.code)
        // A 304 stands in for the stored body (RFC 9110 §15.4.5): that is what it saved.
        let replaced = head.status.code == 304 ? stored.body.readableBytes : 0
        return Delivery(head: head, body: body, outcome: RequestOutcome(status), replaced: replaced)
    }

    /// An origin response passed on without storing: hop-by-hop fields stripped.
    func forwarded(_ response: HTTPResponse, status: CacheStatusValue) -> HTTPResponse {
        var head = response
        head.headerFields = StoredFields.forDelivery(response.headerFields, age: 0)
        // Age belongs to responses that come from a cache (RFC 9111 §5.1): keep the
        // origin's own only when it is valid, add none otherwise.
        head.headerFields[.age] = AgeCalculation.ageValue(of: response.headerFields).map { String($0) }
        if !head.headerFields.contains(.date) { head.headerFields[.date] = dates.current().1 }
        decorate(&head, status: status, ttl: nil, forwardStatus: response.status.code)
        return head
    }

    /// An error the proxy answers itself.
    func error(_ error: ProxyError, forward: CacheStatusValue.ForwardReason?) -> HTTPResponse {
        var head = error.response()
        head.headerFields[.date] = dates.current().1
        head.headerFields[.via] = via
        CacheStatus(cacheName: cacheName, forward: forward, detail: error.detail).append(to: &head.headerFields)
        head.headerFields[xCache] = "MISS"
        return head
    }

    private func decorate(_ head: inout HTTPResponse, status: CacheStatusValue, ttl: Int64?, forwardStatus: Int?) {
        if let existing = head.headerFields[.via] {
            head.headerFields[.via] = existing + ", " + via
        } else {
            head.headerFields[.via] = via
        }
        status.cacheStatus(cacheName: cacheName, ttl: ttl, forwardStatus: forwardStatus).append(to: &head.headerFields)
        head.headerFields[xCache] = status.isHit ? "HIT" : "MISS"
    }

    /// A 206, a multipart 206, a 416, or the 200 unchanged, for `ranges` of a complete body.
    static func ranged(_ head: HTTPResponse, body: ByteBuffer, ranges: ByteRangeSet) -> (HTTPResponse, ByteBuffer?) {
        let length = Int64(body.readableBytes)
        switch ranges.resolve(completeLength: length) {
        case .full:
            return (head, body)
        case .unsatisfiable:
            var response = HTTPResponse.rangeNotSatisfiable(completeLength: length)
            for field in head.headerFields where field.name == .date || field.name == .eTag || field.name == .age {
                response.headerFields.append(field)
            }
            return (response, ByteBuffer())
        case .partial(let parts) where parts.count == 1:
            let range = parts[0]
            let slice = body.getSlice(at: body.readerIndex + Int(range.lowerBound), length: range.count)
            return (head.partialContent(range, completeLength: length), slice)
        case .partial(let parts):
            let multipart = MultipartByteRanges(ranges: parts, completeLength: length, contentType: head.headerFields[.contentType])
            let bytes = body.getBytes(at: body.readerIndex, length: body.readableBytes) ?? []
            return (head.partialContent(multipart), ByteBuffer(bytes: multipart.body(from: bytes)))
        }
    }
}

extension ByteBuffer {
    /// Writes `value` in decimal ASCII, without going through a `String`.
    mutating func writeDecimal(_ value: Int64) {
        if value < 0 {
            writeInteger(UInt8(ascii: "-"))
            writeDecimal(UInt64(value.magnitude))
        } else {
            writeDecimal(UInt64(value))
        }
    }

    mutating func writeDecimal(_ value: UInt64) {
        var divisor: UInt64 = 1
        while value / divisor >= 10 { divisor *= 10 }
        var rest = value
        while divisor > 0 {
            writeInteger(UInt8(truncatingIfNeeded: 48 + rest / divisor))
            rest %= divisor
            divisor /= 10
        }
    }
}

extension ProxyError {
    /// A short reason for `Cache-Status`'s detail parameter (a quoted sf-string).
    var detail: String {
        switch self {
        case .badRequest: return "invalid request"
        case .headerSectionTooLarge: return "header section too large"
        case .contentTooLarge: return "content too large"
        case .uriTooLong: return "target too long"
        case .versionNotSupported: return "version not supported"
        case .unknownHost: return "no origin for host"
        case .badGateway: return "origin unreachable"
        case .gatewayTimeout: return "origin timeout"
        case .notCached: return "only-if-cached"
        case .purgeForbidden: return "purge forbidden"
        case .requestTimeout: return "request timeout"
        }
    }

    /// The error a failed origin exchange is answered with.
    init(_ error: any Error) {
        switch error as? OriginFailure {
        case .timedOut(let why): self = .gatewayTimeout(why)
        case .unreachable(let why), .truncated(let why): self = .badGateway(why)
        case nil: self = .badGateway(String(describing: error))
        }
    }
}

extension ChannelResponseWriter {
    func write(_ delivery: Delivery) async {
        await write(delivery.head, body: delivery.body, outcome: delivery.outcome, replaced: delivery.replaced)
    }

    func writeError(_ error: ProxyError, headers: DeliveryHeaders, forward: CacheStatusValue.ForwardReason? = nil) async {
        await write(headers.error(error, forward: forward), body: error.body, outcome: .error)
    }
}
