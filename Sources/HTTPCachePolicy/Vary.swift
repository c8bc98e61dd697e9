import HTTPTypes

/// The secondary cache key of a stored response (RFC 9111 §4.1): the values, in the request
/// that produced it, of the request fields its `Vary` field names.
///
/// Values are normalised before they are compared, as §4.1 allows: the field lines of one
/// field are combined, list elements are trimmed of surrounding whitespace and joined with
/// `", "`, empty elements are dropped (RFC 9110 §5.6.1), and the values of fields whose
/// elements are case-insensitive tokens (`Accept-Encoding`, `Accept-Charset`,
/// `Accept-Language`) are lowercased. Field names are case-insensitive. An absent field
/// matches only an absent field. `Vary: *` matches no request (§4.1).
public struct VaryKey: Sendable, Hashable, Codable {
    /// One field named by `Vary` and its normalised value in the original request.
    public struct Entry: Sendable, Hashable, Codable {
        /// The request field's name.
        public let name: HTTPField.Name
        /// Its normalised value, or `nil` when the request did not have it.
        public let value: String?

        /// Creates an entry.
        public init(name: HTTPField.Name, value: String?) {
            self.name = name
            self.value = value
        }
    }

    /// The response had `Vary: *`: it can be stored but never selected.
    public let varyAll: Bool
    /// The fields named by `Vary`, in order, without duplicates.
    public let entries: [Entry]

    /// The secondary key of a response to a request.
    public init(request: HTTPFields, response: HTTPFields) {
        let (names, all) = Self.fieldNames(in: response)
        self.varyAll = all
        self.entries = all ? [] : names.map { Entry(name: $0, value: Self.normalizedValue(of: $0, in: request)) }
    }

    /// Whether the response has no `Vary` field (or an empty one): every request matches.
    public var isEmpty: Bool { !varyAll && entries.isEmpty }

    /// Whether a new request may be answered by the stored response (RFC 9111 §4.1). This
    /// compares the request's field bytes in place and allocates nothing.
    public func matches(_ request: HTTPFields) -> Bool {
        if varyAll { return false }
        for entry in entries where !Self.matches(entry, request) { return false }
        return true
    }

    /// The field names listed by a response's `Vary` lines, and whether one is `*`.
    public static func fieldNames(in response: HTTPFields) -> ([HTTPField.Name], all: Bool) {
        var names: [HTTPField.Name] = []
        for field in response where field.name == .vary {
            for element in field.value.split(separator: ",") {
                let text = element.trimmingOWS
                if text == "*" { return ([], true) }
                if let name = HTTPField.Name(String(text)), !names.contains(name) { names.append(name) }
            }
        }
        return (names, false)
    }

    /// The normalised value of a request field, or `nil` when the request lacks it.
    public static func normalizedValue(of name: HTTPField.Name, in fields: HTTPFields) -> String? {
        var present = false
        var bytes: [UInt8] = []
        let foldCase = isCaseInsensitive(name)
        for field in fields where field.name == name {
            present = true
            field.withValueBuffer { value in
                forEachElement(value) { element in
                    if !bytes.isEmpty { bytes.append(contentsOf: [0x2C, 0x20]) }
                    for byte in element { bytes.append(foldCase ? ASCII.lowercased(byte) : byte) }
                }
            }
        }
        return present ? String(decoding: bytes, as: UTF8.self) : nil
    }

    static func isCaseInsensitive(_ name: HTTPField.Name) -> Bool {
        name == .acceptEncoding || name == .acceptLanguage || name == Self.acceptCharset
    }

    static let acceptCharset = HTTPField.Name("Accept-Charset")!

    /// Calls `body` with each non-empty, trimmed list element of a field value.
    static func forEachElement(_ value: UnsafeRawBufferPointer, _ body: (UnsafeRawBufferPointer) -> Void) {
        var start = 0
        for i in 0...value.count where i == value.count || value[i] == UInt8(ascii: ",") {
            let element = ASCII.trimmed(UnsafeRawBufferPointer(rebasing: value[start..<i]))
            if !element.isEmpty { body(element) }
            start = i + 1
        }
    }

    /// Streams the request's elements of `entry.name` against the stored normalised value.
    static func matches(_ entry: Entry, _ request: HTTPFields) -> Bool {
        var present = false
        for field in request where field.name == entry.name {
            present = true
            break
        }
        guard var stored = entry.value else { return !present }
        guard present else { return false }
        let foldCase = isCaseInsensitive(entry.name)
        return stored.withUTF8 { storedBytes in
            var position = 0
            var mismatch = false
            for field in request where field.name == entry.name && !mismatch {
                field.withValueBuffer { value in
                    forEachElement(value) { element in
                        guard !mismatch else { return }
                        if position > 0 {
                            guard position + 2 <= storedBytes.count, storedBytes[position] == 0x2C,
                                storedBytes[position + 1] == 0x20
                            else { return mismatch = true }
                            position += 2
                        }
                        guard position + element.count <= storedBytes.count else { return mismatch = true }
                        for i in 0..<element.count {
                            let byte = foldCase ? ASCII.lowercased(element[i]) : element[i]
                            if byte != storedBytes[position + i] { return mismatch = true }
                        }
                        position += element.count
                    }
                }
            }
            return !mismatch && position == storedBytes.count
        }
    }
}
