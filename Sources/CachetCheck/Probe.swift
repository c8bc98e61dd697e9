import HTTPPreconditions
import HTTPTypes

/// One family of questions asked of a URL: it sends the requests it needs through the
/// context's fetcher and returns what it found. A probe never throws: a request that fails
/// becomes a note.
public protocol Probe: Sendable {
    /// A short heading for the report, e.g. "If-None-Match".
    var name: String { get }
    func run(in context: ProbeContext) async -> [Note]
}
