import NIOCore

/// The channel's framing: bytes in, one `RESPValue` per complete reply out. A decoding error
/// reaches the command handler through `errorCaught`, which fails every pending command and
/// closes the connection.
public struct RESPDecoder: NIOSingleStepByteToMessageDecoder {
    public typealias InboundOut = RESPValue

    /// Stateful: keeps what it has read of a reply that has not fully arrived.
    public private(set) var parser: RESPParser

    public init(limits: RESPDecoderLimits = .default) {
        parser = RESPParser(limits: limits)
    }

    public mutating func decode(buffer: inout ByteBuffer) throws -> RESPValue? {
        try parser.next(&buffer)
    }

    public mutating func decodeLast(buffer: inout ByteBuffer, seenEOF: Bool) throws -> RESPValue? {
        try parser.next(&buffer)
    }
}
