import HTTPPreconditions
import HTTPTypes

/// What a cache may do with a stored response for a new request (RFC 9111 §4).
public enum CacheEvaluation: Sendable, Hashable {
    /// The stored response is fresh and satisfies the request's directives: serve it
    /// (§4.2). This case carries nothing, so that a hit allocates nothing.
    case fresh
    /// The stored response is stale but may be served (§4.2.4). With
    /// ``StaleUse/staleWhileRevalidate`` the cache also sends `revalidation` in the
    /// background (RFC 5861 §3).
    case usableStale(StaleUse, revalidation: HTTPRequest?)
    /// The stored response may be used only after validation (§4.3): send `request` (a
    /// conditional request when the stored response has validators) and pass the answer to
    /// ``CachePolicy/revalidated(with:response:requestTime:responseTime:)``.
    case mustRevalidate(HTTPRequest, reason: RevalidationReason)
    /// The stored response cannot answer this request at all (§4.1): forward it.
    case mismatch(MismatchReason)
    /// The request has `only-if-cached` and the stored response cannot satisfy it without
    /// contacting the origin: answer 504 Gateway Timeout (§5.2.1.7).
    case onlyIfCachedUnsatisfied
}

/// Why a stale response may be served (RFC 9111 §4.2.4, RFC 5861).
public enum StaleUse: Sendable, Hashable, Codable {
    /// The request's `max-stale` accepts this staleness (§5.2.1.2).
    case maxStale
    /// The response's `stale-while-revalidate` window covers it (RFC 5861 §3).
    case staleWhileRevalidate
    /// Revalidation met an error and `stale-if-error` covers it (RFC 5861 §4).
    case staleIfError
}

/// Why a stored response must be validated before use.
public enum RevalidationReason: Sendable, Hashable, Codable {
    /// It is stale and nothing allows serving it stale (§4.2.4).
    case stale
    /// The response has an unqualified `no-cache` (§5.2.2.4).
    case responseNoCache
    /// The request has `no-cache` or `Pragma: no-cache` (§5.2.1.4, §5.4).
    case requestNoCache
    /// It is older than the request's `max-age` (§5.2.1.1).
    case requestMaxAge
    /// It will not stay fresh for the request's `min-fresh` (§5.2.1.3).
    case requestMinFresh
}

/// Why a stored response does not match a request (RFC 9111 §4.1).
public enum MismatchReason: Sendable, Hashable, Codable {
    /// The request's method is not the stored one (a HEAD may use a stored GET).
    case method
    /// A field named by the stored response's `Vary` differs.
    case vary
    /// The stored response has `Vary: *`.
    case varyAll
}

extension CachePolicy {
    /// Decides how the stored response may answer `request` at `now` (RFC 9111 §4, §4.2.4,
    /// §5.2.1; RFC 5861).
    ///
    /// The caller has found this policy under the request's ``CacheKey``; this checks the
    /// method, the secondary key, freshness and the request's directives. A fresh hit
    /// allocates nothing.
    ///
    /// Request `max-age` bounds the age (a response older than it is not used, whatever
    /// `max-stale` says); `min-fresh` asks for remaining freshness, which a stale response
    /// never has; `max-stale` and the response's `stale-while-revalidate` allow a stale
    /// response only where §4.2.4 does (never with `must-revalidate`, `no-cache`, or in a
    /// shared cache `proxy-revalidate` or `s-maxage`). A request's `no-store` does not
    /// prevent using a stored response (§5.2.1.5 forbids storing only).
    public func evaluate(request: HTTPRequest, now: HTTPDate) -> CacheEvaluation {
        let method = request.method
        if method.rawValue != requestMethod && !(method == .head && requestMethod == "GET") {
            return .mismatch(.method)
        }
        if varyKey.varyAll { return .mismatch(.varyAll) }
        if !varyKey.matches(request.headerFields) { return .mismatch(.vary) }

        let requested = CacheControl(requestFields: request.headerFields)
        let currentAge = age(now: now)
        let lifetime = freshness.lifetime
        let reason: RevalidationReason
        if directives.noCache {
            reason = .responseNoCache
        } else if requested.noCache && !options.ignoresClientNoCache {
            reason = .requestNoCache
        } else if let maxAge = requested.maxAge, currentAge > maxAge {
            reason = .requestMaxAge
        } else if lifetime > currentAge {
            if let minFresh = requested.minFresh, lifetime - currentAge < minFresh {
                reason = .requestMinFresh
            } else {
                return .fresh
            }
        } else {
            let staleness = currentAge - lifetime
            if !forbidsStale && requested.minFresh == nil {
                if let maxStale = requested.maxStale, maxStale.accepts(staleness: staleness) {
                    return .usableStale(.maxStale, revalidation: nil)
                }
                if let window = directives.staleWhileRevalidate, staleness <= window, !requested.onlyIfCached {
                    return .usableStale(.staleWhileRevalidate, revalidation: revalidationRequest(for: request))
                }
            }
            reason = .stale
        }
        if requested.onlyIfCached { return .onlyIfCachedUnsatisfied }
        return .mustRevalidate(revalidationRequest(for: request), reason: reason)
    }

    /// Whether the stored response may be served at `now` because revalidation met an error:
    /// the origin could not be reached, or answered 500, 502, 503 or 504 (RFC 5861 §4).
    ///
    /// A fresh response may always be served. A stale one may be served within the
    /// response's or the request's `stale-if-error` window, or within the request's
    /// `max-stale`, unless the response forbids serving it stale (§4.2.4). Where the origin
    /// sent both `stale-if-error` and `must-revalidate`, the more restrictive wins (§4.2.1).
    public func allowsStaleIfError(request: HTTPRequest, now: HTTPDate) -> Bool {
        let staleness = age(now: now) - freshness.lifetime
        if staleness < 0 { return true }
        guard !forbidsStale else { return false }
        let requested = CacheControl(requestFields: request.headerFields)
        if let window = directives.staleIfError, staleness <= window { return true }
        if let window = requested.staleIfError, staleness <= window { return true }
        if let maxStale = requested.maxStale, maxStale.accepts(staleness: staleness) { return true }
        return false
    }
}
