import HTTPTypes

/// The parts of a simple request (``SimpleRequestHead``) that decide how the files answer it,
/// as bytes: two requests with the same key get the same answer from
/// ``ConditionalFileMiddleware/answerAtOnce(_:now:)`` at the same time, whatever else their
/// heads carry (`User-Agent`, cookies, a request id), so the socket loop remembers answers by
/// key and not only by the exact bytes of the head.
///
/// The answer reads the method, the target, the precondition and range fields
/// (RFC 9110 §13.1, §14.2: `If-Match`, `If-None-Match`, `If-Modified-Since`,
/// `If-Unmodified-Since`, `If-Range`, `Range`) and `Accept-Encoding` (the precompressed
/// sibling chosen); nothing else of the request. Every line of those fields is kept, in order,
/// with its value as the reader trimmed it.
///
/// Layout: the method's first byte, then the target, then one entry per kept field line, each
/// part as a one-byte field number (0 for the target), a two-byte length and the bytes.
enum AnswerKey {
    enum Outcome: Equatable {
        /// The reader declines the head.
        case declined
        /// The reader accepts the head; its key is the first `count` bytes of the buffer.
        case key(count: Int)
        /// The reader accepts the head, and its key does not fit in the buffer.
        case unkeyed
    }

    /// The fields the answer depends on, numbered from 1 in the key.
    static let fields: [HTTPField.Name] = [.ifMatch, .ifNoneMatch, .ifModifiedSince, .ifUnmodifiedSince, .ifRange, .range, .acceptEncoding]

    /// Writes the key of the complete head `head` (ending in CRLF CRLF) into `buffer`.
    static func write(_ head: UnsafeRawBufferPointer, into buffer: UnsafeMutableRawBufferPointer) -> Outcome {
        guard buffer.count > 0 else { return .unkeyed }
        var writer = Writer(buffer: buffer)
        guard let method = SimpleRequestHead.scan(head, into: &writer) else { return .declined }
        guard !writer.overflowed else { return .unkeyed }
        buffer[0] = method == .get ? UInt8(ascii: "G") : UInt8(ascii: "H")
        return .key(count: writer.count)
    }

    private struct Writer: SimpleRequestHead.Visitor {
        let buffer: UnsafeMutableRawBufferPointer
        /// Byte 0 is the method's, written last.
        var count = 1
        var overflowed = false

        mutating func target(_ bytes: UnsafeRawBufferPointer) {
            append(0, bytes)
        }

        mutating func host(_ value: UnsafeRawBufferPointer) {}

        mutating func field(name: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer) -> Bool {
            if let number = AnswerKey.number(ofField: name) { append(number, value) }
            return true
        }

        private mutating func append(_ number: UInt8, _ bytes: UnsafeRawBufferPointer) {
            guard !overflowed, count + 3 + bytes.count <= buffer.count else {
                overflowed = true
                return
            }
            buffer[count] = number
            buffer[count + 1] = UInt8(truncatingIfNeeded: bytes.count >> 8)
            buffer[count + 2] = UInt8(truncatingIfNeeded: bytes.count)
            UnsafeMutableRawBufferPointer(rebasing: buffer[(count + 3)...]).copyMemory(from: bytes)
            count += 3 + bytes.count
        }
    }

    /// The number of a field in the key (its place in ``fields`` plus one), by its name in any
    /// case; `nil` for a field the answer does not read.
    static func number(ofField name: UnsafeRawBufferPointer) -> UInt8? {
        // Lengths tell most names apart before any byte is compared.
        switch name.count {
        case 5: return equalsIgnoringCase(name, "range") ? 6 : nil
        case 8:
            if equalsIgnoringCase(name, "if-match") { return 1 }
            return equalsIgnoringCase(name, "if-range") ? 5 : nil
        case 13: return equalsIgnoringCase(name, "if-none-match") ? 2 : nil
        case 15: return equalsIgnoringCase(name, "accept-encoding") ? 7 : nil
        case 17: return equalsIgnoringCase(name, "if-modified-since") ? 3 : nil
        case 19: return equalsIgnoringCase(name, "if-unmodified-since") ? 4 : nil
        default: return nil
        }
    }

    private static func equalsIgnoringCase(_ bytes: UnsafeRawBufferPointer, _ lowercase: StaticString) -> Bool {
        guard bytes.count == lowercase.utf8CodeUnitCount else { return false }
        for offset in 0..<bytes.count {
            var byte = bytes[offset]
            if byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") { byte |= 0x20 }
            if byte != lowercase.utf8Start[offset] { return false }
        }
        return true
    }

    /// What a key holds, read back: the method, the target and the kept field lines.
    static func parts(of key: UnsafeRawBufferPointer) -> (method: HTTPRequest.Method, target: String, fields: [HTTPField])? {
        guard key.count >= 1 else { return nil }
        let method: HTTPRequest.Method = key[0] == UInt8(ascii: "G") ? .get : .head
        var index = 1
        var target: String?
        var fields: [HTTPField] = []
        while index + 3 <= key.count {
            let number = Int(key[index])
            let length = Int(key[index + 1]) << 8 | Int(key[index + 2])
            guard index + 3 + length <= key.count else { return nil }
            let value = String(decoding: UnsafeRawBufferPointer(rebasing: key[(index + 3)..<(index + 3 + length)]), as: UTF8.self)
            if number == 0 {
                target = value
            } else if number <= AnswerKey.fields.count {
                fields.append(HTTPField(name: AnswerKey.fields[number - 1], value: value))
            } else {
                return nil
            }
            index += 3 + length
        }
        guard index == key.count, let target else { return nil }
        return (method, target, fields)
    }
}
