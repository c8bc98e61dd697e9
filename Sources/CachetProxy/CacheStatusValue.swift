import HTTPCachePolicy

/// How the proxy handled a request, as `Cache-Status` (RFC 9211) and `X-Cache` say it.
enum CacheStatusValue: Sendable, Hashable {
    /// Why a request went to the origin (RFC 9211 §2.2).
    enum ForwardReason: String, Sendable, Hashable {
        case uriMiss = "uri-miss"
        case varyMiss = "vary-miss"
        case stale
        case request
        case bypass
        case method
    }

    /// A fresh stored response answered.
    case hit
    /// A stale stored response answered, as `use` allowed.
    case staleHit(StaleUse)
    /// A stale stored response answered after the origin confirmed it with 304.
    case revalidated
    /// The request waited for another one's fetch and was answered from its result.
    case collapsed
    /// The response came from the origin.
    case forwarded(ForwardReason, stored: Bool, collapsed: Bool)

    /// Whether the content came from the cache (for `X-Cache`).
    var isHit: Bool {
        switch self {
        case .hit, .staleHit, .revalidated, .collapsed: return true
        case .forwarded: return false
        }
    }

    /// The `Cache-Status` member for this cache.
    func fieldValue(cacheName: String, ttl: Int64?, forwardStatus: Int?) -> String {
        var value = cacheName
        switch self {
        case .hit:
            value += "; hit"
        case .staleHit(.staleIfError):
            value += "; fwd=stale"
            if let forwardStatus { value += "; fwd-status=\(forwardStatus)" }
            value += "; detail=stale-if-error"
        case .staleHit(let use):
            value += "; hit; detail=" + (use == .maxStale ? "max-stale" : "stale-while-revalidate")
        case .revalidated:
            value += "; fwd=stale; fwd-status=304"
        case .collapsed:
            value += "; fwd=uri-miss; collapsed"
        case .forwarded(let reason, let stored, let collapsed):
            value += "; fwd=" + reason.rawValue
            if let forwardStatus { value += "; fwd-status=\(forwardStatus)" }
            if stored { value += "; stored" }
            if collapsed { value += "; collapsed" }
        }
        if let ttl { value += "; ttl=\(ttl)" }
        return value
    }
}
