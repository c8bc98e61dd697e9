import NIOCore

/// Reads RESP2 values from bytes as they arrive (Redis protocol spec, "RESP protocol
/// description"): one complete value off the front of a buffer, or nil with nothing consumed
/// when the buffer holds only the beginning of one.
///
/// Any bytes are accepted: every length is checked against `limits` before anything is
/// allocated (an array reserves room only for the elements whose bytes are present), nesting
/// is bounded, and every malformation is a `RESPDecodingError`. Arrays are read without
/// recursion, as a stack of the arrays still open.
///
/// `next` keeps what it has read of an incomplete value (the open arrays and their elements so
/// far, and how many bytes after the reader index they took) and goes on from there when more
/// bytes arrive, so a large reply arriving in many reads is read once, not again from its start
/// at each read. It relies on the bytes from the reader index on staying as they were between
/// calls, as `ByteToMessageHandler` guarantees. `parse` starts afresh each time.
public struct RESPParser: Sendable {
    public var limits: RESPDecoderLimits

    /// The arrays opened and not yet complete, outermost first.
    private var open: [OpenArray] = []
    /// Bytes after the reader index already read into `open`.
    private var offset = 0

    private struct OpenArray: Sendable {
        var remaining: Int
        var elements: [RESPValue]
    }

    public init(limits: RESPDecoderLimits = .default) {
        self.limits = limits
    }

    /// One value from the front of `buffer`, its bytes consumed; nil when more bytes are
    /// needed. Starts from the reader index, whatever an earlier call read.
    public func parse(_ buffer: inout ByteBuffer) throws(RESPDecodingError) -> RESPValue? {
        var fresh = RESPParser(limits: limits)
        return try fresh.next(&buffer)
    }

    /// One value from the front of `buffer`, its bytes consumed; nil when more bytes are
    /// needed, in which case what was read so far is kept for the next call with the same
    /// bytes and more. After an error the parser starts afresh.
    public mutating func next(_ buffer: inout ByteBuffer) throws(RESPDecodingError) -> RESPValue? {
        do {
            return try step(&buffer)
        } catch {
            open = []
            offset = 0
            throw error
        }
    }

    private enum Item {
        case value(RESPValue)
        case array(count: Int)
    }

    private mutating func step(_ buffer: inout ByteBuffer) throws(RESPDecodingError) -> RESPValue? {
        while true {
            var index = buffer.readerIndex + offset
            guard let item = try item(in: buffer, at: &index) else { return nil }
            offset = index - buffer.readerIndex
            var value: RESPValue
            switch item {
            case .value(let scalar):
                value = scalar
            case .array(let count):
                guard open.count < limits.maximumDepth else { throw .nestedTooDeep(limit: limits.maximumDepth) }
                if count == 0 {
                    value = .array([])
                    break
                }
                // Room for the elements whose bytes may be present (each takes at least 3:
                // `+\r\n`), never for a count the peer only claims.
                var elements: [RESPValue] = []
                elements.reserveCapacity(min(count, (buffer.writerIndex - index) / 3))
                open.append(OpenArray(remaining: count, elements: elements))
                continue
            }
            // A complete value: an element of the innermost open array, which may complete it
            // and its parents in turn; or the whole reply.
            while !open.isEmpty {
                let last = open.count - 1
                open[last].elements.append(value)
                open[last].remaining -= 1
                guard open[last].remaining == 0 else { break }
                value = .array(open.removeLast().elements)
            }
            if open.isEmpty {
                buffer.moveReaderIndex(forwardBy: offset)
                offset = 0
                return value
            }
        }
    }

    private static let cr = UInt8(ascii: "\r")
    private static let lf = UInt8(ascii: "\n")

    /// A simple string, error, integer, bulk string or null at `index`, or an array's header;
    /// nil when its bytes have not all arrived.
    private func item(in buffer: ByteBuffer, at index: inout Int) throws(RESPDecodingError) -> Item? {
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
            return .value(.simpleString(buffer.getSlice(at: line.lowerBound, length: line.count)!))
        case UInt8(ascii: "-"):
            index = next
            return .value(.error(buffer.getSlice(at: line.lowerBound, length: line.count)!))
        case UInt8(ascii: ":"):
            let value = try integer(in: buffer, line)
            index = next
            return .value(.integer(value))
        case UInt8(ascii: "$"):
            // Bulk string: `$<length>\r\n<bytes>\r\n`; `$-1\r\n` is the RESP2 null.
            let length = try integer(in: buffer, line)
            if length == -1 {
                index = next
                return .value(.null)
            }
            guard length >= 0 else { throw .invalidLength(length) }
            guard length <= Int64(limits.maximumBulkLength) else { throw .bulkTooLong(length: length, limit: limits.maximumBulkLength) }
            let count = Int(length)
            guard buffer.writerIndex - next >= count + 2 else { return nil }
            guard buffer.getInteger(at: next + count, as: UInt8.self) == Self.cr,
                buffer.getInteger(at: next + count + 1, as: UInt8.self) == Self.lf
            else { throw .missingCRLF }
            index = next + count + 2
            return .value(.bulkString(buffer.getSlice(at: next, length: count)!))
        default:
            // Array: `*<count>\r\n` then count values; `*-1\r\n` is the RESP2 null array.
            let count = try integer(in: buffer, line)
            if count == -1 {
                index = next
                return .value(.null)
            }
            guard count >= 0 else { throw .invalidLength(count) }
            guard count <= Int64(limits.maximumArrayCount) else { throw .arrayTooLong(count: count, limit: limits.maximumArrayCount) }
            index = next
            return .array(count: Int(count))
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
