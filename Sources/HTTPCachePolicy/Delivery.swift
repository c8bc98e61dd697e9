import HTTPPreconditions
import HTTPTypes

/// A response a cache sends from storage: its head, whether the stored content follows, and
/// what to do with the request's `Range`.
public struct CachedResponse: Sendable, Hashable {
    /// The response head to send.
    public var head: HTTPResponse
    /// Whether the stored content follows the head: not for a 304, a 412 or a HEAD request.
    public var includesContent: Bool
    /// What to do with the request's `Range` field (RFC 9110 §14.2), when content follows.
    public var range: RangeDisposition

    /// Creates a cached response.
    public init(head: HTTPResponse, includesContent: Bool, range: RangeDisposition) {
        self.head = head
        self.includesContent = includesContent
        self.range = range
    }
}

extension CachePolicy {
    /// The stored response head as a cache sends it (RFC 9111 §4, §5.1): `Age` set to the
    /// current age in whole seconds (at most 2^31), connection-specific fields and 1xx
    /// `Warning`s removed, no `Warning` added (RFC 9111 obsoletes it), and unless the
    /// response was validated for this request, the fields named by `no-cache="…"` withheld
    /// (§5.2.2.4).
    public func responseHead(now: HTTPDate, validated: Bool = false) -> HTTPResponse {
        var head = response
        let withheld = validated ? [] : directives.noCacheFieldNames
        if withheld.isEmpty {
            // The stored fields were cleaned when stored (§3.1, StoredFields.forStorage): on
            // the hot path only Age changes.
            head.headerFields[.age] = String(DeltaSeconds.clamp(age(now: now)))
            return head
        }
        head.headerFields = StoredFields.forDelivery(response.headerFields, age: age(now: now), withholding: withheld)
        return head
    }

    /// The validators a cache evaluates a client's conditional request against (RFC 9111
    /// §4.3.2): the stored entity tag, and for `If-Modified-Since` the stored
    /// `Last-Modified`, else its `Date` (which every stored response has: the response time
    /// when the origin sent none). `Last-Modified` is strong, for `If-Range`, when it lies
    /// 60 seconds or more before `Date` (RFC 9110 §8.8.2.2).
    public var validators: RepresentationValidators {
        let modified = lastModified ?? date
        return RepresentationValidators(
            etag: etag,
            lastModified: modified,
            exists: true,
            lastModifiedIsStrong: lastModified.map { date.seconds(since: $0) >= 60 } ?? false
        )
    }

    /// The response a cache sends for `request` from storage (RFC 9111 §4.3.2): the stored
    /// response, or a 304 when the client's own conditional request says its copy is current.
    ///
    /// Preconditions are evaluated by ``HTTPPreconditions`` with `role: .cache`, so
    /// `If-Match` and `If-Unmodified-Since` are left for the origin, `If-None-Match` uses the
    /// weak comparison and excludes `If-Modified-Since`, and a request with no conditional
    /// fields is never answered 304. The 304 carries the stored 200's Cache-Control,
    /// Content-Location, Date, ETag, Expires and Vary (and Last-Modified without ETag), plus
    /// `Age` (RFC 9110 §15.4.5).
    public func cachedResponse(for request: HTTPRequest, now: HTTPDate, validated: Bool = false) -> CachedResponse {
        let head = responseHead(now: now, validated: validated)
        let outcome = request.evaluatePreconditions(
            for: validators, now: now, role: .cache, unconditionalStatus: response.status
        )
        switch outcome {
        case .proceed(let range):
            return CachedResponse(head: head, includesContent: request.method != .head, range: range)
        case .notModified:
            var notModified = head.notModified()
            notModified.headerFields[.age] = head.headerFields[.age]
            return CachedResponse(head: notModified, includesContent: false, range: .notRequested)
        case .preconditionFailed:
            return CachedResponse(head: head.preconditionFailed(), includesContent: false, range: .notRequested)
        }
    }
}
