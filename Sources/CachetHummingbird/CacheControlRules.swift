/// `Cache-Control` values chosen by the request path: the first rule whose pattern matches
/// wins, and `defaultValue` applies when none does.
///
/// Patterns are globs over the URL path (after any base path is removed, with a leading
/// `/`): `*` matches within one segment, `**` across segments, `?` one character.
/// A pattern without `/` matches the last segment only, so `*.html` applies in every
/// folder.
///
/// ```swift
/// CacheControlRules([
///     .init("/assets/**", "public, max-age=31536000, immutable"),
///     .init("*.html", "no-cache"),
/// ], default: "max-age=60")
/// ```
public struct CacheControlRules: Sendable {
    public struct Rule: Sendable {
        public var pattern: String
        public var value: String

        public init(_ pattern: String, _ value: String) {
            self.pattern = pattern
            self.value = value
        }
    }

    public var rules: [Rule]
    public var defaultValue: String?

    public init(_ rules: [Rule] = [], default defaultValue: String? = nil) {
        self.rules = rules
        self.defaultValue = defaultValue
    }

    /// The `Cache-Control` value for a path, or `nil` for none.
    public func value(forPath path: String) -> String? {
        for rule in rules where Self.matches(pattern: rule.pattern, path: path) {
            return rule.value
        }
        return defaultValue
    }

    static func matches(pattern: String, path: String) -> Bool {
        let subject: Substring
        if pattern.contains("/") {
            subject = Substring(path)
        } else {
            subject = path.split(separator: "/", omittingEmptySubsequences: false).last ?? Substring(path)
        }
        return glob(Array(pattern.utf8)[...], Array(subject.utf8)[...])
    }

    private static func glob(_ pattern: ArraySlice<UInt8>, _ text: ArraySlice<UInt8>) -> Bool {
        guard let first = pattern.first else { return text.isEmpty }
        let star = UInt8(ascii: "*")
        let slash = UInt8(ascii: "/")
        if first == star {
            let isDouble = pattern.dropFirst().first == star
            let rest = pattern.dropFirst(isDouble ? 2 : 1)
            var index = text.startIndex
            while true {
                if glob(rest, text[index...]) { return true }
                guard index < text.endIndex else { return false }
                if !isDouble, text[index] == slash { return false }
                index += 1
            }
        }
        guard let head = text.first else { return false }
        if first == UInt8(ascii: "?") {
            return head != slash && glob(pattern.dropFirst(), text.dropFirst())
        }
        return first == head && glob(pattern.dropFirst(), text.dropFirst())
    }
}
