import NIOCore

/// One command: its arguments, the name first, each written as a bulk string in one RESP
/// array (Redis protocol spec, "Sending commands to a Redis server").
public struct RESPCommand: Sendable, Hashable {
    public var arguments: [ByteBuffer]

    public init(arguments: [ByteBuffer]) {
        precondition(!arguments.isEmpty, "a command has at least its name")
        self.arguments = arguments
    }

    /// `RESPCommand(["SET", key, value, "PX", 1000])`.
    public init(_ arguments: [any RESPArgumentConvertible]) {
        self.init(arguments: arguments.map(\.respArgument))
    }

    /// The command's name in upper case (`GET`, `CLUSTER`), for routing and logs.
    public var name: String {
        String(buffer: arguments[0]).uppercased()
    }

    public func encode(into buffer: inout ByteBuffer) {
        buffer.writeInteger(UInt8(ascii: "*"))
        buffer.writeDecimal(Int64(arguments.count))
        buffer.writeCRLF()
        for argument in arguments { buffer.writeBulkString(argument) }
    }

    /// The number of bytes `encode` writes, to size the buffer once.
    var encodedSizeEstimate: Int {
        arguments.reduce(16) { $0 + $1.readableBytes + 16 }
    }
}

extension RESPCommand: ExpressibleByArrayLiteral {
    public init(arrayLiteral elements: any RESPArgumentConvertible...) {
        self.init(elements)
    }
}

extension RESPCommand: CustomStringConvertible {
    /// The name and the argument count only: values may be cached bodies or secrets.
    public var description: String { "\(name) (\(arguments.count - 1) arguments)" }
}
