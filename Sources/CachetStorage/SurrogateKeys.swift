import HTTPTypes

/// The surrogate keys (tags) an origin gives a response so that it can later be purged with
/// every other response sharing a key: `Surrogate-Key` (space-separated, as Fastly and
/// Varnish's xkey read it) and `Cache-Tag` (comma-separated, as Cloudflare reads it).
public enum SurrogateKeys {
    public static let surrogateKey = HTTPField.Name("Surrogate-Key")!
    public static let cacheTag = HTTPField.Name("Cache-Tag")!
    /// Keys longer than this are ignored; more keys than `maximumCount` are dropped.
    public static let maximumLength = 1024
    public static let maximumCount = 256

    /// The keys of a response's fields, in order, without duplicates.
    public static func of(_ fields: HTTPFields) -> [String] {
        var keys: [String] = []
        for field in fields {
            if field.name == surrogateKey {
                split(field.value, at: spaces, into: &keys)
            } else if field.name == cacheTag {
                split(field.value, at: commas, into: &keys)
            }
        }
        return keys
    }

    /// The keys of a request's `Surrogate-Key` (or `Cache-Tag`) value: both separators are
    /// accepted, since a purge names keys without saying which field gave them.
    public static func parseList(_ value: String) -> [String] {
        var keys: [String] = []
        split(value, at: spaces.union(commas), into: &keys)
        return keys
    }

    private static let spaces: Set<UInt8> = [0x20, 0x09]
    private static let commas: Set<UInt8> = [0x2C]

    /// Appends the tokens of `value` between `separators`, trimmed of spaces and tabs.
    private static func split(_ value: String, at separators: Set<UInt8>, into keys: inout [String]) {
        var utf8 = Array(value.utf8)[...]
        while !utf8.isEmpty, keys.count < maximumCount {
            let end = utf8.firstIndex(where: separators.contains) ?? utf8.endIndex
            var token = utf8[utf8.startIndex..<end]
            while let first = token.first, spaces.contains(first) { token = token.dropFirst() }
            while let last = token.last, spaces.contains(last) { token = token.dropLast() }
            if !token.isEmpty, token.count <= maximumLength {
                let key = String(decoding: token, as: UTF8.self)
                if !keys.contains(key) { keys.append(key) }
            }
            utf8 = end == utf8.endIndex ? [] : utf8[(end + 1)...]
        }
    }
}
