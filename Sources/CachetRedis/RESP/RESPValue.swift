import NIOCore

/// One RESP2 value, as a Redis server replies (Redis protocol spec, "RESP protocol description").
///
/// Only RESP2 is spoken: the client never sends `HELLO 3`, so a server never answers in RESP3
/// on our connections (Redis 7 starts every connection in RESP2), every command the shared tier
/// needs has a RESP2 reply, and pub/sub runs on a dedicated connection where RESP3's push type
/// would add nothing. The decoder rejects RESP3 type bytes with a typed error.
///
/// Strings stay bytes (`ByteBuffer`): Redis values are binary-safe and cached bodies are not text.
public enum RESPValue: Sendable, Hashable {
    /// `+OK\r\n`: a short status line, never containing CR or LF.
    case simpleString(ByteBuffer)
    /// `-ERR message\r\n`: the server refused the command; the connection stays usable.
    case error(ByteBuffer)
    /// `:42\r\n`: a signed 64-bit integer.
    case integer(Int64)
    /// `$5\r\nhello\r\n`: binary-safe bytes.
    case bulkString(ByteBuffer)
    /// `$-1\r\n` or `*-1\r\n`: the RESP2 null bulk string and null array, which carry the same
    /// meaning ("no value"); re-encoded as `$-1\r\n`.
    case null
    /// `*2\r\n...`: an ordered list of values, possibly nested.
    case array([RESPValue])
}

extension RESPValue {
    /// The bytes of a simple or bulk string.
    public var bytes: ByteBuffer? {
        switch self {
        case .simpleString(let buffer), .bulkString(let buffer): buffer
        default: nil
        }
    }

    /// A simple or bulk string as UTF-8 text (invalid sequences repaired), or an integer's digits.
    public var string: String? {
        switch self {
        case .simpleString(let buffer), .bulkString(let buffer): String(buffer: buffer)
        case .integer(let value): String(value)
        default: nil
        }
    }

    /// An integer, or a bulk/simple string holding a decimal integer (as `GET` of a counter).
    public var int: Int? {
        switch self {
        case .integer(let value): Int(exactly: value)
        case .simpleString(let buffer), .bulkString(let buffer): Int(String(buffer: buffer))
        default: nil
        }
    }

    /// The elements of an array.
    public var array: [RESPValue]? {
        if case .array(let values) = self { return values }
        return nil
    }

    public var isNull: Bool { self == .null }

    /// The message of an error reply.
    public var errorMessage: String? {
        if case .error(let buffer) = self { return String(buffer: buffer) }
        return nil
    }
}

extension RESPValue: CustomStringConvertible {
    public var description: String {
        switch self {
        case .simpleString(let buffer): "+\(String(buffer: buffer))"
        case .error(let buffer): "-\(String(buffer: buffer))"
        case .integer(let value): ":\(value)"
        case .bulkString(let buffer): "$\(buffer.readableBytes) \(String(decoding: buffer.readableBytesView.prefix(64), as: UTF8.self).debugDescription)"
        case .null: "(null)"
        case .array(let values): "[\(values.map(\.description).joined(separator: ", "))]"
        }
    }
}
