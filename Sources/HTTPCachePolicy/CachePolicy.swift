import HTTPPreconditions
import HTTPTypes

/// Everything a cache needs to know about one stored response, decided once when the
/// response is received: whether it may be stored, how long it stays fresh, its age
/// arithmetic, its secondary key and its validators (RFC 9111).
///
/// A policy is a value: it does no I/O and reads no clock; every question that depends on
/// time takes `now`. It is `Codable`, to be stored next to the response body, and the
/// response head it holds is the stored one: without connection-specific fields, with a
/// `Date`.
///
/// The hot path of a cache is ``evaluate(request:now:)`` on a fresh hit; it parses the
/// request's `Cache-Control` and compares its `Vary` fields in place and allocates nothing.
public struct CachePolicy: Sendable, Codable {
    /// The options the policy was built with.
    public let options: CachePolicyOptions
    /// The method of the request that produced the stored response.
    public let requestMethod: String
    /// The stored response head, as RFC 9111 §3.1 stores it.
    public let response: HTTPResponse
    /// The response's effective directives for this cache: `Cache-Control`, or the targeted
    /// field that takes its place (RFC 9213).
    public let directives: CacheControl
    /// The field the effective directives came from.
    public let directivesSource: HTTPField.Name
    /// Whether the response may be stored, and why not.
    public let storability: Storability
    /// The freshness lifetime and its source (§4.2.1).
    public internal(set) var freshness: Freshness
    /// The age arithmetic of §4.2.3, its fixed part computed.
    public let ageCalculation: AgeCalculation
    /// The secondary key (§4.1).
    public let varyKey: VaryKey
    /// The stored response's entity tag, if it has a valid one.
    public let etag: EntityTag?
    /// The stored response's `Last-Modified`, if it has a valid one.
    public let lastModified: HTTPDate?
    /// `corrected_initial_age`, kept so that the hot path is one addition.
    let correctedInitialAge: Int64

    /// Builds the policy of a response to a request (RFC 9111 §3, §4.2).
    ///
    /// - Parameters:
    ///   - request: the request the cache sent (or forwarded) to obtain the response.
    ///   - response: the response head as received.
    ///   - requestTime: when the request was sent (`request_time`, §4.2.3).
    ///   - responseTime: when the response was received (`response_time`, §4.2.3).
    ///   - options: how the cache is configured.
    public init(
        request: HTTPRequest,
        response: HTTPResponse,
        requestTime: HTTPDate,
        responseTime: HTTPDate,
        options: CachePolicyOptions = .shared
    ) {
        self.init(
            requestMethod: request.method,
            requestFields: request.headerFields,
            response: response,
            requestTime: requestTime,
            responseTime: responseTime,
            options: options,
            varyKey: nil
        )
    }

    init(
        requestMethod: HTTPRequest.Method,
        requestFields: HTTPFields,
        response received: HTTPResponse,
        requestTime: HTTPDate,
        responseTime: HTTPDate,
        options: CachePolicyOptions,
        varyKey: VaryKey?
    ) {
        let (directives, source) = TargetedCacheControl.effectiveDirectives(
            of: received.headerFields, targets: options.cacheControlTargets
        )
        self.options = options
        self.requestMethod = requestMethod.rawValue
        self.directives = directives
        self.directivesSource = source
        self.storability = Storability.decide(
            requestMethod: requestMethod,
            requestFields: requestFields,
            status: received.status,
            responseFields: received.headerFields,
            directives: directives,
            requestDirectives: CacheControl(requestFields: requestFields),
            options: options
        )
        let age = AgeCalculation(responseFields: received.headerFields, requestTime: requestTime, responseTime: responseTime)
        self.ageCalculation = age
        self.correctedInitialAge = age.correctedInitialAge

        var stored = received
        stored.headerFields = StoredFields.forStorage(
            received.headerFields,
            privateFieldNames: options.isShared ? directives.privateFieldNames : []
        )
        // RFC 9110 §6.6.1: a recipient with a clock that stores a response without a valid
        // Date adds one, the time it received the response.
        if AgeCalculation.dateValue(of: stored.headerFields, now: responseTime) == nil {
            stored.headerFields[.date] = age.dateValue.imfFixdate
        }
        self.response = stored
        self.freshness = Freshness.compute(
            directives: directives,
            fields: received.headerFields,
            status: received.status,
            dateValue: age.dateValue,
            options: options
        )
        self.varyKey = varyKey ?? VaryKey(request: requestFields, response: received.headerFields)
        self.etag = received.headerFields[.eTag].flatMap { EntityTag($0) }
        self.lastModified = Freshness.lastModified(of: received.headerFields, now: responseTime)
    }

    /// Whether the response may be stored (§3).
    public var isStorable: Bool { storability.isStorable }

    /// The freshness lifetime in seconds (§4.2.1).
    public var freshnessLifetime: Int64 { freshness.lifetime }

    /// When the request that produced the stored response was sent.
    public var requestTime: HTTPDate { ageCalculation.requestTime }

    /// When the stored response was received.
    public var responseTime: HTTPDate { ageCalculation.responseTime }

    /// The stored response's `Date` (its response time when it had none).
    public var date: HTTPDate { ageCalculation.dateValue }

    /// `current_age` at `now` (§4.2.3), in seconds.
    public func age(now: HTTPDate) -> Int64 {
        DeltaSeconds.add(correctedInitialAge, DeltaSeconds.clamp(now.seconds(since: responseTime)))
    }

    /// Whether the response is fresh at `now`: `freshness_lifetime > current_age` (§4.2).
    public func isFresh(now: HTTPDate) -> Bool {
        freshness.lifetime > age(now: now)
    }

    /// Seconds of freshness left at `now`; negative once stale. This is `Cache-Status`'s
    /// `ttl` (RFC 9211 §2.4).
    public func timeToLive(now: HTTPDate) -> Int64 {
        freshness.lifetime - age(now: now)
    }

    /// Whether the response's directives forbid serving it stale (RFC 9111 §4.2.4):
    /// `must-revalidate`, `no-cache`, and in a shared cache `proxy-revalidate` and `s-maxage`
    /// (§5.2.2.8, §5.2.2.10).
    public var forbidsStale: Bool {
        directives.mustRevalidate || directives.noCache
            || (options.isShared && (directives.proxyRevalidate || directives.sharedMaxAge != nil))
    }
}
