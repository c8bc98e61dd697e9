import HTTPPreconditions
import HTTPTypes

/// A response's freshness lifetime and where it came from (RFC 9111 §4.2.1, §4.2.2).
public struct Freshness: Sendable, Hashable, Codable {
    /// The freshness lifetime in seconds, at most 2^31.
    public let lifetime: Int64
    /// What decided it.
    public let source: Source

    /// Where a freshness lifetime comes from, in the order §4.2.1 consults them.
    public enum Source: Sendable, Hashable, Codable {
        /// `s-maxage`, in a shared cache.
        case sharedMaxAge
        /// `max-age`.
        case maxAge
        /// `Expires` minus `Date`.
        case expires
        /// A heuristic: a fraction of the time since `Last-Modified` (§4.2.2).
        case heuristic
        /// Nothing: the response is stale as soon as it is received.
        case none

        /// Whether the lifetime was given by the origin rather than guessed (§4.2.1).
        public var isExplicit: Bool {
            switch self {
            case .sharedMaxAge, .maxAge, .expires: return true
            case .heuristic, .none: return false
            }
        }
    }

    /// Creates a freshness value.
    public init(lifetime: Int64, source: Source) {
        self.lifetime = DeltaSeconds.clamp(lifetime)
        self.source = source
    }

    /// Computes the freshness lifetime of a response (§4.2.1): `s-maxage` for a shared cache,
    /// else `max-age`, else `Expires − Date`, else a heuristic where one is allowed.
    ///
    /// - Parameters:
    ///   - directives: the response's effective directives (`Cache-Control`, or the targeted
    ///     field that replaces it).
    ///   - fields: the response's fields, for `Expires` and `Last-Modified`.
    ///   - status: the response's status, for heuristic cacheability.
    ///   - dateValue: the response's `Date`, or its response time when it has none.
    public static func compute(
        directives: CacheControl,
        fields: HTTPFields,
        status: HTTPResponse.Status,
        dateValue: HTTPDate,
        options: CachePolicyOptions
    ) -> Freshness {
        if options.isShared, let sMaxAge = directives.sharedMaxAge {
            return Freshness(lifetime: sMaxAge, source: .sharedMaxAge)
        }
        if let maxAge = directives.maxAge {
            return Freshness(lifetime: maxAge, source: .maxAge)
        }
        switch expires(of: fields, now: dateValue) {
        case .valid(let expires):
            return Freshness(lifetime: expires.seconds(since: dateValue), source: .expires)
        case .invalid:
            // §5.3: an invalid Expires ("0", a list of dates…) means already expired.
            return Freshness(lifetime: 0, source: .expires)
        case .absent:
            break
        }
        // §4.2.2: heuristics only for heuristically cacheable statuses or explicitly cacheable
        // (public) responses, never when an explicit lifetime exists (handled above).
        guard StatusCodes.isHeuristicallyCacheable(status) || directives.isPublic,
            let lastModified = lastModified(of: fields, now: dateValue)
        else { return Freshness(lifetime: 0, source: .none) }
        let sinceModified = dateValue.seconds(since: lastModified)
        guard sinceModified > 0 else { return Freshness(lifetime: 0, source: .heuristic) }
        // Clamp in floating point first: a NaN, negative or huge fraction must not trap.
        let limit = DeltaSeconds.clamp(options.heuristicLimit)
        let guess = Double(sinceModified) * options.heuristicFraction
        let lifetime = guess >= 0 ? Int64(min(guess, Double(limit))) : 0
        return Freshness(lifetime: lifetime, source: .heuristic)
    }

    /// The state of a response's `Expires` field (§5.3).
    enum ExpiresValue {
        case absent
        case valid(HTTPDate)
        case invalid
    }

    /// Reads `Expires`. Several lines must agree, else the response is considered stale
    /// (§4.2.1: "either the first occurrence should be used or the response should be
    /// considered stale"; we choose the safer).
    static func expires(of fields: HTTPFields, now: HTTPDate) -> ExpiresValue {
        var result = ExpiresValue.absent
        for field in fields where field.name == .expires {
            guard let date = HTTPDate(field: field, now: now) else { return .invalid }
            switch result {
            case .absent: result = .valid(date)
            case .valid(let earlier) where earlier == date: break
            default: return .invalid
            }
        }
        return result
    }

    /// `Last-Modified`, when present and valid.
    static func lastModified(of fields: HTTPFields, now: HTTPDate?) -> HTTPDate? {
        for field in fields where field.name == .lastModified {
            return HTTPDate(field: field, now: now)
        }
        return nil
    }
}
