import HTTPTypes
import RawStructuredFieldValues

/// One cache's member of the `Cache-Status` field (RFC 9211): how it handled a request.
///
/// Serialised as a Structured Field List member: the cache's name as a Token (or a String
/// when it is not a valid token) with parameters, in the order RFC 9211 §2 lists them.
public struct CacheStatus: Sendable, Hashable {
    /// `Cache-Status` (RFC 9211 §2).
    public static let fieldName = HTTPField.Name("Cache-Status")!

    /// The name identifying this cache (default "cachet").
    public var cacheName: String
    /// `hit`: the response was served from the cache without going forward (§2.1).
    public var hit: Bool
    /// `fwd`: why the request went forward (§2.2).
    public var forward: ForwardReason?
    /// `fwd-status`: the status of the response from the next hop (§2.3).
    public var forwardStatus: Int?
    /// `ttl`: the response's remaining freshness in seconds, negative when stale (§2.4).
    public var ttl: Int64?
    /// `stored`: whether the forwarded response was stored (§2.5).
    public var stored: Bool
    /// `collapsed`: whether the forward request was collapsed with others (§2.6).
    public var collapsed: Bool
    /// `key`: the cache key, for debugging (§2.7).
    public var key: String?
    /// `detail`: implementation-specific detail (§2.8).
    public var detail: String?

    /// Why a request went forward (RFC 9211 §2.2).
    public enum ForwardReason: String, Sendable, Hashable, Codable, CaseIterable {
        /// The cache was configured not to handle this request.
        case bypass
        /// The request method's semantics require forwarding.
        case method
        /// The cache had no response for the URI.
        case uriMiss = "uri-miss"
        /// The cache had a response for the URI, but the Vary fields did not match.
        case varyMiss = "vary-miss"
        /// The cache had no usable response (when it cannot tell which miss).
        case miss
        /// The request's directives required going forward (e.g. `no-cache`).
        case request
        /// The stored response was stale and needed validation.
        case stale
        /// Only part of the response was stored.
        case partial
    }

    /// Creates a status member.
    public init(
        cacheName: String = "cachet",
        hit: Bool = false,
        forward: ForwardReason? = nil,
        forwardStatus: Int? = nil,
        ttl: Int64? = nil,
        stored: Bool = false,
        collapsed: Bool = false,
        key: String? = nil,
        detail: String? = nil
    ) {
        self.cacheName = cacheName
        self.hit = hit
        self.forward = forward
        self.forwardStatus = forwardStatus
        self.ttl = ttl
        self.stored = stored
        self.collapsed = collapsed
        self.key = key
        self.detail = detail
    }

    /// The member as a Structured Field Item with parameters.
    public var item: Item {
        var parameters = OrderedMap<String, RFC9651BareItem>()
        if hit { parameters["hit"] = .bool(true) }
        if let forward { parameters["fwd"] = .token(forward.rawValue) }
        if let forwardStatus { parameters["fwd-status"] = .integer(Int64(forwardStatus)) }
        if let ttl { parameters["ttl"] = .integer(ttl) }
        if stored { parameters["stored"] = .bool(true) }
        if collapsed { parameters["collapsed"] = .bool(true) }
        if let key { parameters["key"] = .string(Self.printable(key)) }
        if let detail {
            parameters["detail"] = detail.structuredFieldIsToken ? .token(detail) : .string(Self.printable(detail))
        }
        let name: RFC9651BareItem = cacheName.structuredFieldIsToken ? .token(cacheName) : .string(Self.printable(cacheName))
        return Item(bareItem: name, parameters: parameters)
    }

    /// The serialised member, e.g. `cachet;hit;ttl=376`.
    ///
    /// Written directly rather than through a structured-field serialiser, since a cache
    /// sends one on every response: the output is the canonical serialisation of ``item``
    /// (RFC 9651 §4.1: parameters as `;key` for true and `;key=value` otherwise).
    public var fieldValue: String {
        var value = ""
        value.reserveCapacity(48)
        Self.appendName(cacheName, to: &value)
        if hit { value += ";hit" }
        if let forward {
            value += ";fwd="
            value += forward.rawValue
        }
        if let forwardStatus {
            value += ";fwd-status="
            value += String(forwardStatus)
        }
        if let ttl {
            value += ";ttl="
            value += String(ttl)
        }
        if stored { value += ";stored" }
        if collapsed { value += ";collapsed" }
        if let key {
            value += ";key="
            Self.appendString(key, to: &value)
        }
        if let detail {
            value += ";detail="
            Self.appendName(detail, to: &value)
        }
        return value
    }

    /// A Token when the text is one, else a String (RFC 9651 §3.3.3, §3.3.4).
    private static func appendName(_ text: String, to value: inout String) {
        if text.structuredFieldIsToken {
            value += text
        } else {
            appendString(text, to: &value)
        }
    }

    /// An sf-string: quoted, `"` and `\` escaped, non-printable characters replaced by `?`.
    private static func appendString(_ text: String, to value: inout String) {
        value += "\""
        for scalar in printable(text).unicodeScalars {
            if scalar == "\"" || scalar == "\\" { value += "\\" }
            value.unicodeScalars.append(scalar)
        }
        value += "\""
    }

    /// Appends this member to a response's `Cache-Status` list: as a new field line, which
    /// continues the list after the members of caches nearer the origin (RFC 9211 §2).
    public func append(to fields: inout HTTPFields) {
        fields.append(HTTPField(name: Self.fieldName, value: fieldValue))
    }

    /// Structured Field Strings carry printable ASCII only; anything else becomes `?`.
    static func printable(_ text: String) -> String {
        String(String.UnicodeScalarView(text.unicodeScalars.map { (0x20...0x7E).contains($0.value) ? $0 : "?" }))
    }
}

extension String {
    /// Whether the string is a valid Structured Field Token (RFC 9651 §3.3.4).
    var structuredFieldIsToken: Bool {
        guard let first = utf8.first, (first >= 0x41 && first <= 0x5A) || (first >= 0x61 && first <= 0x7A) || first == 0x2A
        else { return false }
        return utf8.dropFirst().allSatisfy { c in
            (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A)
                || "!#$%&'*+-.^_`|~:/".utf8.contains(c)
        }
    }
}

extension CacheEvaluation {
    /// The `fwd` reason this evaluation leads to, or `nil` when the stored response is
    /// served without going forward.
    public var forwardReason: CacheStatus.ForwardReason? {
        switch self {
        case .fresh, .usableStale(.maxStale, _), .usableStale(.staleIfError, _): return nil
        case .usableStale(.staleWhileRevalidate, _): return nil
        case .mustRevalidate(_, reason: .requestNoCache), .mustRevalidate(_, reason: .requestMaxAge),
            .mustRevalidate(_, reason: .requestMinFresh):
            return .request
        case .mustRevalidate: return .stale
        case .mismatch(.method): return .method
        case .mismatch: return .varyMiss
        case .onlyIfCachedUnsatisfied: return nil
        }
    }
}
