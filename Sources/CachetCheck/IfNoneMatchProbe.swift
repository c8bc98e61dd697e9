import HTTPPreconditions
import HTTPTypes

/// If-None-Match (RFC 9110 §13.1.2): the condition caches send to revalidate. It uses weak
/// comparison, accepts comma-separated lists and `*`, and a match on GET must give 304.
public struct IfNoneMatchProbe: Probe {
    public let name = "If-None-Match"
    public init() {}

    public func run(in context: ProbeContext) async -> [Note] {
        var findings = Findings(name, context)
        guard context.baselineIsOK, let etag = context.etag else {
            findings.add("inm-skipped", .info, "No 200 with a valid ETag, so If-None-Match was not tried.")
            return findings.notes
        }

        let exact = await findings.send(.get, [.ifNoneMatch: etag.description])
        findings.expect(
            exact, status: 304,
            good: ("inm-match-304", "If-None-Match with the current ETag gives 304 Not Modified: revalidation works."),
            bad: ("inm-match-ignored", .bad, "If-None-Match with the current ETag gives the full response instead of 304: every revalidation downloads the whole body again."),
            request: "If-None-Match: \(etag)"
        )

        // §13.1.2 / §5.6.1: a list, as a cache holding several variants sends it.
        let list = "\(unmatchedTag), \(etag), \"cachet-check-other\""
        findings.expect(
            await findings.send(.get, [.ifNoneMatch: list]), status: 304,
            good: ("inm-list-304", "A list of tags containing the current one gives 304."),
            bad: ("inm-list-ignored", .bad, "A list of tags containing the current one does not give 304: the server reads only part of the list (caches holding several variants send lists)."),
            request: "If-None-Match: \(list)"
        )

        // §13.1.2: `*` matches any current representation.
        findings.expect(
            await findings.send(.get, [.ifNoneMatch: "*"]), status: 304,
            good: ("inm-star-304", "If-None-Match: * gives 304, since a current representation exists."),
            bad: ("inm-star-ignored", .bad, "If-None-Match: * does not give 304 although the resource exists (RFC 9110 §13.1.2)."),
            request: "If-None-Match: *"
        )

        // §8.8.3.2: If-None-Match compares weakly, so the other-strength form must match too.
        let other = etag.isWeak ? EntityTag(opaqueTag: etag.opaqueTag)! : etag.weakened
        findings.expect(
            await findings.send(.get, [.ifNoneMatch: other.description]), status: 304,
            good: ("inm-weak-match-304", "\(other) also gives 304: the server compares weakly, as If-None-Match requires."),
            bad: ("inm-weak-match-ignored", .bad, "\(other) does not give 304: If-None-Match must use weak comparison (RFC 9110 §8.8.3.2), so W/\"x\" and \"x\" match; caches and servers that add or strip W/ (compression, proxies) never get a 304."),
            request: "If-None-Match: \(other)"
        )

        findings.expect(
            await findings.send(.get, [.ifNoneMatch: unmatchedTag]), status: 200,
            good: ("inm-mismatch-200", "A tag that does not match gives the full 200."),
            bad: ("inm-mismatch-304", .bad, "A tag that does not match still gives 304: clients would keep a copy that has changed."),
            request: "If-None-Match: \(unmatchedTag)"
        )
        return findings.notes
    }
}
