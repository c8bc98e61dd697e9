import HTTPPreconditions
import HTTPTypes

/// Sends one request to the URL under check and returns the whole answer. Behind a protocol
/// so that probes can be exercised against canned answers.
public protocol Fetcher: Sendable {
    /// Sends the request to the checked URL (the fetcher adds the user's extra fields).
    func fetch(_ request: ProbeRequest) async throws -> FetchedResponse

    /// Sends the request on a fresh connection that the server is asked to close, and counts
    /// the bytes that follow the response's header block. For a 304 or a HEAD, which can
    /// carry no content (RFC 9110 §6.4.1), any such byte is a body the server must not send;
    /// an HTTP/1.1 client cannot see it otherwise, because it stops reading at the blank
    /// line. `nil` when the fetcher cannot tell (HTTPS).
    func bytesAfterHeader(_ request: ProbeRequest) async throws -> Int?
}

extension Fetcher {
    public func bytesAfterHeader(_ request: ProbeRequest) async throws -> Int? { nil }
}
