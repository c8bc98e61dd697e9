/// Why bytes are not a RESP2 value. Every failure of the decoder is one of these; the
/// connection that read them is closed, since after a framing error the stream cannot be
/// resynchronised (the protocol has no frame markers beyond lengths and CRLF).
public enum RESPDecodingError: Error, Sendable, Hashable {
    /// A type byte other than `+ - : $ *` (RESP3 types included: we never negotiate RESP3).
    case unknownType(UInt8)
    /// A line (type byte to CRLF) longer than the limit without its CRLF.
    case lineTooLong(limit: Int)
    /// A CR not followed by LF, or a bulk string not followed by CRLF.
    case missingCRLF
    /// An integer or length that is not `-?[0-9]+` or overflows 64 bits.
    case invalidInteger
    /// A length below -1.
    case invalidLength(Int64)
    /// A bulk string longer than the limit (Redis's own `proto-max-bulk-len` is 512 MiB).
    case bulkTooLong(length: Int64, limit: Int)
    /// An array with more elements than the limit.
    case arrayTooLong(count: Int64, limit: Int)
    /// Arrays nested deeper than the limit.
    case nestedTooDeep(limit: Int)
}
