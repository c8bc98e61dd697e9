import NIOCore

/// The channel's framing: bytes in, one `RESPValue` per complete reply out. A decoding error
/// reaches the command handler through `errorCaught`, which fails every pending command and
/// closes the connection.
public struct RESPDecoder: NIOSingleStepByteToMessageDecoder {
    public typealias InboundOut = RESPValue

    public let parser: RESPParser

    public init(limits: RESPDecoderLimits = .default) {
        parser = RESPParser(limits: limits)
    }

    public mutating func decode(buffer: inout ByteBuffer) throws -> RESPValue? {
        try parser.parse(&buffer)
    }

    public mutating func decodeLast(buffer: inout ByteBuffer, seenEOF: Bool) throws -> RESPValue? {
        try parser.parse(&buffer)
    }
}
