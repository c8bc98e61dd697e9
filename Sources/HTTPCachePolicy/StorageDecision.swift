import HTTPTypes

/// Whether a response may be stored, and why not (RFC 9111 §3).
public enum Storability: Sendable, Hashable, Codable {
    /// The response may be stored as a complete response.
    case storable
    /// The response is a 206 that may be stored as partial content, to be combined or
    /// served by a cache that supports ranges (§3.3, §3.4).
    case storableAsPartialContent
    /// The response must not be stored.
    case notStorable(NotStorableReason)

    /// Whether the response may be stored at all.
    @inlinable
    public var isStorable: Bool {
        if case .notStorable = self { return false }
        return true
    }
}

/// Why a response must not be stored (RFC 9111 §3).
public enum NotStorableReason: Sendable, Hashable, Codable {
    /// The request method is not one whose responses this cache stores (GET and HEAD).
    case methodNotCacheable
    /// A 1xx interim response: only final responses are stored.
    case statusNotFinal
    /// A 304 is not stored; it freshens stored responses instead (§4.3.4).
    case notModifiedResponse
    /// `must-understand` with a status code this cache does not understand (§5.2.2.3).
    case statusNotUnderstood
    /// The request carried `no-store` (§5.2.1.5).
    case requestNoStore
    /// The response carried `no-store` (§5.2.2.5).
    case responseNoStore
    /// The response is `private` and this cache is shared (§5.2.2.7).
    case privateResponse
    /// The request carried `Authorization` and the response did not allow a shared cache to
    /// store it with `public`, `s-maxage` or `must-revalidate` (§3.5).
    case authorization
    /// A 206 and this cache does not store partial content (§3.3).
    case partialContentNotSupported
    /// Nothing makes the response cacheable: no explicit freshness, no `public`, and a
    /// status code that is not heuristically cacheable (§3, last condition).
    case notCacheable
}

extension Storability {
    /// Decides whether a response may be stored (RFC 9111 §3, §3.5).
    ///
    /// - Parameters:
    ///   - requestMethod: the method of the request the response answers.
    ///   - requestFields: the request's fields, for `no-store` and `Authorization`.
    ///   - status: the response's status.
    ///   - responseFields: the response's fields, for `Expires`.
    ///   - directives: the response's effective directives for this cache (`Cache-Control`
    ///     or the targeted field that replaces it, RFC 9213).
    ///   - requestDirectives: the request's `Cache-Control`.
    public static func decide(
        requestMethod: HTTPRequest.Method,
        requestFields: HTTPFields,
        status: HTTPResponse.Status,
        responseFields: HTTPFields,
        directives: CacheControl,
        requestDirectives: CacheControl,
        options: CachePolicyOptions
    ) -> Storability {
        // §3: "the request method is understood by the cache". A cache may store responses to
        // other methods with explicit freshness where the method allows it; none of those
        // methods' definitions do so usably (POST responses cannot answer a later POST), so
        // only GET and HEAD are stored.
        guard requestMethod == .get || requestMethod == .head else { return .notStorable(.methodNotCacheable) }
        guard status.code >= 200 else { return .notStorable(.statusNotFinal) }
        guard status.code != 304 else { return .notStorable(.notModifiedResponse) }

        // §5.2.2.3: must-understand limits storage to understood status codes and, for them,
        // overrides no-store.
        let understood = StatusCodes.isUnderstood(status)
        if directives.mustUnderstand && !understood { return .notStorable(.statusNotUnderstood) }
        if requestDirectives.noStore { return .notStorable(.requestNoStore) }
        if directives.noStore && !(directives.mustUnderstand && understood) {
            return .notStorable(.responseNoStore)
        }
        if options.isShared && directives.isPrivate { return .notStorable(.privateResponse) }
        if options.isShared && requestFields.contains(.authorization)
            && !(directives.isPublic || directives.sharedMaxAge != nil || directives.mustRevalidate)
        {
            return .notStorable(.authorization)
        }

        // §3: the response must be cacheable by one of these means.
        let cacheable =
            directives.isPublic
            || (!options.isShared && directives.isPrivate)
            || responseFields.contains(.expires)
            || directives.maxAge != nil
            || (options.isShared && directives.sharedMaxAge != nil)
            || StatusCodes.isHeuristicallyCacheable(status)
        guard cacheable else { return .notStorable(.notCacheable) }

        if status.code == 206 {
            // §3.3: a 206 is an incomplete response; storing it needs range support.
            return options.storesPartialContent ? .storableAsPartialContent : .notStorable(.partialContentNotSupported)
        }
        return .storable
    }
}
