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

    /// For the complete head `head` (ending in CRLF CRLF): whether the answer key's reader
    /// accepts it, and what its key holds, read back (`nil` when it does not fit in 2 KiB).
    public static func answerKey(_ head: UnsafeRawBufferPointer) -> (accepted: Bool, parts: (method: HTTPRequest.Method, target: String, fields: [HTTPField])?) {
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 2048, alignment: 1)
        defer { buffer.deallocate() }
        switch AnswerKey.write(head, into: buffer) {
        case .declined: return (false, nil)
        case .unkeyed: return (true, nil)
        case .key(let count): return (true, AnswerKey.parts(of: UnsafeRawBufferPointer(rebasing: buffer[..<count])))
        }
    }

    /// The fields an answer key keeps.
    public static var answerKeyFields: [HTTPField.Name] { AnswerKey.fields }

    /// The longest head the reader accepts.
    public static var maximumLength: Int { SimpleRequestHead.maximumLength }
}
