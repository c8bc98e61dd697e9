import HTTPTypes

/// The directives of a `Cache-Control` field (RFC 9111 §5.2), of a request or of a response,
/// or of a targeted field such as `CDN-Cache-Control` (RFC 9213).
///
/// Parsing is lenient where the RFC asks for robustness and strict where a wrong guess would
/// make a response look fresher than it is:
///
/// - Directive names are case-insensitive (§5.2) and arguments may be tokens or quoted strings.
/// - `max-age` and `s-maxage` with an invalid argument (`max-age=-1`, `max-age=abc`, no
///   argument at all) are kept as `0`: the response is treated as stale (§4.2.1, §5.2.2.1).
/// - A delta-seconds too large to represent is 2^31 (§1.2.2).
/// - When a directive appears more than once, the most restrictive value wins (§4.2.1): the
///   smallest `max-age`, `s-maxage`, `stale-while-revalidate`, `stale-if-error` and
///   `max-stale`, the largest `min-fresh`, and the unqualified form of `no-cache` and `private`
///   over the qualified one.
/// - Unknown directives are ignored (§5.2.3).
///
/// The value holds no references when no directive carries field names, so parsing a
/// typical request or response field allocates nothing.
public struct CacheControl: Sendable, Hashable, Codable {
    /// `max-age`: the response's freshness lifetime (§5.2.2.1), or the oldest response a client
    /// accepts (§5.2.1.1).
    public var maxAge: Int64?
    /// `s-maxage`: the freshness lifetime for shared caches (§5.2.2.10).
    public var sharedMaxAge: Int64?
    /// `max-stale` (request): how stale a response the client accepts (§5.2.1.2).
    public var maxStale: MaxStale?
    /// `min-fresh` (request): how long the response must stay fresh (§5.2.1.3).
    public var minFresh: Int64?
    /// `stale-while-revalidate` (RFC 5861 §3): how long past its freshness a response may be
    /// served while it is revalidated in the background.
    public var staleWhileRevalidate: Int64?
    /// `stale-if-error` (RFC 5861 §4), in a response or a request: how long past its
    /// freshness a response may be served when revalidation meets an error.
    public var staleIfError: Int64?
    /// The field names of a qualified `no-cache="…"` (§5.2.2.4): those fields must not be sent
    /// from storage without revalidation; the rest of the response may be reused.
    public var noCacheFieldNames: [HTTPField.Name]
    /// The field names of a qualified `private="…"` (§5.2.2.7): a shared cache must not store
    /// those fields; the rest of the response may be stored.
    public var privateFieldNames: [HTTPField.Name]
    /// The directives that take no argument, as bits.
    public var flags: Flags

    /// How stale a response a client accepts (`max-stale`, RFC 9111 §5.2.1.2).
    public enum MaxStale: Sendable, Hashable, Codable {
        /// `max-stale` without a value: any staleness.
        case unlimited
        /// `max-stale=N`: at most N seconds past the freshness lifetime.
        case seconds(Int64)

        /// Whether a response this many seconds stale is acceptable.
        @inlinable
        public func accepts(staleness: Int64) -> Bool {
            switch self {
            case .unlimited: return true
            case .seconds(let limit): return staleness <= limit
            }
        }
    }

    /// The directives without arguments (and the unqualified forms of `no-cache` and `private`).
    public struct Flags: OptionSet, Sendable, Hashable, Codable {
        /// The bits.
        public var rawValue: UInt16
        /// Creates flags from bits.
        @inlinable public init(rawValue: UInt16) { self.rawValue = rawValue }

        /// `no-cache` without field names (§5.2.1.4, §5.2.2.4).
        public static let noCache = Flags(rawValue: 1 << 0)
        /// `no-store` (§5.2.1.5, §5.2.2.5).
        public static let noStore = Flags(rawValue: 1 << 1)
        /// `private` without field names (§5.2.2.7).
        public static let `private` = Flags(rawValue: 1 << 2)
        /// `public` (§5.2.2.9).
        public static let `public` = Flags(rawValue: 1 << 3)
        /// `must-revalidate` (§5.2.2.2).
        public static let mustRevalidate = Flags(rawValue: 1 << 4)
        /// `proxy-revalidate` (§5.2.2.8).
        public static let proxyRevalidate = Flags(rawValue: 1 << 5)
        /// `must-understand` (§5.2.2.3).
        public static let mustUnderstand = Flags(rawValue: 1 << 6)
        /// `no-transform` (§5.2.1.6, §5.2.2.6).
        public static let noTransform = Flags(rawValue: 1 << 7)
        /// `immutable` (RFC 8246).
        public static let immutable = Flags(rawValue: 1 << 8)
        /// `only-if-cached` (§5.2.1.7).
        public static let onlyIfCached = Flags(rawValue: 1 << 9)
        /// `Pragma: no-cache` stood in for an absent request `Cache-Control` (§5.4).
        public static let pragmaNoCache = Flags(rawValue: 1 << 10)
    }

    /// No directives.
    public init() {
        self.noCacheFieldNames = []
        self.privateFieldNames = []
        self.flags = []
    }

    /// Parses one field value.
    public init(_ fieldValue: String) {
        self.init()
        var value = fieldValue
        value.withUTF8 { parse(UnsafeRawBufferPointer($0)) }
    }

    /// Parses every `Cache-Control` line of a request's or response's fields as one list.
    /// `Pragma` is not read; see ``init(requestFields:)``.
    public init(fields: HTTPFields) {
        self.init()
        for field in fields where field.name == .cacheControl {
            field.withValueBuffer { parse($0) }
        }
    }

    /// Parses a request's `Cache-Control`. When the request has no `Cache-Control` field at
    /// all, `Pragma: no-cache` is read as `Cache-Control: no-cache` (RFC 9111 §5.4).
    public init(requestFields fields: HTTPFields) {
        self.init()
        var sawCacheControl = false
        var pragmaNoCache = false
        for field in fields {
            if field.name == .cacheControl {
                sawCacheControl = true
                field.withValueBuffer { parse($0) }
            } else if field.name == Self.pragma, !pragmaNoCache {
                pragmaNoCache = field.withValueBuffer(Self.pragmaHasNoCache)
            }
        }
        if !sawCacheControl && pragmaNoCache {
            flags.insert([.noCache, .pragmaNoCache])
        }
    }

    static let pragma = HTTPField.Name("Pragma")!

    /// Whether a `Pragma` value lists `no-cache` (RFC 9111 §5.4).
    static func pragmaHasNoCache(_ bytes: UnsafeRawBufferPointer) -> Bool {
        var found = false
        CacheControlGrammar.scan(bytes) { name, _, _ in
            if ASCII.equalsIgnoringCase(name, "no-cache") { found = true }
        }
        return found
    }

    /// Adds the directives of one field value to these.
    mutating func parse(_ bytes: UnsafeRawBufferPointer) {
        CacheControlGrammar.scan(bytes) { name, argument, quoted in
            apply(name: name, argument: argument, quoted: quoted)
        }
    }
}

extension CacheControl {
    /// `no-cache` without field names.
    public var noCache: Bool { flags.contains(.noCache) }
    /// `no-store`.
    public var noStore: Bool { flags.contains(.noStore) }
    /// `private` without field names.
    public var isPrivate: Bool { flags.contains(.private) }
    /// `public`.
    public var isPublic: Bool { flags.contains(.public) }
    /// `must-revalidate`.
    public var mustRevalidate: Bool { flags.contains(.mustRevalidate) }
    /// `proxy-revalidate`.
    public var proxyRevalidate: Bool { flags.contains(.proxyRevalidate) }
    /// `must-understand`.
    public var mustUnderstand: Bool { flags.contains(.mustUnderstand) }
    /// `no-transform`.
    public var noTransform: Bool { flags.contains(.noTransform) }
    /// `immutable` (RFC 8246).
    public var immutable: Bool { flags.contains(.immutable) }
    /// `only-if-cached`.
    public var onlyIfCached: Bool { flags.contains(.onlyIfCached) }

    /// Whether the directives give an explicit freshness lifetime for this kind of cache:
    /// `max-age`, or `s-maxage` in a shared cache (§4.2.1). `Expires` is another source,
    /// read from the fields.
    public func hasExplicitFreshness(shared: Bool) -> Bool {
        maxAge != nil || (shared && sharedMaxAge != nil)
    }
}
