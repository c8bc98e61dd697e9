/// Bounds on what the decoder accepts, checked before anything is allocated or buffered, so
/// that a hostile or broken peer cannot make the client allocate or recurse without bound.
public struct RESPDecoderLimits: Sendable, Hashable {
    /// The longest bulk string accepted. Redis refuses larger ones itself
    /// (`proto-max-bulk-len`, 512 MiB); the shared tier stores bodies in smaller chunks.
    public var maximumBulkLength: Int
    /// The most elements in one array.
    public var maximumArrayCount: Int
    /// The deepest nesting of arrays (replies of the commands we send nest 3 deep at most:
    /// `CLUSTER SLOTS`).
    public var maximumDepth: Int
    /// The longest line (simple string, error, integer, length header) before its CRLF.
    public var maximumLineLength: Int

    public init(maximumBulkLength: Int = 512 << 20, maximumArrayCount: Int = 1 << 24, maximumDepth: Int = 16, maximumLineLength: Int = 64 << 10) {
        self.maximumBulkLength = maximumBulkLength
        self.maximumArrayCount = maximumArrayCount
        self.maximumDepth = maximumDepth
        self.maximumLineLength = maximumLineLength
    }

    public static let `default` = RESPDecoderLimits()
}
