import HTTPTypes
import RawStructuredFieldValues

/// Targeted cache control (RFC 9213): response fields such as `CDN-Cache-Control` that carry
/// cache directives for one class of caches only.
public enum TargetedCacheControl {
    /// `CDN-Cache-Control`, which targets CDN caches (RFC 9213 §3).
    public static let cdnCacheControl = HTTPField.Name("CDN-Cache-Control")!

    /// The directives that govern a cache whose target list is `targets`, and where they came
    /// from (RFC 9213 §2.2): the first field in list order that is present and valid replaces
    /// `Cache-Control` altogether. A targeted field that is empty or fails to parse as a
    /// Structured Field Dictionary is ignored as a whole, as if absent (§2.1), and the next
    /// target, then `Cache-Control`, is used.
    public static func effectiveDirectives(
        of fields: HTTPFields,
        targets: [HTTPField.Name]
    ) -> (CacheControl, source: HTTPField.Name) {
        for target in targets where fields.contains(target) {
            if let directives = parse(fields, target) { return (directives, target) }
        }
        return (CacheControl(fields: fields), .cacheControl)
    }

    /// Parses the named targeted field (all its lines, as one Dictionary), or returns `nil`
    /// when it is absent, empty or not a valid Dictionary (RFC 9213 §2.1).
    public static func parse(_ fields: HTTPFields, _ name: HTTPField.Name) -> CacheControl? {
        var bytes: [UInt8] = []
        for field in fields where field.name == name {
            if !bytes.isEmpty { bytes.append(contentsOf: ", ".utf8) }
            field.withUnsafeBytesOfValue { bytes.append(contentsOf: $0) }
        }
        guard bytes.contains(where: { !ASCII.isWhitespace($0) && $0 != UInt8(ascii: ",") }) else { return nil }
        var parser = StructuredFieldValueParser(bytes)
        guard let dictionary = try? parser.parseDictionaryFieldValue(), dictionary.count > 0 else { return nil }
        var directives = CacheControl()
        for (key, member) in dictionary {
            // Keys are lowercase by the Dictionary grammar; parameters are ignored (§2.1).
            key.utf8.withContiguousStorageIfAvailable { name in
                apply(member, named: UnsafeRawBufferPointer(name), to: &directives)
            } ?? {
                var key = key
                key.withUTF8 { apply(member, named: UnsafeRawBufferPointer($0), to: &directives) }
            }()
        }
        return directives
    }

    /// `no-cache` and `private` take a field-name list; every other argument is an Integer.
    static func takesFieldNames(_ name: UnsafeRawBufferPointer) -> Bool {
        ASCII.equalsIgnoringCase(name, "no-cache") || ASCII.equalsIgnoringCase(name, "private")
    }

    /// Maps one Dictionary member onto the `Cache-Control` directive of the same name
    /// (RFC 9213 §2.1): Boolean true is a directive without argument, an Integer a
    /// delta-seconds, a String, Token or Inner List of them a field-name list (`no-cache`,
    /// `private`). A value of the wrong type (`max-age="60"`, `max-age=1.5`) is an invalid
    /// argument, handled as in `Cache-Control`: an invalid `max-age` means stale.
    static func apply(_ member: ItemOrInnerList, named name: UnsafeRawBufferPointer, to directives: inout CacheControl) {
        switch member {
        case .item(let item):
            switch item.rfc9651BareItem {
            case .bool(true):
                directives.apply(name: name, argument: nil, quoted: false)
            case .bool(false):
                return  // An explicit false is the directive's absence.
            case .integer(let value):
                var text = value >= 0 ? String(value) : "-"
                text.withUTF8 { directives.apply(name: name, argument: UnsafeRawBufferPointer($0), quoted: false) }
            case .string(let value) where takesFieldNames(name), .token(let value) where takesFieldNames(name):
                var text = value
                text.withUTF8 { directives.apply(name: name, argument: UnsafeRawBufferPointer($0), quoted: true) }
            default:
                var invalid = "-"
                invalid.withUTF8 { directives.apply(name: name, argument: UnsafeRawBufferPointer($0), quoted: false) }
            }
        case .innerList(let list):
            var names: [String] = []
            for item in list.bareInnerList {
                switch item.rfc9651BareItem {
                case .string(let value), .token(let value): names.append(value)
                default: break
                }
            }
            var text = names.joined(separator: ",")
            text.withUTF8 { directives.apply(name: name, argument: UnsafeRawBufferPointer($0), quoted: true) }
        }
    }
}
