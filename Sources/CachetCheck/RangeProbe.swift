import HTTPPreconditions
import HTTPTypes

/// Range and If-Range (RFC 9110 §14, §13.1.5): a first-byte range, a suffix range, If-Range
/// with a matching and a non-matching validator, and an unsatisfiable range (416).
public struct RangeProbe: Probe {
    public let name = "Range and If-Range"
    public init() {}

    public func run(in context: ProbeContext) async -> [Note] {
        var findings = Findings(name, context)
        let full = context.baseline
        guard context.baselineIsOK, full.body.count >= 2, !full.isTruncated, full.fields[.contentEncoding] == nil else {
            findings.add("range-skipped", .info, "No complete 200 of at least two bytes without content coding, so ranges were not tried.")
            return findings.notes
        }
        let length = full.body.count

        guard let first = await findings.send(.get, [.range: "bytes=0-0"]) else { return findings.notes }
        switch first.status.code {
        case 206:
            judgePart(first, expected: 0...0, full: full, id: "range", what: "The first-byte range", &findings)
        case 200:
            findings.add("range-not-supported", .info, "Range requests are answered with the full 200 (allowed, but downloads cannot resume and caches cannot fill parts).")
            return findings.notes
        default:
            findings.add("range-unexpected", .warning, "Range: bytes=0-0 gives \(first.status.code).")
            return findings.notes
        }

        if let suffix = await findings.send(.get, [.range: "bytes=-1"]) {
            if suffix.status.code == 206 {
                judgePart(suffix, expected: (length - 1)...(length - 1), full: full, id: "range-suffix", what: "The suffix range bytes=-1", &findings)
            } else {
                findings.add("range-suffix-ignored", .warning, "The suffix range bytes=-1 gives \(suffix.status.code) although bytes=0-0 gives 206.")
            }
        }

        await ifRange(context, full: full, &findings)

        if let unsatisfiable = await findings.send(.get, [.range: "bytes=\(length)-"]) {
            switch unsatisfiable.status.code {
            case 416:
                // §15.5.17: a 416 to a byte range request should say the current length.
                if unsatisfiable.fields[.contentRange] == "bytes */\(length)" {
                    findings.add("range-416", .good, "A range past the end gives 416 with Content-Range: bytes */\(length).")
                } else {
                    findings.add(
                        "range-416-missing-content-range", .warning,
                        "A range past the end gives 416 but without Content-Range: bytes */\(length), so the client cannot learn the length.",
                        detail: "Content-Range: \(unsatisfiable.fields[.contentRange] ?? "(none)")"
                    )
                }
            case 200:
                findings.add("range-unsatisfiable-200", .info, "A range past the end gives the full 200 (allowed: the server may ignore Range).")
            case 206:
                findings.add("range-unsatisfiable-206", .bad, "A range past the end gives 206: there are no such bytes to send.", detail: "Range: bytes=\(length)-")
            default:
                findings.add("range-unsatisfiable-not-416", .warning, "A range past the end gives \(unsatisfiable.status.code), not 416.")
            }
        }
        return findings.notes
    }

    /// A 206 must say which bytes it holds (Content-Range, §14.4) and hold exactly those.
    private func judgePart(_ part: FetchedResponse, expected: ClosedRange<Int>, full: FetchedResponse, id: String, what: String, _ findings: inout Findings) {
        let contentRange = "bytes \(expected.lowerBound)-\(expected.upperBound)/\(full.body.count)"
        let bytes = Array(full.body[expected])
        if part.fields[.contentRange] == contentRange && part.body == bytes {
            findings.add("\(id)-206", .good, "\(what) gives 206 with the right Content-Range and bytes.")
        } else {
            findings.add(
                "\(id)-wrong", .bad, "\(what) gives a 206 whose Content-Range or bytes are wrong: resumed downloads are corrupted.",
                detail: "expected Content-Range: \(contentRange); got \(part.fields[.contentRange] ?? "(none)") with \(part.body.count) bytes"
            )
        }
    }

    /// §13.1.5: If-Range compares strongly; true → the range, false → the whole 200.
    private func ifRange(_ context: ProbeContext, full: FetchedResponse, _ findings: inout Findings) async {
        var matching: String?
        if let etag = context.etag, !etag.isWeak {
            matching = etag.description
        } else if let lastModified = context.lastModified {
            matching = lastModified.imfFixdate
        }
        if let matching, let response = await findings.send(.get, [.range: "bytes=0-0", .ifRange: matching]) {
            if response.status.code == 206 {
                findings.add("if-range-match-206", .good, "If-Range with the current validator gives the range (206).", detail: "If-Range: \(matching)")
            } else {
                findings.add(
                    "if-range-match-ignored", .warning,
                    "If-Range with the current validator gives \(response.status.code), not 206: interrupted downloads restart from zero.",
                    detail: "If-Range: \(matching)"
                )
            }
        }

        let stale = context.etag != nil ? unmatchedTag : (context.lastModified?.adding(seconds: -86_400).imfFixdate ?? unmatchedTag)
        await ifRangeNeverMatches(
            stale, &findings,
            partial: ("if-range-mismatch-206", "If-Range with an outdated validator still gives 206: a client resuming a download splices bytes of two different versions."),
            full: ("if-range-mismatch-200", "If-Range with an outdated validator gives the full response, as it must.")
        )

        guard let etag = context.etag, etag.isWeak else { return }
        // RFC 9111 §3.4: only strong validators let a cache combine parts; §13.1.5: a weak
        // tag in If-Range never matches.
        findings.add(
            "range-weak-etag", .warning,
            "Ranges are served under a weak ETag: clients cannot resume safely with If-Range, and caches cannot combine parts (RFC 9111 §3.4)."
        )
        await ifRangeNeverMatches(
            etag.description, &findings,
            partial: ("if-range-weak-206", "If-Range with a weak ETag gives 206, but If-Range compares strongly (RFC 9110 §13.1.5): a weak tag allows different bytes, so parts may not fit together."),
            full: ("if-range-weak-200", "If-Range with the weak ETag gives the full response, as strong comparison requires.")
        )
    }

    /// An `If-Range` that must not match: a 206 is bad, the full response good.
    private func ifRangeNeverMatches(
        _ validator: String, _ findings: inout Findings, partial: (id: String, sentence: String), full: (id: String, sentence: String)
    ) async {
        guard let response = await findings.send(.get, [.range: "bytes=0-0", .ifRange: validator]) else { return }
        if response.status.code == 206 {
            findings.add(partial.id, .bad, partial.sentence, detail: "If-Range: \(validator)")
        } else {
            findings.add(full.id, .good, full.sentence, detail: "If-Range: \(validator) → \(response.status.code)")
        }
    }
}
