import HTTPPreconditions
import HTTPTypes

/// If-Modified-Since (RFC 9110 §13.1.3), and its precedence rule: when If-None-Match is
/// present, If-Modified-Since is ignored (§13.1.3, §13.2.2 step 4).
public struct IfModifiedSinceProbe: Probe {
    public let name = "If-Modified-Since"
    public init() {}

    public func run(in context: ProbeContext) async -> [Note] {
        var findings = Findings(name, context)
        guard context.baselineIsOK, let lastModified = context.lastModified else {
            findings.add("ims-skipped", .info, "No 200 with a valid Last-Modified, so If-Modified-Since was not tried.")
            return findings.notes
        }
        let since = lastModified.imfFixdate
        let exact = await findings.send(.get, [.ifModifiedSince: since])
        if let exact {
            if exact.status.code == 304 {
                findings.add("ims-match-304", .good, "If-Modified-Since with the Last-Modified date gives 304.", detail: "If-Modified-Since: \(since) → 304")
            } else {
                // With an ETag, clients revalidate with If-None-Match, so ignoring the date costs
                // less; without one this is the only way to a 304.
                findings.add(
                    "ims-ignored", context.etag == nil ? .bad : .warning,
                    "If-Modified-Since with the Last-Modified date gives \(exact.status.code), not 304: clients and caches that revalidate by date always download the whole body.",
                    detail: "If-Modified-Since: \(since) → \(exact.status.code)"
                )
            }
        }

        let older = lastModified.adding(seconds: -86_400).imfFixdate
        findings.expect(
            await findings.send(.get, [.ifModifiedSince: older]), status: 200,
            good: ("ims-older-200", "A date before Last-Modified gives the full 200."),
            bad: ("ims-older-304", .bad, "A date before Last-Modified still gives 304: clients would keep a copy older than the current one."),
            request: "If-Modified-Since: \(older)"
        )

        if context.etag != nil, exact?.status.code == 304 {
            findings.expect(
                await findings.send(.get, [.ifNoneMatch: unmatchedTag, .ifModifiedSince: since]), status: 200,
                good: ("inm-wins-over-ims", "With a non-matching If-None-Match, the matching If-Modified-Since is ignored, as it must be: 200."),
                bad: ("ims-evaluated-despite-inm", .bad, "If-Modified-Since was evaluated although If-None-Match was present and did not match (RFC 9110 §13.1.3): a changed resource with an unchanged date is reported unchanged."),
                request: "If-None-Match: \(unmatchedTag) + If-Modified-Since: \(since)"
            )
        }
        return findings.notes
    }
}
