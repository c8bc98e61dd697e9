import HTTPTypes

/// The raw request reader of ``FileFastPath`` (`SimpleRequestHead`), for the fuzz target that
/// holds it against NIO's decoder: a request it accepts must be read the same by both.
@_spi(Fuzzing)
public enum SimpleRequestHeadProbe {
    /// The request at the start of `bytes` and the length of its head, when the reader
    /// accepts it; `nil` when it declines it or needs more bytes.
    public static func read(_ bytes: UnsafeRawBufferPointer) -> (request: HTTPRequest, length: Int)? {
        guard case .request(let request, let length) = SimpleRequestHead.read(bytes) else { return nil }
        return (request, length)
    }

    /// The longest head the reader accepts.
    public static var maximumLength: Int { SimpleRequestHead.maximumLength }
}
