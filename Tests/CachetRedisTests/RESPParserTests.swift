import NIOCore
import Testing

@testable import CachetRedis

/// The decoder on well-formed replies (whole, and split at every byte), on malformed bytes
/// (each a typed error), and at its limits.
@Suite("RESP decoder")
struct RESPParserTests {
    static let valid: [(String, RESPValue)] = [
        ("+OK\r\n", .simpleString(ByteBuffer(string: "OK"))),
        ("+\r\n", .simpleString(ByteBuffer())),
        ("-ERR unknown command 'FOO'\r\n", .error(ByteBuffer(string: "ERR unknown command 'FOO'"))),
        (":0\r\n", .integer(0)),
        (":-42\r\n", .integer(-42)),
        (":9223372036854775807\r\n", .integer(.max)),
        (":-9223372036854775808\r\n", .integer(.min)),
        ("$5\r\nhello\r\n", .bulkString(ByteBuffer(string: "hello"))),
        ("$0\r\n\r\n", .bulkString(ByteBuffer())),
        // Bulk strings are binary-safe: CR, LF and NUL inside are bytes like any other.
        ("$4\r\na\r\n\0\r\n", .bulkString(ByteBuffer(bytes: [0x61, 0x0D, 0x0A, 0x00]))),
        ("$-1\r\n", .null),
        ("*-1\r\n", .null),
        ("*0\r\n", .array([])),
        ("*2\r\n$3\r\nfoo\r\n:7\r\n", .array([.bulkString(ByteBuffer(string: "foo")), .integer(7)])),
        ("*3\r\n:1\r\n*2\r\n+a\r\n$-1\r\n-E\r\n", .array([.integer(1), .array([.simpleString(ByteBuffer(string: "a")), .null]), .error(ByteBuffer(string: "E"))])),
    ]

    @Test("well-formed values decode whole, and consume exactly their bytes", arguments: 0..<valid.count)
    func decodesWhole(_ index: Int) throws {
        let (wire, expected) = Self.valid[index]
        var buffer = ByteBuffer(string: wire + "+next\r\n")
        #expect(try RESPParser().parse(&buffer) == expected)
        #expect(String(buffer: buffer) == "+next\r\n")
    }

    @Test("split at every byte boundary: nil and nothing consumed until the last byte", arguments: 0..<valid.count)
    func decodesSplit(_ index: Int) throws {
        let (wire, expected) = Self.valid[index]
        let bytes = Array(wire.utf8)
        for cut in 0..<bytes.count {
            var partial = ByteBuffer(bytes: bytes[..<cut])
            #expect(try RESPParser().parse(&partial) == nil, "cut at \(cut)")
            #expect(partial.readableBytes == cut)
            // The rest arrives: the whole value decodes.
            partial.writeBytes(bytes[cut...])
            #expect(try RESPParser().parse(&partial) == expected, "cut at \(cut)")
            #expect(partial.readableBytes == 0)
        }
    }

    @Test("one parser fed a byte at a time keeps what it has read and goes on from there", arguments: 0..<valid.count)
    func incremental(_ index: Int) throws {
        let (wire, expected) = Self.valid[index]
        var parser = RESPParser()
        var buffer = ByteBuffer()
        var decoded: RESPValue?
        for (position, byte) in wire.utf8.enumerated() {
            #expect(decoded == nil, "decoded before byte \(position)")
            buffer.writeInteger(byte)
            decoded = try parser.next(&buffer)
            if decoded == nil { #expect(buffer.readableBytes == position + 1, "consumed bytes of an incomplete value") }
        }
        #expect(decoded == expected)
        #expect(buffer.readableBytes == 0)
        // Ready for the next value, and unaffected by the reader index having moved or the
        // buffer having been compacted in between.
        buffer.discardReadBytes()
        buffer.writeString(wire)
        #expect(try parser.next(&buffer) == expected)
    }

    @Test("a large array arriving in many reads is read once: elements parsed so far are kept")
    func largeArrayInPieces() throws {
        let members = (0..<20_000).map { RESPValue.bulkString(ByteBuffer(string: "/article/\($0)")) }
        let wire = RESPValue.array(members).encoded
        var parser = RESPParser()
        var buffer = ByteBuffer()
        var offset = 0
        var reads = 0
        var decoded: RESPValue?
        while offset < wire.readableBytes {
            let length = min(4096, wire.readableBytes - offset)
            buffer.writeImmutableBuffer(wire.getSlice(at: offset, length: length)!)
            offset += length
            reads += 1
            decoded = try parser.next(&buffer)
        }
        #expect(reads > 50)
        #expect(decoded == .array(members))
    }

    @Test("a byte at a time through the channel decoder: every value of a pipelined stream, in order")
    func decodesByteByByte() throws {
        let processor = NIOSingleStepByteToMessageProcessor(RESPDecoder())
        var decoded: [RESPValue] = []
        for byte in Self.valid.map(\.0).joined().utf8 {
            try processor.process(buffer: ByteBuffer(bytes: [byte])) { decoded.append($0) }
        }
        #expect(decoded == Self.valid.map(\.1))
    }

    static let malformed: [(String, RESPDecodingError)] = [
        ("?foo\r\n", .unknownType(UInt8(ascii: "?"))),
        // RESP3 types are not spoken (no HELLO 3).
        ("_\r\n", .unknownType(UInt8(ascii: "_"))),
        ("%1\r\n+a\r\n+b\r\n", .unknownType(UInt8(ascii: "%"))),
        (">2\r\n", .unknownType(UInt8(ascii: ">"))),
        ("+OK\rX", .missingCRLF),
        ("+O\nK\r\n", .missingCRLF),
        (":\r\n", .invalidInteger),
        (":-\r\n", .invalidInteger),
        (":+1\r\n", .invalidInteger),
        (":1a\r\n", .invalidInteger),
        (":9223372036854775808\r\n", .invalidInteger),
        ("$abc\r\n", .invalidInteger),
        ("$-2\r\n", .invalidLength(-2)),
        ("*-5\r\n", .invalidLength(-5)),
        ("$3\r\nabcXY", .missingCRLF),
        ("$3\r\nabc\rX", .missingCRLF),
        ("*1\r\n!\r\n", .unknownType(UInt8(ascii: "!"))),
    ]

    @Test("malformed bytes are typed errors", arguments: 0..<malformed.count)
    func rejectsMalformed(_ index: Int) {
        let (wire, expected) = Self.malformed[index]
        var buffer = ByteBuffer(string: wire)
        #expect(throws: expected) { try RESPParser().parse(&buffer) }
    }

    @Test("lengths are checked against the limits before anything is allocated")
    func limits() {
        let limits = RESPDecoderLimits(maximumBulkLength: 10, maximumArrayCount: 3, maximumDepth: 2, maximumLineLength: 8)
        let parser = RESPParser(limits: limits)
        func error(_ wire: String) -> RESPDecodingError? {
            var buffer = ByteBuffer(string: wire)
            do {
                _ = try parser.parse(&buffer)
                return nil
            } catch { return error }
        }
        #expect(error("$11\r\n") == .bulkTooLong(length: 11, limit: 10))
        #expect(error("$99999999\r\n") == .bulkTooLong(length: 99_999_999, limit: 10))
        #expect(error("*4\r\n") == .arrayTooLong(count: 4, limit: 3))
        #expect(error("*1\r\n*1\r\n*1\r\n:1\r\n") == .nestedTooDeep(limit: 2))
        #expect(error("*1\r\n*1\r\n:1\r\n") == nil)
        // A line that never ends is an error once it is longer than the limit, not a buffer
        // that grows for ever; shorter, it is only incomplete.
        #expect(error("+123456789") == .lineTooLong(limit: 8))
        #expect(error("+12345678") == nil)
        #expect(error("+12345678\r\n") == nil)
    }

    @Test("the default limits: a bulk string of 2^63-1 bytes is refused from its header")
    func defaultBulkLimit() {
        var buffer = ByteBuffer(string: "$9223372036854775807\r\n")
        #expect(throws: RESPDecodingError.bulkTooLong(length: .max, limit: 512 << 20)) { try RESPParser().parse(&buffer) }
    }

    @Test("a claimed array count larger than the bytes present waits for bytes, reserving nothing")
    func hugeArrayCountIsIncomplete() throws {
        var buffer = ByteBuffer(string: "*16000000\r\n:1\r\n")
        #expect(try RESPParser().parse(&buffer) == nil)
    }

    @Test("nesting at the default depth limit is an error, not a stack overflow")
    func deepNesting() {
        var buffer = ByteBuffer(string: String(repeating: "*1\r\n", count: 100_000) + ":1\r\n")
        #expect(throws: RESPDecodingError.nestedTooDeep(limit: RESPDecoderLimits.default.maximumDepth)) {
            try RESPParser().parse(&buffer)
        }
    }

    @Test("decoded values re-encode to bytes that decode to the same value", arguments: 0..<valid.count)
    func roundTrip(_ index: Int) throws {
        let value = Self.valid[index].1
        var encoded = value.encoded
        #expect(try RESPParser().parse(&encoded) == value)
        #expect(encoded.readableBytes == 0)
    }
}
