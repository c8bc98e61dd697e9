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
            let separatedByComma: Bool
            if field.name == surrogateKey {
                separatedByComma = false
            } else if field.name == cacheTag {
                separatedByComma = true
            } else {
                continue
            }
            split(field.value, separatedByComma: separatedByComma, into: &keys)
        }
        return keys
    }

    /// The keys of a request's `Surrogate-Key` (or `Cache-Tag`) value: both separators are
    /// accepted, since a purge names keys without saying which field gave them.
    public static func parseList(_ value: String) -> [String] {
        var keys: [String] = []
        split(value, separatedByComma: true, into: &keys, spacesSeparate: true)
        return keys
    }

    private static func split(_ value: String, separatedByComma: Bool, into keys: inout [String], spacesSeparate: Bool? = nil) {
        let spaces = spacesSeparate ?? !separatedByComma
        var utf8 = Array(value.utf8)[...]
        while !utf8.isEmpty, keys.count < maximumCount {
            let end = utf8.firstIndex { byte in
                (byte == 0x2C && separatedByComma) || ((byte == 0x20 || byte == 0x09) && spaces)
            } ?? utf8.endIndex
            var token = utf8[utf8.startIndex..<end]
            while let first = token.first, first == 0x20 || first == 0x09 { token = token.dropFirst() }
            while let last = token.last, last == 0x20 || last == 0x09 { token = token.dropLast() }
            if !token.isEmpty, token.count <= maximumLength {
                let key = String(decoding: token, as: UTF8.self)
                if !keys.contains(key) { keys.append(key) }
            }
            utf8 = end == utf8.endIndex ? [] : utf8[(end + 1)...]
        }
    }
}
