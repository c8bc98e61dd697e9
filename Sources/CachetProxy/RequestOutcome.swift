/// How a request was answered, as the metrics and the access log count it: the one place
/// where a ``CacheStatusValue`` (what `Cache-Status` says, RFC 9211) becomes an outcome.
public enum RequestOutcome: String, Sendable, Hashable, CaseIterable {
    /// A fresh stored response answered (from memory or disk).
    case hit
    /// The origin was asked for a response the cache did not have (or a waiter collapsed
    /// onto such a fetch).
    case miss
    /// A stale stored response answered (stale-while-revalidate, max-stale, stale-if-error).
    case stale
    /// A stale stored response answered after the origin confirmed it with 304.
    case revalidatedNotModified = "revalidated-304"
    /// A stale stored response was replaced by the origin's new one.
    case revalidatedModified = "revalidated-200"
    /// The request was not the cache's to answer: forwarded as it is (unsafe methods,
    /// requests the cache bypasses).
    case pass
    /// The proxy answered with an error of its own (4xx for bad requests and refused
    /// purges, 502/504).
    case error
    /// An allowed `PURGE`, answered by the cache itself.
    case purge

    init(_ status: CacheStatusValue) {
        switch status {
        case .hit, .diskHit, .sharedHit: self = .hit
        case .staleHit: self = .stale
        case .revalidated: self = .revalidatedNotModified
        case .collapsed: self = .miss
        case .forwarded(let reason, _, _):
            switch reason {
            case .stale: self = .revalidatedModified
            case .bypass, .method: self = .pass
            case .uriMiss, .varyMiss, .miss, .request, .partial: self = .miss
            }
        }
    }

    /// Whether the content the client got came from the cache's store (the hit ratio's
    /// numerator).
    public var isServedFromStore: Bool {
        switch self {
        case .hit, .stale, .revalidatedNotModified: return true
        case .miss, .revalidatedModified, .pass, .error, .purge: return false
        }
    }

    /// Whether the request was the cache's to answer (the hit ratio's denominator).
    public var isCacheable: Bool {
        switch self {
        case .pass, .error, .purge: return false
        default: return true
        }
    }
}
