import HTTPCachePolicy

/// How the proxy handled a request, as `Cache-Status` (RFC 9211) and `X-Cache` say it.
enum CacheStatusValue: Sendable, Hashable {
    typealias ForwardReason = CacheStatus.ForwardReason

    /// A fresh stored response answered.
    case hit
    /// A fresh response stored on disk answered (memory did not hold it).
    case diskHit
    /// A fresh response from the tier the nodes share answered (this node's own tiers did
    /// not hold it).
    case sharedHit
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
        case .hit, .diskHit, .sharedHit, .staleHit, .revalidated, .collapsed: return true
        case .forwarded: return false
        }
    }

    /// Why the request went forward to the origin, if it did.
    var forwardReason: ForwardReason? {
        switch self {
        case .hit, .diskHit, .sharedHit, .staleHit: return nil
        case .revalidated: return .stale
        case .collapsed: return .uriMiss
        case .forwarded(let reason, _, _): return reason
        }
    }

    /// The `Cache-Status` member for this cache (RFC 9211).
    func cacheStatus(cacheName: String, ttl: Int64?, forwardStatus: Int?) -> CacheStatus {
        var status = CacheStatus(cacheName: cacheName, ttl: ttl)
        switch self {
        case .hit:
            status.hit = true
        case .diskHit:
            status.hit = true
            status.detail = "disk"
        case .sharedHit:
            status.hit = true
            status.detail = "shared"
        case .staleHit(.staleIfError):
            status.forward = .stale
            status.forwardStatus = forwardStatus
            status.detail = "stale-if-error"
        case .staleHit(let use):
            status.hit = true
            status.detail = use == .maxStale ? "max-stale" : "stale-while-revalidate"
        case .revalidated:
            status.forward = .stale
            status.forwardStatus = 304
        case .collapsed:
            status.forward = .uriMiss
            status.collapsed = true
        case .forwarded(let reason, let stored, let collapsed):
            status.forward = reason
            status.forwardStatus = forwardStatus
            status.stored = stored
            status.collapsed = collapsed
        }
        return status
    }

    /// A fresh hit from `tier`.
    static func hit(from tier: RequestFlow.Tier) -> CacheStatusValue {
        switch tier {
        case .memory: .hit
        case .disk: .diskHit
        case .shared: .sharedHit
        }
    }
}
