import HTTPTypes

/// How a cache is configured: the choices RFC 9111 leaves to the cache or its operator.
public struct CachePolicyOptions: Sendable, Hashable, Codable {
    /// Whether the cache is shared (a proxy or CDN, serving many users) or private (one
    /// user's, as in a browser or an HTTP client). A shared cache honours `s-maxage`,
    /// `proxy-revalidate` and `private`, and refuses responses to requests with
    /// `Authorization` unless they allow it (RFC 9111 §3, §3.5).
    public var isShared: Bool

    /// The fraction of the time since `Last-Modified` used as a heuristic freshness lifetime
    /// (RFC 9111 §4.2.2 suggests 10%).
    public var heuristicFraction: Double

    /// The largest heuristic freshness lifetime, in seconds (default one day).
    public var heuristicLimit: Int64

    /// The targeted cache-control fields this cache obeys, in order of precedence
    /// (RFC 9213 §2.2). The first one present and valid in a response replaces
    /// `Cache-Control` for this cache. Private caches normally have none.
    public var cacheControlTargets: [HTTPField.Name]

    /// Whether a request's `no-cache` (and `Pragma: no-cache`) is ignored, so that a fresh
    /// stored response is served without revalidation. RFC 9111 §5.2.1.4 lets a client ask
    /// for revalidation; an operator protecting an origin from reload storms may choose to
    /// ignore it, as many CDNs do. Off by default.
    public var ignoresClientNoCache: Bool

    /// Whether the cache stores partial content (206) and can combine or serve it
    /// (RFC 9111 §3.3, §3.4). When off, a 206 is not stored.
    public var storesPartialContent: Bool

    /// Creates options.
    public init(
        isShared: Bool = true,
        heuristicFraction: Double = 0.1,
        heuristicLimit: Int64 = 86_400,
        cacheControlTargets: [HTTPField.Name]? = nil,
        ignoresClientNoCache: Bool = false,
        storesPartialContent: Bool = false
    ) {
        self.isShared = isShared
        self.heuristicFraction = heuristicFraction
        self.heuristicLimit = heuristicLimit
        self.cacheControlTargets = cacheControlTargets ?? (isShared ? [TargetedCacheControl.cdnCacheControl] : [])
        self.ignoresClientNoCache = ignoresClientNoCache
        self.storesPartialContent = storesPartialContent
    }

    /// A shared cache that obeys `CDN-Cache-Control`, as a CDN-like reverse proxy does.
    public static let shared = CachePolicyOptions(isShared: true)

    /// A private (single-user) cache, as in an HTTP client; it obeys no targeted field.
    public static let `private` = CachePolicyOptions(isShared: false)
}
