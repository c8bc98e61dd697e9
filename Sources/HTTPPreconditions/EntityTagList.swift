import HTTPTypes

/// The value of an `If-Match` or `If-None-Match` field: `*` or a list of entity tags
/// (RFC 9110 §13.1.1, §13.1.2).
///
/// A list may be split over several field lines and may contain empty elements and optional
/// whitespace (§5.6.1); `*` stands alone. A member that is not a well-formed entity-tag makes
/// the whole value malformed: it is rejected, never guessed at.
public enum EntityTagList: Sendable, Hashable {
    /// `*`: any current representation.
    case any
    /// The listed tags, in order.
    case tags([EntityTag])

    /// Parses one field value, or returns `nil` when it is malformed.
    public init?(_ fieldValue: some StringProtocol) {
        self.init(fieldValues: CollectionOfOne(String(fieldValue)))
    }

    /// Parses the values of several field lines of the same field as one list, or returns
    /// `nil` when any of them is malformed or `*` is combined with anything else.
    public init?(fieldValues: some Sequence<some StringProtocol>) {
        var tags: [EntityTag] = []
        var lines = 0
        var star = false
        for value in fieldValues {
            var value = String(value)
            lines += 1
            let result = value.withUTF8 { utf8 in
                let bytes = UnsafeRawBufferPointer(utf8)
                return EntityTagListGrammar.scan(bytes) { range, weak in
                    tags.append(
                        EntityTag(
                            validatedOpaqueTag: String(decoding: UnsafeRawBufferPointer(rebasing: bytes[range]), as: UTF8.self),
                            isWeak: weak
                        )
                    )
                    return false
                }
            }
            switch result {
            case .malformed: return nil
            case .star: star = true
            case .list: break
            }
        }
        if star {
            guard lines == 1 else { return nil }
            self = .any
        } else {
            self = .tags(tags)
        }
    }

    /// Reads the list from every line of the named field, or returns `nil` when the field is
    /// absent or malformed.
    public init?(_ fields: HTTPFields, _ name: HTTPField.Name) {
        guard fields.contains(name) else { return nil }
        self.init(fieldValues: fields[values: name])
    }

    /// Whether the list matches the current representation: `*` matches whenever one exists;
    /// a list matches when one of its tags matches `etag` under `comparison`.
    public func matches(_ etag: EntityTag?, representationExists: Bool = true, using comparison: EntityTag.Comparison) -> Bool {
        switch self {
        case .any: return representationExists
        case .tags(let tags):
            guard let etag, representationExists else { return false }
            return tags.contains { $0.matches(etag, using: comparison) }
        }
    }
}

extension EntityTagList: CustomStringConvertible {
    /// The list as one field value: `*` or tags joined by `, `.
    public var description: String {
        switch self {
        case .any: return "*"
        case .tags(let tags): return tags.map(\.description).joined(separator: ", ")
        }
    }
}

/// The outcome of looking for an entity-tag list field in a request and comparing it with the
/// current representation, done on the field bytes without building the list.
enum EntityTagFieldMatch: Sendable, Hashable {
    case matched
    case notMatched
    case malformed

    static func evaluate(
        _ fields: HTTPFields,
        _ lines: ConditionalFieldLines.Lines,
        etag: EntityTag?,
        representationExists: Bool,
        using comparison: EntityTag.Comparison
    ) -> EntityTagFieldMatch {
        var star = false
        var matched = false
        var malformed = false
        // A strong comparison never matches a weak current tag; skip the scan's comparisons.
        let candidate = (comparison == .strong && etag?.isWeak == true) ? nil : etag
        let name = fields[lines.first].name
        var seen = 0
        for index in lines.first..<fields.endIndex where seen < lines.count {
            let field = fields[index]
            guard index == lines.first || field.name == name else { continue }
            seen += 1
            let result = field.withValueBytes { bytes in
                EntityTagListGrammar.scan(bytes) { range, weak in
                    guard let candidate, representationExists, !matched else { return matched }
                    if comparison == .strong && weak { return false }
                    if UnsafeRawBufferPointer(rebasing: bytes[range]).elementsEqual(candidate.opaqueTag.utf8) {
                        matched = true
                    }
                    return false
                }
            }
            switch result {
            case .malformed: malformed = true
            case .star: star = true
            case .list: break
            }
            if malformed { break }
        }
        if malformed || (star && lines.count > 1) { return .malformed }
        if star { return representationExists ? .matched : .notMatched }
        return matched ? .matched : .notMatched
    }
}

enum EntityTagListGrammar {
    enum Result {
        case star
        case list
        case malformed
    }

    /// Scans `"*" / #entity-tag`, calling `visit` with the opaque range and weakness of each
    /// member; `visit` returns `true` to stop early (the rest is still checked for syntax).
    static func scan(_ bytes: UnsafeRawBufferPointer, _ visit: (Range<Int>, Bool) -> Bool) -> Result {
        var scanner = EntityTagScanner(bytes)
        scanner.skipWhitespace()
        if scanner.index < bytes.count, bytes[scanner.index] == UInt8(ascii: "*") {
            scanner.index += 1
            scanner.skipWhitespace()
            return scanner.isAtEnd ? .star : .malformed
        }
        var stopped = false
        while true {
            scanner.skipWhitespace()
            if scanner.isAtEnd { return .list }
            if bytes[scanner.index] == UInt8(ascii: ",") {
                scanner.index += 1  // empty list element, allowed by §5.6.1
                continue
            }
            guard let (range, weak) = scanner.entityTag() else { return .malformed }
            if !stopped { stopped = visit(range, weak) }
            scanner.skipWhitespace()
            if scanner.isAtEnd { return .list }
            guard bytes[scanner.index] == UInt8(ascii: ",") else { return .malformed }
            scanner.index += 1
        }
    }
}
