import NIOCore

/// A value that can be one argument of a command. Commands are arrays of bulk strings
/// (Redis protocol spec, "Sending commands to a Redis server"), so every argument is bytes:
/// text as UTF-8, integers in decimal.
public protocol RESPArgumentConvertible: Sendable {
    var respArgument: ByteBuffer { get }
}

extension ByteBuffer: RESPArgumentConvertible {
    public var respArgument: ByteBuffer { self }
}

extension String: RESPArgumentConvertible {
    public var respArgument: ByteBuffer { ByteBuffer(string: self) }
}

extension Substring: RESPArgumentConvertible {
    public var respArgument: ByteBuffer { ByteBuffer(substring: self) }
}

extension Int: RESPArgumentConvertible {
    public var respArgument: ByteBuffer { ByteBuffer(string: String(self)) }
}

extension Int64: RESPArgumentConvertible {
    public var respArgument: ByteBuffer { ByteBuffer(string: String(self)) }
}

extension Array: RESPArgumentConvertible where Element == UInt8 {
    public var respArgument: ByteBuffer { ByteBuffer(bytes: self) }
}
