/// An entity tag: the opaque validator of a representation (RFC 9110 §8.8.3).
///
/// `"xyzzy"` is a strong tag, `W/"xyzzy"` a weak one. The opaque tag is the text between the
/// double quotes; it may hold any visible ASCII character except `"`, and obs-text.
public struct EntityTag: Sendable, Hashable {
    /// The characters between the double quotes.
    public let opaqueTag: String
    /// Whether the tag carries the `W/` weakness indicator.
    public let isWeak: Bool

    /// Creates a tag from its opaque part, or `nil` when it contains a character an
    /// entity tag cannot carry (`"`, a control character, a space).
    public init?(opaqueTag: some StringProtocol, isWeak: Bool = false) {
        guard opaqueTag.utf8.allSatisfy(EntityTagGrammar.isETagCharacter) else { return nil }
        self.opaqueTag = String(opaqueTag)
        self.isWeak = isWeak
    }

    @usableFromInline
    init(validatedOpaqueTag: String, isWeak: Bool) {
        self.opaqueTag = validatedOpaqueTag
        self.isWeak = isWeak
    }

    /// Parses one entity-tag as it appears in an `ETag` field or an `If-Range` field:
    /// `"x"` or `W/"x"`, with optional surrounding whitespace and nothing else.
    public init?(_ fieldValue: some StringProtocol) {
        var value = String(fieldValue)
        guard let tag = value.withUTF8({ EntityTag(bytes: UnsafeRawBufferPointer($0)) }) else { return nil }
        self = tag
    }

    /// Parses one entity-tag from bytes; see ``init(_:)``.
    public init?(bytes: UnsafeRawBufferPointer) {
        var scanner = EntityTagScanner(bytes)
        scanner.skipWhitespace()
        guard let (range, weak) = scanner.entityTag() else { return nil }
        scanner.skipWhitespace()
        guard scanner.isAtEnd else { return nil }
        self.init(
            validatedOpaqueTag: String(decoding: UnsafeRawBufferPointer(rebasing: bytes[range]), as: UTF8.self),
            isWeak: weak
        )
    }

    /// How two entity tags are compared (RFC 9110 §8.8.3.2).
    public enum Comparison: Sendable, Hashable {
        /// Both tags are strong and their opaque tags are identical: used by If-Match and If-Range.
        case strong
        /// The opaque tags are identical, weak or not: used by If-None-Match.
        case weak
    }

    /// Whether the two tags match under the given comparison (RFC 9110 §8.8.3.2).
    @inlinable
    public func matches(_ other: EntityTag, using comparison: Comparison) -> Bool {
        switch comparison {
        case .strong: return !isWeak && !other.isWeak && opaqueTag == other.opaqueTag
        case .weak: return opaqueTag == other.opaqueTag
        }
    }

    /// The same opaque tag, marked weak, as a server marks a tag whose representation it
    /// transformed in a way that keeps it semantically equivalent.
    public var weakened: EntityTag {
        EntityTag(validatedOpaqueTag: opaqueTag, isWeak: true)
    }
}

extension EntityTag: CustomStringConvertible {
    /// The tag as it is written in a field: `"x"` or `W/"x"`.
    public var description: String {
        isWeak ? "W/\"\(opaqueTag)\"" : "\"\(opaqueTag)\""
    }
}

extension EntityTag: Codable {
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let tag = EntityTag(text) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "not an entity-tag: \(text)")
        }
        self = tag
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}

@usableFromInline
enum EntityTagGrammar {
    /// etagc = %x21 / %x23-7E / obs-text (RFC 9110 §8.8.3)
    @usableFromInline
    static func isETagCharacter(_ c: UInt8) -> Bool {
        c == 0x21 || (c >= 0x23 && c != 0x7F)
    }
}

/// A forward-only reader of entity tags and entity-tag lists over raw field bytes.
struct EntityTagScanner {
    let base: UnsafeRawBufferPointer
    var index: Int

    init(_ bytes: UnsafeRawBufferPointer) {
        self.base = bytes
        self.index = 0
    }

    var isAtEnd: Bool { index == base.count }

    mutating func skipWhitespace() {
        while index < base.count, base[index] == 0x20 || base[index] == 0x09 { index += 1 }
    }

    /// Reads `[W/] DQUOTE *etagc DQUOTE` and returns the range of the opaque part.
    mutating func entityTag() -> (Range<Int>, Bool)? {
        var i = index
        var weak = false
        if i + 1 < base.count, base[i] == UInt8(ascii: "W"), base[i + 1] == UInt8(ascii: "/") {
            weak = true
            i += 2
        }
        guard i < base.count, base[i] == UInt8(ascii: "\"") else { return nil }
        i += 1
        let opaqueStart = i
        while i < base.count, base[i] != UInt8(ascii: "\"") {
            guard EntityTagGrammar.isETagCharacter(base[i]) else { return nil }
            i += 1
        }
        guard i < base.count else { return nil }
        index = i + 1
        return (opaqueStart..<i, weak)
    }
}
