import HTTPPreconditions
import HTTPTypes

/// What every probe starts from: the fetcher, the options, and the plain GET that the
/// checker made first (its validators are what the conditional probes send back).
public struct ProbeContext: Sendable {
    public var fetcher: any Fetcher
    /// The plain GET's answer.
    public var baseline: FetchedResponse
    /// Whether the user allowed unsafe methods (`--unsafe`).
    public var allowsUnsafeMethods: Bool

    public init(fetcher: any Fetcher, baseline: FetchedResponse, allowsUnsafeMethods: Bool = false) {
        self.fetcher = fetcher
        self.baseline = baseline
        self.allowsUnsafeMethods = allowsUnsafeMethods
    }

    /// The baseline's entity tag, when it has a valid one.
    public var etag: EntityTag? { baseline.fields[.eTag].flatMap { EntityTag($0) } }

    /// The baseline's `Last-Modified`, when valid.
    public var lastModified: HTTPDate? {
        baseline.fields[.lastModified].flatMap { HTTPDate($0, now: baseline.responseTime) }
    }

    /// Whether the baseline is a 200, which the conditional probes need to compare against.
    public var baselineIsOK: Bool { baseline.status.code == 200 }
}
