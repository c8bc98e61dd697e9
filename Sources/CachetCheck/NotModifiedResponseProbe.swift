import HTTPPreconditions
import HTTPTypes

/// The 304 itself (RFC 9110 §15.4.5): no content; the same Cache-Control, Content-Location,
/// Date, ETag, Expires and Vary the 200 would carry, because a cache copies them onto the
/// stored response (RFC 9111 §4.3.4); no other representation metadata; and a Content-Length,
/// if any, equal to the 200's (RFC 9110 §8.6).
public struct NotModifiedResponseProbe: Probe {
    public let name = "The 304 response"
    public init() {}

    /// The fields a 304 must carry when the 200 does (§15.4.5), with the level of their absence.
    static let required: [(HTTPField.Name, Note.Level)] = [
        (.cacheControl, .bad), (.contentLocation, .bad), (.eTag, .bad), (.expires, .bad), (.vary, .bad), (.date, .warning),
    ]

    /// Representation metadata that has no business in a 304 (§15.4.5).
    static let representationFields: [HTTPField.Name] = [.contentType, .contentEncoding, .contentLanguage, .contentRange]

    public func run(in context: ProbeContext) async -> [Note] {
        var findings = Findings(name, context)
        var condition: HTTPFields = [:]
        if let etag = context.etag {
            condition[.ifNoneMatch] = etag.description
        } else if let lastModified = context.lastModified {
            condition[.ifModifiedSince] = lastModified.imfFixdate
        }
        guard context.baselineIsOK, !condition.isEmpty else {
            findings.add("nm-skipped", .info, "No validator to send back, so no 304 could be asked for.")
            return findings.notes
        }
        guard let response = await findings.send(.get, condition) else { return findings.notes }
        guard response.status.code == 304 else {
            findings.add("nm-skipped", .info, "The server did not answer the conditional GET with a 304, so there is no 304 to inspect.")
            return findings.notes
        }
        let before = findings.notes.count
        await body(of: response, condition: condition, &findings)
        fields(of: response, against: context.baseline, &findings)
        if findings.notes.count == before {
            findings.add("nm-clean", .good, "The 304 has no content and carries the same caching fields as the 200, and nothing else.")
        }
        return findings.notes
    }

    private func body(of response: FetchedResponse, condition: HTTPFields, _ findings: inout Findings) async {
        var evidence: [String] = []
        if !response.body.isEmpty { evidence.append("\(response.body.count) bytes of content received") }
        if let coding = response.fields[.transferEncoding] { evidence.append("Transfer-Encoding: \(coding)") }
        do {
            if let extra = try await findings.context.fetcher.bytesAfterHeader(ProbeRequest(.get, condition)), extra > 0 {
                evidence.append("\(extra) bytes followed the 304's header section on the wire")
            }
        } catch {
            // The raw look is an extra; the fields are still checked.
        }
        if !evidence.isEmpty {
            findings.add(
                "nm-has-body", .bad,
                "The 304 comes with content: a 304 ends at its header section, so those bytes are read as the start of the next response on the connection.",
                detail: evidence.joined(separator: "; ")
            )
        }
    }

    private func fields(of response: FetchedResponse, against ok: FetchedResponse, _ findings: inout Findings) {
        for (name, level) in Self.required {
            guard let expected = ok.combined(name) else { continue }
            let id = name.canonicalName
            guard let value = response.combined(name) else {
                findings.add(
                    "nm-missing-\(id)", level,
                    "The 304 lacks the 200's \(name): a cache that freshens its copy from the 304 keeps a stale or wrong \(name).",
                    detail: "200: \(name): \(expected)"
                )
                continue
            }
            let same = name == .vary
                ? Set(response.listMembers(name)) == Set(ok.listMembers(name))
                : value == expected
            if !same && name != .date {
                findings.add(
                    "nm-different-\(id)", .warning,
                    "The 304's \(name) differs from the 200's; a cache replaces the stored one with it (RFC 9111 §3.2).",
                    detail: "200: \(expected); 304: \(value)"
                )
            }
        }
        let extra = Self.representationFields.filter { response.fields[$0] != nil }
        if !extra.isEmpty {
            findings.add(
                "nm-representation-fields", .warning,
                "The 304 carries representation metadata (\(extra.map(\.rawName).joined(separator: ", "))) that a 304 should not send (RFC 9110 §15.4.5); some caches copy it over the stored response.",
                detail: extra.map { "\($0): \(response.fields[$0]!)" }.joined(separator: "; ")
            )
        }
        if let length = response.fields[.contentLength] {
            let expected = ok.fields[.contentLength] ?? (ok.isTruncated ? nil : String(ok.body.count))
            if length != expected {
                findings.add(
                    "nm-content-length-differs", .bad,
                    "The 304 has a Content-Length different from the 200's; a cache that copies it onto the stored response serves a truncated or hanging body (RFC 9110 §8.6).",
                    detail: "200: \(expected ?? "unknown"); 304: \(length)"
                )
            }
        }
    }
}
