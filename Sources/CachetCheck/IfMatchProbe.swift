import HTTPPreconditions
import HTTPTypes

/// If-Match and If-Unmodified-Since (RFC 9110 §13.1.1, §13.1.4): the conditions that
/// prevent lost updates. A failed one gives 412 whatever the method (§13.2.2 steps 1-2),
/// so by default they are probed with GET only; `--unsafe` also sends a PUT whose
/// preconditions fail (it carries the current content, in case the server ignores them).
public struct IfMatchProbe: Probe {
    public let name = "If-Match and If-Unmodified-Since"
    public init() {}

    public func run(in context: ProbeContext) async -> [Note] {
        var findings = Findings(name, context)
        let etag = context.etag
        let lastModified = context.lastModified
        guard context.baselineIsOK, etag != nil || lastModified != nil else {
            findings.add("if-match-skipped", .info, "No 200 with a validator, so If-Match and If-Unmodified-Since were not tried.")
            return findings.notes
        }

        if let etag, !etag.isWeak {
            findings.expect(
                await findings.send(.get, [.ifMatch: etag.description]), status: 200,
                good: ("if-match-200", "If-Match with the current ETag lets the request through."),
                bad: ("if-match-refused", .bad, "If-Match with the current ETag is refused: updates guarded by If-Match can never succeed."),
                request: "GET If-Match: \(etag)"
            )
        } else if let etag {
            // §13.1.1: If-Match compares strongly; a weak tag never matches.
            findings.expect(
                await findings.send(.get, [.ifMatch: etag.description]), status: 412,
                good: ("if-match-weak-412", "If-Match with the weak ETag gives 412, as strong comparison requires."),
                bad: ("if-match-weak-accepted", .warning, "If-Match with a weak ETag is accepted, but If-Match must compare strongly (RFC 9110 §13.1.1)."),
                request: "GET If-Match: \(etag)"
            )
        }
        if etag != nil {
            findings.expect(
                await findings.send(.get, [.ifMatch: unmatchedTag]), status: 412,
                good: ("if-match-wrong-412", "If-Match with a wrong tag gives 412 Precondition Failed."),
                bad: ("if-match-ignored", .bad, "If-Match with a wrong tag is ignored: a client updating this resource cannot detect that someone else changed it (lost update)."),
                request: "GET If-Match: \(unmatchedTag)"
            )
        }

        var iusRefuses = false
        if let lastModified {
            let older = lastModified.adding(seconds: -86_400).imfFixdate
            let response = await findings.send(.get, [.ifUnmodifiedSince: older])
            iusRefuses = response?.status.code == 412
            findings.expect(
                response, status: 412,
                good: ("ius-old-412", "If-Unmodified-Since with a date before Last-Modified gives 412."),
                bad: ("ius-ignored", .warning, "If-Unmodified-Since with a date before Last-Modified is ignored: date-guarded updates cannot detect a change."),
                request: "GET If-Unmodified-Since: \(older)"
            )
            // §13.1.4: a recipient must ignore If-Unmodified-Since when If-Match is present.
            if iusRefuses, let etag, !etag.isWeak {
                findings.expect(
                    await findings.send(.get, [.ifMatch: etag.description, .ifUnmodifiedSince: older]), status: 200,
                    good: ("if-match-wins-over-ius", "With a matching If-Match, If-Unmodified-Since is ignored, as it must be."),
                    bad: ("ius-evaluated-despite-if-match", .bad, "If-Unmodified-Since was evaluated although If-Match was present (RFC 9110 §13.1.4)."),
                    request: "GET If-Match: \(etag) + If-Unmodified-Since: \(older)"
                )
            }
        }

        guard context.allowsUnsafeMethods else {
            findings.add("unsafe-skipped", .info, "Unsafe methods were not tried; pass --unsafe to send a PUT whose preconditions fail.")
            return findings.notes
        }
        await unsafe(context, etag: etag, lastModified: lastModified, &findings)
        return findings.notes
    }

    private func unsafe(_ context: ProbeContext, etag: EntityTag?, lastModified: HTTPDate?, _ findings: inout Findings) async {
        var conditions: [(HTTPField.Name, String, String)] = []
        if etag != nil { conditions.append((.ifMatch, unmatchedTag, "unsafe-if-match")) }
        if let lastModified { conditions.append((.ifUnmodifiedSince, lastModified.adding(seconds: -86_400).imfFixdate, "unsafe-ius")) }
        for (name, value, id) in conditions {
            var fields: HTTPFields = [name: value]
            if let type = context.baseline.fields[.contentType] { fields[.contentType] = type }
            guard let response = await findings.send(.put, fields, body: context.baseline.body) else { continue }
            switch response.status.code {
            case 412:
                findings.add("\(id)-412", .good, "PUT with a failing \(name) gives 412.", detail: "PUT \(name): \(value) → 412")
            case 405, 501, 403, 401:
                findings.add("\(id)-not-allowed", .info, "PUT is not allowed here (\(response.status.code)), so the precondition could not be observed.")
            case 200..<300:
                findings.add(
                    "\(id)-ignored", .bad,
                    "PUT with a failing \(name) was applied: the precondition is ignored on writes (RFC 9110 §13.2.2), so concurrent updates overwrite each other.",
                    detail: "PUT \(name): \(value) → \(response.status.code)"
                )
            default:
                findings.add("\(id)-unexpected", .warning, "PUT with a failing \(name) gives \(response.status.code), not 412.", detail: "PUT \(name): \(value) → \(response.status.code)")
            }
        }
    }
}
