import HTTPPreconditions
import HTTPTypes

/// What a response to an unsafe request invalidates (RFC 9111 §4.4).
public enum Invalidation {
    /// Whether a method is safe (RFC 9110 §9.2.1): GET, HEAD, OPTIONS and TRACE. Every other
    /// method, including ones the cache does not know, is unsafe for invalidation.
    public static func isSafe(_ method: HTTPRequest.Method) -> Bool {
        method == .get || method == .head || method == .options || method == .trace
    }

    /// The normalised URIs (as ``CacheKey/uri``) whose stored responses, for every method,
    /// a cache must or may invalidate after `response` answered `request`.
    ///
    /// RFC 9111 §4.4: a non-error status (2xx or 3xx) to an unsafe method invalidates the
    /// target URI; the URIs in `Location` and `Content-Location`, resolved against the target
    /// URI (RFC 3986 §5), are invalidated too, but only when they share the target's origin
    /// (scheme, host and port), so that a response cannot be used to purge another site's
    /// content. Safe methods and error statuses invalidate nothing.
    public static func invalidatedURIs(
        request: HTTPRequest,
        response: HTTPResponse,
        defaultScheme: String = "http"
    ) -> [String] {
        guard !isSafe(request.method), (200...399).contains(response.status.code),
            let target = CacheKey(request: request, defaultScheme: defaultScheme)?.uri
        else { return [] }
        var uris = [target]
        let base = URIReference(Substring(target))
        guard let origin = base.normalizedOrigin else { return uris }
        for name in [HTTPField.Name.location, .contentLocation] {
            guard let value = response.headerFields[name] else { continue }
            let resolved = URIReference(Substring(value.trimmingOWS)).resolved(against: base)
            guard resolved.normalizedOrigin == origin, let uri = resolved.normalizedURI, !uris.contains(uri) else { continue }
            uris.append(uri)
        }
        return uris
    }
}

extension StringProtocol {
    /// The string without leading and trailing spaces and tabs.
    var trimmingOWS: SubSequence {
        var start = startIndex
        var end = endIndex
        while start < end, self[start] == " " || self[start] == "\t" { start = index(after: start) }
        while end > start, self[index(before: end)] == " " || self[index(before: end)] == "\t" { end = index(before: end) }
        return self[start..<end]
    }
}

extension CachePolicy {
    /// The policy of the same stored response marked invalid at `now`: stale from then on, so
    /// that it needs validation before it is used again (RFC 9111 §4.4, "mark it as invalid
    /// and in need of a mandatory validation"), while staying available for what stale
    /// responses may still be used for: `stale-if-error` and `stale-while-revalidate`
    /// (RFC 5861), their windows counted from `now`. A revalidation computes the freshness
    /// anew from the fields the 304 brings. This is a soft purge.
    public func markedInvalid(now: HTTPDate) -> CachePolicy {
        var copy = self
        copy.freshness = Freshness(lifetime: min(freshness.lifetime, age(now: now)), source: freshness.source)
        return copy
    }
}
