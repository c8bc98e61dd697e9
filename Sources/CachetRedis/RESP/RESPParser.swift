import NIOCore

/// Reads RESP2 values from bytes as they arrive (Redis protocol spec, "RESP protocol
/// description"): `parse` takes one complete value off the front of a buffer, or returns nil
/// and consumes nothing when the buffer holds only the beginning of one.
///
/// Any bytes are accepted: every length is checked against `limits` and against the bytes
/// actually present before anything is allocated, nesting is bounded (so recursion is too), and
/// every malformation is a `RESPDecodingError`.
public struct RESPParser: Sendable {
    public var limits: RESPDecoderLimits

    public init(limits: RESPDecoderLimits = .default) {
        self.limits = limits
    }

    /// One value from the front of `buffer`, its bytes consumed; nil when more bytes are needed.
    public func parse(_ buffer: inout ByteBuffer) throws(RESPDecodingError) -> RESPValue? {
        var index = buffer.readerIndex
        guard let value = try value(in: buffer, at: &index, depth: 0) else { return nil }
        buffer.moveReaderIndex(to: index)
        return value
    }

    private static let cr = UInt8(ascii: "\r")
    private static let lf = UInt8(ascii: "\n")

    private func value(in buffer: ByteBuffer, at index: inout Int, depth: Int) throws(RESPDecodingError) -> RESPValue? {
        guard let type = buffer.getInteger(at: index, as: UInt8.self) else { return nil }
        // Unknown types fail at once, before their line is looked for.
        switch type {
        case UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: ":"), UInt8(ascii: "$"), UInt8(ascii: "*"): break
        default: throw .unknownType(type)
        }
        guard let (line, next) = try line(in: buffer, from: index + 1) else { return nil }
        switch type {
        case UInt8(ascii: "+"):
            index = next
            return .simpleString(buffer.getSlice(at: line.lowerBound, length: line.count)!)
        case UInt8(ascii: "-"):
            index = next
            return .error(buffer.getSlice(at: line.lowerBound, length: line.count)!)
        case UInt8(ascii: ":"):
            let value = try integer(in: buffer, line)
            index = next
            return .integer(value)
        case UInt8(ascii: "$"):
            // Bulk string: `$<length>\r\n<bytes>\r\n`; `$-1\r\n` is the RESP2 null.
            let length = try integer(in: buffer, line)
            if length == -1 {
                index = next
                return .null
            }
            guard length >= 0 else { throw .invalidLength(length) }
            guard length <= Int64(limits.maximumBulkLength) else { throw .bulkTooLong(length: length, limit: limits.maximumBulkLength) }
            let count = Int(length)
            guard buffer.writerIndex - next >= count + 2 else { return nil }
            guard buffer.getInteger(at: next + count, as: UInt8.self) == Self.cr,
                buffer.getInteger(at: next + count + 1, as: UInt8.self) == Self.lf
            else { throw .missingCRLF }
            index = next + count + 2
            return .bulkString(buffer.getSlice(at: next, length: count)!)
        default:
            // Array: `*<count>\r\n` then count values; `*-1\r\n` is the RESP2 null array.
            let count = try integer(in: buffer, line)
            if count == -1 {
                index = next
                return .null
            }
            guard count >= 0 else { throw .invalidLength(count) }
            guard count <= Int64(limits.maximumArrayCount) else { throw .arrayTooLong(count: count, limit: limits.maximumArrayCount) }
            guard depth < limits.maximumDepth else { throw .nestedTooDeep(limit: limits.maximumDepth) }
            // Every element takes at least 3 bytes (`+\r\n`): fewer bytes present means the
            // array cannot be complete, so nothing is reserved for a count the peer only claims.
            guard Int(count) <= (buffer.writerIndex - next) / 3 else { return nil }
            var elements: [RESPValue] = []
            elements.reserveCapacity(Int(count))
            var position = next
            for _ in 0..<count {
                guard let element = try value(in: buffer, at: &position, depth: depth + 1) else { return nil }
                elements.append(element)
            }
            index = position
            return .array(elements)
        }
    }

    /// The content of the line starting at `start` (up to its CRLF) and the index after the LF;
    /// nil when the CRLF has not arrived yet. A CR or LF out of place is an error: RESP lines
    /// never contain either.
    private func line(in buffer: ByteBuffer, from start: Int) throws(RESPDecodingError) -> (Range<Int>, Int)? {
        let available = buffer.writerIndex - start
        let searched = min(available, limits.maximumLineLength + 1)
        let offset = buffer.withUnsafeReadableBytes { raw -> Int? in
            let base = start - buffer.readerIndex
            for i in 0..<searched {
                let byte = raw[base + i]
                if byte == Self.cr || byte == Self.lf { return i }
            }
            return nil
        }
        guard let offset else {
            if available > limits.maximumLineLength { throw .lineTooLong(limit: limits.maximumLineLength) }
            return nil
        }
        if offset > limits.maximumLineLength { throw .lineTooLong(limit: limits.maximumLineLength) }
        let crIndex = start + offset
        guard buffer.getInteger(at: crIndex, as: UInt8.self) == Self.cr else { throw .missingCRLF }
        guard let after = buffer.getInteger(at: crIndex + 1, as: UInt8.self) else { return nil }
        guard after == Self.lf else { throw .missingCRLF }
        return (start..<crIndex, crIndex + 2)
    }

    /// `-?[0-9]+` as a 64-bit integer (the spec's integers and lengths).
    private func integer(in buffer: ByteBuffer, _ range: Range<Int>) throws(RESPDecodingError) -> Int64 {
        let result = buffer.withUnsafeReadableBytes { raw -> Int64? in
            var i = range.lowerBound - buffer.readerIndex
            let end = range.upperBound - buffer.readerIndex
            var negative = false
            if i < end, raw[i] == UInt8(ascii: "-") {
                negative = true
                i += 1
            }
            guard i < end else { return nil }
            var value: Int64 = 0
            while i < end {
                let digit = raw[i] &- UInt8(ascii: "0")
                guard digit < 10 else { return nil }
                let (shifted, o1) = value.multipliedReportingOverflow(by: 10)
                // Accumulate negatively so that Int64.min parses.
                let (added, o2) = negative ? shifted.subtractingReportingOverflow(Int64(digit)) : shifted.addingReportingOverflow(Int64(digit))
                guard !o1, !o2 else { return nil }
                value = added
                i += 1
            }
            return value
        }
        guard let result else { throw .invalidInteger }
        return result
    }
}
