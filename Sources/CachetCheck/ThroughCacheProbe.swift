import HTTPTypes

/// Whether a cache sits in front of the URL, and what it does with a repeated GET and with a
/// conditional one: whether it answers the 304 itself (RFC 9111 §4.3.2) or forwards it to
/// the origin every time. Reads `Cache-Status` (RFC 9211), `X-Cache` and `Age`.
public struct ThroughCacheProbe: Probe {
    public let name = "Through a cache"
    public init() {}

    public func run(in context: ProbeContext) async -> [Note] {
        var findings = Findings(name, context)
        let first = CacheSignals(context.baseline)
        guard let repeated = await findings.send(.get) else { return findings.notes }
        let second = CacheSignals(repeated)
        if first.cacheStatusInvalid || second.cacheStatusInvalid {
            findings.add(
                "cache-status-invalid", .warning,
                "Cache-Status is not a valid Structured Field list (RFC 9211 §2), so tools cannot read it.",
                detail: repeated.combined(.checkCacheStatus) ?? context.baseline.combined(.checkCacheStatus)
            )
        }
        guard !(first.isEmpty && second.isEmpty) else {
            findings.add("no-cache-seen", .info, "No Cache-Status, X-Cache or Age: the answers seem to come straight from the origin.")
            return findings.notes
        }
        findings.add("cache-seen", .info, "The response passed through a cache.", detail: second.isEmpty ? first.summary : second.summary)

        switch second.servedFromCache {
        case true?:
            findings.add("cache-hit", .good, "A repeated GET was answered by the cache.", detail: second.summary)
        case false?:
            findings.add("cache-miss-repeated", .info, "A repeated GET still went to the origin.", detail: second.summary)
        case nil:
            if let age = second.age, age > 0 {
                findings.add("cache-hit", .good, "A repeated GET came from a cache (Age: \(age)).")
            }
        }

        var condition: HTTPFields = [:]
        if let etag = context.etag {
            condition[.ifNoneMatch] = etag.description
        } else if let lastModified = context.lastModified {
            condition[.ifModifiedSince] = lastModified.imfFixdate
        } else {
            return findings.notes
        }
        guard let conditional = await findings.send(.get, condition) else { return findings.notes }
        let signals = CacheSignals(conditional)
        // Without Cache-Status or X-Cache, a positive Age is the only sign of a stored answer.
        let fromCache = signals.servedFromCache ?? signals.age.map { $0 > 0 }
        switch (conditional.status.code, fromCache) {
        case (304, true?):
            findings.add("cache-answered-conditional", .good, "The cache answered the conditional request itself with a 304, without asking the origin.", detail: signals.summary)
        case (304, false?):
            findings.add("cache-forwarded-conditional", .info, "The conditional request went through to the origin, which answered 304.", detail: signals.summary)
        case (200, true?):
            findings.add(
                "cache-ignored-conditional", .warning,
                "The cache answered a matching conditional request with a full 200 from storage instead of a 304.",
                detail: signals.summary
            )
        default:
            break
        }
        return findings.notes
    }
}
