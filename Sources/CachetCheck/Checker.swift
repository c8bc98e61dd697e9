import HTTPTypes

/// Runs the probes against a URL: first the plain GET every probe compares against, then
/// each probe in turn (one request at a time, so the server sees a polite client).
public enum Checker {
    /// The probes, in report order.
    public static let probes: [any Probe] = [
        PlainProbe(), IfNoneMatchProbe(), IfModifiedSinceProbe(), NotModifiedResponseProbe(),
        IfMatchProbe(), RangeProbe(), NegotiationProbe(), ThroughCacheProbe(),
    ]

    /// The URL could not be fetched at all.
    public struct Unreachable: Error, CustomStringConvertible {
        public var url: String
        public var reason: String
        public var description: String { "cannot fetch \(url): \(reason)" }
    }

    public static func check(
        url: String, fetcher: any Fetcher, allowsUnsafeMethods: Bool = false, probes: [any Probe] = Checker.probes
    ) async throws(Unreachable) -> CheckReport {
        let baseline: FetchedResponse
        do {
            baseline = try await fetcher.fetch(ProbeRequest(.get))
        } catch {
            throw Unreachable(url: url, reason: describe(error))
        }
        let context = ProbeContext(fetcher: fetcher, baseline: baseline, allowsUnsafeMethods: allowsUnsafeMethods)
        var notes: [Note] = []
        for probe in probes {
            notes += await probe.run(in: context)
        }
        return CheckReport(url: url, notes: notes)
    }

    /// A transport error in words: AsyncHTTPClient and NIO errors print their case names.
    static func describe(_ error: any Error) -> String {
        let text = String(describing: error)
        let lower = text.lowercased()
        if lower.contains("refused") { return "connection refused (is anything listening there?)" }
        if lower.contains("timeout") || lower.contains("timedout") || lower.contains("deadline") { return "timed out (\(text))" }
        return text
    }
}
