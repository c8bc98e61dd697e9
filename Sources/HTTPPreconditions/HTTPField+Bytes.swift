import HTTPTypes

extension HTTPField {
    /// Calls `body` with the bytes of the field value in place, without copying them.
    @usableFromInline
    func withValueBytes<Result>(_ body: (UnsafeRawBufferPointer) throws -> Result) rethrows -> Result {
        try withUnsafeBytesOfValue { try body(UnsafeRawBufferPointer($0)) }
    }
}
