import HTTPTypes

/// Reads, from raw bytes, the head of a request simple enough to be answered without NIO's
/// HTTP/1 decoder: `GET` or `HEAD`, an origin-form target, `HTTP/1.1`, exactly one `Host`,
/// no content (no `Content-Length`, `Transfer-Encoding`), no `Expect` or `Upgrade`, and no
/// `Connection` option other than `keep-alive`. Only bytes RFC 9112 §3 and RFC 9110 §5 allow
/// are accepted: token field names, values of visible ASCII, spaces and tabs (no obs-fold, no
/// obs-text), every line ending in CRLF.
///
/// Anything else is declined and left to the decoder, which is always a correct outcome:
/// this only has to be right about what it accepts.
enum SimpleRequestHead {
    enum Outcome {
        /// The head is not complete yet; bytes before `searched` need not be searched again.
        case incomplete(searched: Int)
        /// Not a request this reader answers: the decoder gets it.
        case declined
        /// A request whose head is the first `length` bytes.
        case request(HTTPRequest, length: Int)
    }

    /// The largest head read; a longer one is declined.
    static let maximumLength = 8 * 1024
    /// The most fields read; a request with more is declined.
    static let maximumFieldCount = 64

    /// Reads the request at the start of `bytes`. `searchedFrom` is the `searched` of the
    /// previous `incomplete` outcome for the same bytes (then grown), or zero.
    static func read(_ bytes: UnsafeRawBufferPointer, searchedFrom: Int = 0) -> Outcome {
        guard startsWithMethod(bytes) else { return .declined }
        guard let end = headEnd(bytes, from: searchedFrom) else {
            if bytes.count >= maximumLength { return .declined }
            // A bare LF never ends a head here: the decoder refuses it now rather than the
            // client waiting for an end that will not come (RFC 9112 §2.2).
            if hasBareLF(bytes, from: max(0, searchedFrom - 1)) { return .declined }
            return .incomplete(searched: max(0, bytes.count - 3))
        }
        guard let request = request(UnsafeRawBufferPointer(rebasing: bytes[..<end])) else { return .declined }
        return .request(request, length: end)
    }

    /// Whether the bytes start, or may still start, with `GET ` or `HEAD `.
    static func startsWithMethod(_ bytes: UnsafeRawBufferPointer) -> Bool {
        let get: StaticString = "GET "
        let head: StaticString = "HEAD "
        return isPrefix(get, of: bytes) || isPrefix(head, of: bytes)
    }

    private static func isPrefix(_ prefix: StaticString, of bytes: UnsafeRawBufferPointer) -> Bool {
        let count = min(prefix.utf8CodeUnitCount, bytes.count)
        for index in 0..<count where bytes[index] != prefix.utf8Start[index] { return false }
        return true
    }

    static func hasBareLF(_ bytes: UnsafeRawBufferPointer, from: Int) -> Bool {
        var index = from
        while index < bytes.count {
            if bytes[index] == lf, index == 0 || bytes[index - 1] != cr { return true }
            index += 1
        }
        return false
    }

    /// The offset just past the first CRLF CRLF within the bound, searching from `from`.
    static func headEnd(_ bytes: UnsafeRawBufferPointer, from: Int) -> Int? {
        let limit = min(bytes.count, maximumLength)
        var index = max(from, 0)
        while index + 3 < limit {
            if bytes[index + 3] != lf {
                // The terminator cannot end at index + 3: skip ahead by what it allows.
                index += bytes[index + 3] == cr ? 1 : 4
                continue
            }
            if bytes[index] == cr, bytes[index + 1] == lf, bytes[index + 2] == cr { return index + 4 }
            index += 1
        }
        return nil
    }

    /// The request a complete head (ending in CRLF CRLF) holds, or `nil` to decline it.
    private static func request(_ head: UnsafeRawBufferPointer) -> HTTPRequest? {
        var builder = RequestBuilder()
        guard let method = scan(head, into: &builder), let target = builder.target, let host = builder.host else { return nil }
        return HTTPRequest(method: method, scheme: "http", authority: host, path: target, headerFields: builder.fields)
    }

    /// What the reader tells of an accepted head, part by part, in order.
    protocol Visitor {
        mutating func target(_ bytes: UnsafeRawBufferPointer)
        mutating func host(_ value: UnsafeRawBufferPointer)
        /// A field other than `Host`; `false` declines the head.
        mutating func field(name: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer) -> Bool
    }

    private struct RequestBuilder: Visitor {
        var target: String?
        var host: String?
        var fields = HTTPFields()

        mutating func target(_ bytes: UnsafeRawBufferPointer) {
            target = String(decoding: bytes, as: UTF8.self)
        }

        mutating func host(_ value: UnsafeRawBufferPointer) {
            host = String(decoding: value, as: UTF8.self)
        }

        mutating func field(name: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer) -> Bool {
            guard let name = HTTPField.Name(String(decoding: name, as: UTF8.self)) else { return false }
            fields.append(HTTPField(name: name, value: String(decoding: value, as: UTF8.self)))
            return true
        }
    }

    /// Checks a complete head (ending in CRLF CRLF) against the grammar and the limits, telling
    /// `visitor` its parts; the method, or `nil` to decline it. The one definition of what this
    /// reader accepts, whatever is built from it.
    static func scan<V: Visitor>(_ head: UnsafeRawBufferPointer, into visitor: inout V) -> HTTPRequest.Method? {
        guard head.count <= maximumLength else { return nil }
        // Read once here: a `static let` read in the loops below costs a check on every byte.
        let classes = Self.classes
        var index = 0
        let end = head.count - 2  // before the CRLF of the empty line

        // request-line = method SP request-target SP HTTP-version CRLF (RFC 9112 §3)
        let method: HTTPRequest.Method
        if isPrefix("GET ", of: head) {
            method = .get
            index += 4
        } else if isPrefix("HEAD ", of: head) {
            method = .head
            index += 5
        } else {
            return nil
        }
        let targetStart = index
        guard index < end, head[index] == UInt8(ascii: "/") else { return nil }
        while index < end, head[index] != space {
            let byte = head[index]
            guard classes[Int(byte)] & targetByte != 0 else { return nil }
            if byte == UInt8(ascii: "%") {
                guard index + 2 < end, isHexDigit(head[index + 1]), isHexDigit(head[index + 2]) else { return nil }
                index += 2
            }
            index += 1
        }
        let targetEnd = index
        let version: StaticString = " HTTP/1.1\r\n"
        guard index + version.utf8CodeUnitCount <= end + 2 else { return nil }
        for offset in 0..<version.utf8CodeUnitCount where head[index + offset] != version.utf8Start[offset] { return nil }
        index += version.utf8CodeUnitCount
        visitor.target(bytes(head, targetStart..<targetEnd))

        // field-line = field-name ":" OWS field-value OWS CRLF (RFC 9112 §5)
        var hasHost = false
        var fieldCount = 0
        while index < end {
            fieldCount += 1
            guard fieldCount <= maximumFieldCount else { return nil }
            let nameStart = index
            while index < end, classes[Int(head[index])] & tokenByte != 0 { index += 1 }
            // An empty name is also what an obs-fold line (one starting with a space) gives.
            guard index > nameStart, index < end, head[index] == UInt8(ascii: ":") else { return nil }
            let nameEnd = index
            index += 1
            while index < end, head[index] == space || head[index] == tab { index += 1 }
            let valueStart = index
            var valueEnd = index
            while index < end, head[index] != cr {
                let byte = head[index]
                guard classes[Int(byte)] & valueByte != 0 else { return nil }
                index += 1
                if byte != space, byte != tab { valueEnd = index }
            }
            guard index < end, head[index + 1] == lf else { return nil }
            index += 2

            switch kind(of: head, nameStart..<nameEnd) {
            case .host:
                guard !hasHost else { return nil }
                hasHost = true
                visitor.host(bytes(head, valueStart..<valueEnd))
                continue
            case .framing:
                return nil
            case .connection:
                guard onlyKeepAlive(head, valueStart..<valueEnd) else { return nil }
            case .other:
                break
            }
            guard visitor.field(name: bytes(head, nameStart..<nameEnd), value: bytes(head, valueStart..<valueEnd)) else { return nil }
        }
        return hasHost ? method : nil
    }

    private enum FieldKind {
        case host, framing, connection, other
    }

    /// The fields this reader must look at: `Host`, those that frame content or change the
    /// protocol (declined), and `Connection`.
    private static func kind(of head: UnsafeRawBufferPointer, _ range: Range<Int>) -> FieldKind {
        switch range.count {
        case 4 where equalsIgnoringCase(head, range, "host"): return .host
        case 6 where equalsIgnoringCase(head, range, "expect"): return .framing
        case 7 where equalsIgnoringCase(head, range, "upgrade"): return .framing
        case 10 where equalsIgnoringCase(head, range, "connection"): return .connection
        case 14 where equalsIgnoringCase(head, range, "content-length"): return .framing
        case 17 where equalsIgnoringCase(head, range, "transfer-encoding"): return .framing
        default: return .other
        }
    }

    /// Whether every option of a `Connection` value is `keep-alive` (RFC 9110 §7.6.1).
    private static func onlyKeepAlive(_ head: UnsafeRawBufferPointer, _ range: Range<Int>) -> Bool {
        var start = range.lowerBound
        while start <= range.upperBound {
            var stop = start
            while stop < range.upperBound, head[stop] != UInt8(ascii: ",") { stop += 1 }
            var low = start
            var high = stop
            while low < high, head[low] == space || head[low] == tab { low += 1 }
            while high > low, head[high - 1] == space || head[high - 1] == tab { high -= 1 }
            // Empty list elements are allowed (RFC 9110 §5.6.1); anything else must be keep-alive.
            if low < high, !(high - low == 10 && equalsIgnoringCase(head, low..<high, "keep-alive")) { return false }
            start = stop + 1
        }
        return true
    }

    private static func equalsIgnoringCase(_ head: UnsafeRawBufferPointer, _ range: Range<Int>, _ lowercase: StaticString) -> Bool {
        guard range.count == lowercase.utf8CodeUnitCount else { return false }
        for offset in 0..<range.count {
            var byte = head[range.lowerBound + offset]
            if byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") { byte |= 0x20 }
            if byte != lowercase.utf8Start[offset] { return false }
        }
        return true
    }

    private static func bytes(_ head: UnsafeRawBufferPointer, _ range: Range<Int>) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(rebasing: head[range])
    }

    private static func isHexDigit(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "a")...UInt8(ascii: "f"), UInt8(ascii: "A")...UInt8(ascii: "F"): return true
        default: return false
        }
    }

    private static let cr = UInt8(ascii: "\r")
    private static let lf = UInt8(ascii: "\n")
    private static let space = UInt8(ascii: " ")
    private static let tab = UInt8(ascii: "\t")

    private static let tokenByte: UInt8 = 1
    private static let targetByte: UInt8 = 2
    private static let valueByte: UInt8 = 4

    /// For each byte, which of the three grammars allow it:
    /// - `tchar` (RFC 9110 §5.6.2) for field names;
    /// - `pchar / "/" / "?"` (RFC 3986 §3.3, §3.4) for the origin-form target, `%` followed by
    ///   two hex digits;
    /// - `VCHAR / SP / HTAB` for field values (RFC 9110 §5.5, without obs-text).
    private static let classes: [UInt8] = (0..<256).map { value in
        let byte = UInt8(value)
        var flags: UInt8 = 0
        let alphanumeric =
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
            || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
        if alphanumeric || "!#$%&'*+-.^_`|~".utf8.contains(byte) { flags |= tokenByte }
        if alphanumeric || "-._~%!$&'()*+,;=:@/?".utf8.contains(byte) { flags |= targetByte }
        if (0x21...0x7E).contains(byte) || byte == space || byte == tab { flags |= valueByte }
        return flags
    }
}
