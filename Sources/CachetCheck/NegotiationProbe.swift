import HTTPPreconditions
import HTTPTypes

/// Content negotiation on Accept-Encoding (RFC 9110 §12.5.3): a compressed response is a
/// different representation, so it needs `Vary: Accept-Encoding` (§12.5.5) — on the
/// identity response too — and an entity tag of its own (§8.8.3).
public struct NegotiationProbe: Probe {
    public let name = "Content negotiation"
    public init() {}

    public func run(in context: ProbeContext) async -> [Note] {
        var findings = Findings(name, context)
        let identity = context.baseline
        guard context.baselineIsOK else {
            findings.add("negotiation-skipped", .info, "The plain GET is not a 200, so negotiation was not tried.")
            return findings.notes
        }
        guard let gzip = await findings.send(.get, [.acceptEncoding: "gzip"]) else { return findings.notes }
        let codings = gzip.listMembers(.contentEncoding).filter { $0 != "identity" }
        guard gzip.status.code == 200, !codings.isEmpty, identity.fields[.contentEncoding] == nil else {
            findings.add("gzip-not-offered", .info, "Accept-Encoding: gzip gives the same uncompressed response.")
            if gzip.status.code == 200, identity.varies(on: "accept-encoding") != gzip.varies(on: "accept-encoding") {
                findings.add("vary-inconsistent", .warning, "Vary differs between the plain GET and the one with Accept-Encoding: gzip.")
            }
            return findings.notes
        }
        let before = findings.notes.count
        if !gzip.varies(on: "accept-encoding") {
            findings.add(
                "gzip-without-vary", .bad,
                "The \(codings.joined(separator: ", ")) response lacks Vary: Accept-Encoding: a shared cache hands compressed bytes to clients that cannot decode them.",
                detail: "Vary: \(gzip.combined(.vary) ?? "(none)")"
            )
        }
        if !identity.varies(on: "accept-encoding") {
            findings.add(
                "vary-missing-on-identity", .warning,
                "The uncompressed response lacks Vary: Accept-Encoding, so a cache that stored it serves it to every client, including those that asked for compression.",
                detail: "Vary: \(identity.combined(.vary) ?? "(none)")"
            )
        }
        if let plainTag = identity.fields[.eTag].flatMap({ EntityTag($0) }),
            let codedTag = gzip.fields[.eTag].flatMap({ EntityTag($0) }), plainTag.opaqueTag == codedTag.opaqueTag
        {
            if !plainTag.isWeak && !codedTag.isWeak {
                findings.add(
                    "gzip-same-etag", .bad,
                    "The compressed and the uncompressed responses share one strong ETag, though their bytes differ: ranges and If-Range mix the two, and a cache may answer one's validator with the other.",
                    detail: "ETag: \(plainTag)"
                )
            } else {
                findings.add("gzip-same-weak-etag", .info, "Both codings share a weak ETag: allowed, they are semantically equivalent, but neither can be used for ranges.")
            }
        }
        if findings.notes.count == before {
            findings.add(
                "gzip-negotiated", .good,
                "Accept-Encoding: gzip gives a \(codings.joined(separator: ", ")) response with Vary: Accept-Encoding and an ETag of its own."
            )
        }
        return findings.notes
    }
}
