import NIOCore

extension RESPValue {
    /// Writes the value in RESP2. Used by tests and the fuzz target to check that decoding and
    /// encoding agree; commands are written by `RESPCommand`. A simple string or error must
    /// not contain CR or LF (none decoded does).
    public func encode(into buffer: inout ByteBuffer) {
        switch self {
        case .simpleString(let bytes):
            buffer.writeInteger(UInt8(ascii: "+"))
            buffer.writeImmutableBuffer(bytes)
            buffer.writeCRLF()
        case .error(let bytes):
            buffer.writeInteger(UInt8(ascii: "-"))
            buffer.writeImmutableBuffer(bytes)
            buffer.writeCRLF()
        case .integer(let value):
            buffer.writeInteger(UInt8(ascii: ":"))
            buffer.writeDecimal(value)
            buffer.writeCRLF()
        case .bulkString(let bytes):
            buffer.writeBulkString(bytes)
        case .null:
            buffer.writeStaticString("$-1\r\n")
        case .array(let values):
            buffer.writeInteger(UInt8(ascii: "*"))
            buffer.writeDecimal(Int64(values.count))
            buffer.writeCRLF()
            for value in values { value.encode(into: &buffer) }
        }
    }

    /// The value in RESP2 bytes.
    public var encoded: ByteBuffer {
        var buffer = ByteBuffer()
        encode(into: &buffer)
        return buffer
    }
}

extension ByteBuffer {
    @inlinable
    mutating func writeCRLF() {
        writeInteger(UInt16(0x0D0A))
    }

    /// An integer in ASCII decimal, as RESP writes lengths and integers.
    mutating func writeDecimal(_ value: Int64) {
        if value >= 0, value < 10 {
            writeInteger(UInt8(ascii: "0") + UInt8(value))
        } else {
            writeString(String(value))
        }
    }

    /// `$<length>\r\n<bytes>\r\n`.
    mutating func writeBulkString(_ bytes: ByteBuffer) {
        writeInteger(UInt8(ascii: "$"))
        writeDecimal(Int64(bytes.readableBytes))
        writeCRLF()
        writeImmutableBuffer(bytes)
        writeCRLF()
    }
}
