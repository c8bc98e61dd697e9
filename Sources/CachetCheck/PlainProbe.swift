import HTTPCachePolicy
import HTTPPreconditions
import HTTPTypes

/// The plain GET (made by the checker before any probe) and a HEAD: status, validators,
/// dates, freshness as a shared and as a private cache computes it, Vary, Set-Cookie, and
/// whether HEAD tells the same story as GET.
public struct PlainProbe: Probe {
    public let name = "Plain GET and HEAD"
    public init() {}

    public func run(in context: ProbeContext) async -> [Note] {
        var findings = Findings(name, context)
        let response = context.baseline
        status(response, &findings)
        validators(response, &findings)
        dates(response, &findings)
        freshness(response, &findings)
        varyAndCookies(response, &findings)
        await head(against: response, &findings)
        return findings.notes
    }

    private func status(_ response: FetchedResponse, _ findings: inout Findings) {
        let code = response.status.code
        if code == 200 {
            findings.add("status-ok", .good, "GET answered 200 \(response.status.reasonPhrase).")
        } else {
            findings.add(
                "status-not-ok", .warning,
                "GET answered \(code) \(response.status.reasonPhrase), not 200: the conditional, range and negotiation checks need a 200 and were skipped.",
                detail: response.fields[.location].map { "Location: \($0)" }
            )
        }
        if response.isTruncated {
            findings.add("body-truncated", .info, "The content is larger than the checker reads, so range answers could not be compared byte for byte.")
        }
    }

    /// RFC 9110 §8.8.3 (ETag) and §8.8.2 (Last-Modified).
    private func validators(_ response: FetchedResponse, _ findings: inout Findings) {
        let etagValue = response.fields[.eTag]
        let etag = etagValue.flatMap { EntityTag($0) }
        switch (etagValue, etag) {
        case (nil, _):
            break
        case (let value?, nil):
            findings.add(
                "etag-invalid", .bad,
                "The ETag is not a valid entity-tag (it must be a quoted string, optionally prefixed by W/), so caches and browsers ignore it.",
                detail: "ETag: \(value)"
            )
        case (_, let tag?) where tag.isWeak:
            findings.add(
                "etag-weak", .info,
                "The ETag is weak: good enough to revalidate with If-None-Match, but If-Match and If-Range compare strongly and never match it.",
                detail: "ETag: \(tag)"
            )
        case (_, let tag?):
            findings.add(
                "etag-strong", .good,
                "The ETag is strong: caches can revalidate with If-None-Match and clients can resume downloads with If-Range.",
                detail: "ETag: \(tag)"
            )
        }
        let lastModified = response.fields[.lastModified]
        if let lastModified {
            if let date = HTTPDate(lastModified, now: response.responseTime) {
                let reference = response.fields[.date].flatMap { HTTPDate($0, now: response.responseTime) } ?? response.responseTime
                // RFC 9110 §8.8.2.1: an origin must not send a Last-Modified later than its Date.
                if date > reference {
                    findings.add(
                        "last-modified-future", .bad,
                        "Last-Modified is later than the response's Date: a modification time in the future makes If-Modified-Since answers and heuristic freshness wrong.",
                        detail: "Last-Modified: \(lastModified); Date: \(reference.imfFixdate)"
                    )
                } else {
                    findings.add("last-modified-present", .good, "Last-Modified is present, so If-Modified-Since can be answered with a 304.", detail: "Last-Modified: \(lastModified)")
                }
            } else {
                findings.add("last-modified-invalid", .bad, "Last-Modified is not a valid HTTP-date, so it is ignored.", detail: "Last-Modified: \(lastModified)")
            }
        }
        if etagValue == nil && lastModified == nil {
            findings.add(
                "no-validators", .warning,
                "There is neither ETag nor Last-Modified: a cache can never revalidate, so every stale copy is fetched again in full and no 304 is possible."
            )
        }
    }

    /// RFC 9110 §6.6.1 (Date), RFC 9111 §5.1 (Age), §5.3 (Expires).
    private func dates(_ response: FetchedResponse, _ findings: inout Findings) {
        if let value = response.fields[.date] {
            if let date = HTTPDate(value, now: response.responseTime) {
                let skew = date.seconds(since: response.responseTime)
                if abs(skew) > 60 + response.responseTime.seconds(since: response.requestTime) {
                    findings.add(
                        "date-skewed", .warning,
                        "The server's clock is \(abs(skew)) seconds \(skew > 0 ? "ahead of" : "behind") this one: caches compute age from Date, so freshness comes out wrong.",
                        detail: "Date: \(value)"
                    )
                }
            } else {
                findings.add("date-invalid", .bad, "Date is not a valid HTTP-date, so caches use their own receive time instead.", detail: "Date: \(value)")
            }
        } else {
            findings.add("date-missing", .warning, "There is no Date: an origin with a clock must send one (RFC 9110 §6.6.1), and caches need it for age calculations.")
        }
        if let value = response.fields[.expires], HTTPDate(value, now: response.responseTime) == nil {
            findings.add("expires-invalid", .warning, "Expires is not a valid HTTP-date; caches treat it as already expired (RFC 9111 §5.3).", detail: "Expires: \(value)")
        }
        if let value = response.combined(.age), AgeCalculation.ageValue(of: response.fields) == nil {
            findings.add("age-invalid", .warning, "Age is not a non-negative integer, so caches ignore it (RFC 9111 §5.1).", detail: "Age: \(value)")
        }
        if response.fields[.cacheControl] == nil && response.fields[.expires] == nil {
            findings.add(
                "cache-control-missing", .info,
                "There is neither Cache-Control nor Expires: each cache decides on its own how long to keep the response."
            )
        }
    }

    /// RFC 9111 §3 (storable?) and §4.2 (freshness lifetime), computed by `HTTPCachePolicy`
    /// for a shared and for a private cache.
    private func freshness(_ response: FetchedResponse, _ findings: inout Findings) {
        let request = HTTPRequest(method: .get, scheme: nil, authority: nil, path: "/")
        for (kind, options) in [("shared", CachePolicyOptions.shared), ("private", CachePolicyOptions.private)] {
            let policy = CachePolicy(
                request: request, response: response.head,
                requestTime: response.requestTime, responseTime: response.responseTime, options: options
            )
            let who = kind == "shared" ? "A shared cache (CDN, proxy)" : "A private cache (browser)"
            guard case .notStorable(let reason) = policy.storability else {
                let lifetime = policy.freshnessLifetime
                let source = Self.describe(policy.freshness.source)
                if lifetime > 0 {
                    findings.add(
                        "freshness-\(kind)", .info,
                        "\(who) may reuse it for \(Self.duration(lifetime)) without asking the server (\(source)).",
                        detail: "freshness lifetime \(lifetime) s; current age \(policy.age(now: response.responseTime)) s"
                    )
                } else {
                    findings.add(
                        "freshness-\(kind)", .info,
                        "\(who) may store it but must revalidate it before every reuse (\(source)): this is where 304s matter."
                    )
                }
                if kind == "shared", policy.freshness.source == .heuristic {
                    findings.add(
                        "freshness-heuristic", .warning,
                        "No explicit lifetime: caches guess one from Last-Modified (RFC 9111 §4.2.2), here \(Self.duration(lifetime)); say what you mean with Cache-Control: max-age."
                    )
                }
                continue
            }
            findings.add("not-storable-\(kind)", .info, "\(who) will not store it: \(Self.describe(reason)).")
        }
    }

    /// RFC 9110 §12.5.5 (Vary); Set-Cookie on a shared-cacheable response (RFC 9111 §3,
    /// which does not forbid storing it).
    private func varyAndCookies(_ response: FetchedResponse, _ findings: inout Findings) {
        let vary = response.listMembers(.vary)
        if vary.contains("*") {
            findings.add("vary-star", .warning, "Vary: * means no stored response can ever be reused without revalidation.")
        } else if !vary.isEmpty {
            findings.add("vary", .info, "Caches keep one copy per value of \(vary.joined(separator: ", ")) (Vary).", detail: "Vary: \(vary.joined(separator: ", "))")
        }
        guard response.fields[.setCookie] != nil else { return }
        let directives = CacheControl(fields: response.fields)
        let policy = CachePolicy(
            request: HTTPRequest(method: .get, scheme: nil, authority: nil, path: "/"), response: response.head,
            requestTime: response.requestTime, responseTime: response.responseTime, options: .shared
        )
        let protected = directives.privateFieldNames.contains(.setCookie) || directives.noCacheFieldNames.contains(.setCookie)
        if policy.isStorable && !protected {
            findings.add(
                "set-cookie-cacheable", .warning,
                "The response sets a cookie yet a shared cache may store it: one visitor's cookie can be handed to others. Add Cache-Control: private (or no-cache=\"Set-Cookie\").",
                detail: "Cache-Control: \(response.combined(.cacheControl) ?? "(none)")"
            )
        }
    }

    /// RFC 9110 §9.3.2: HEAD carries the fields GET would.
    private func head(against get: FetchedResponse, _ findings: inout Findings) async {
        guard let head = await findings.send(.head) else { return }
        guard head.status.code == get.status.code else {
            findings.add(
                "head-status-differs", .warning,
                "HEAD answered \(head.status.code) where GET answered \(get.status.code): HEAD must answer like GET, without content."
            )
            return
        }
        let compared: [HTTPField.Name] = [.eTag, .lastModified, .contentType, .contentEncoding, .cacheControl, .vary, .expires]
        var differences: [String] = compared.compactMap { name in
            let a = get.combined(name), b = head.combined(name)
            return a == b ? nil : "\(name): GET \(a ?? "(none)"), HEAD \(b ?? "(none)")"
        }
        if let length = head.fields[.contentLength], let getLength = get.fields[.contentLength], length != getLength {
            differences.append("Content-Length: GET \(getLength), HEAD \(length)")
        }
        if differences.isEmpty {
            findings.add("head-get-agree", .good, "HEAD carries the same validators and caching fields as GET.")
        } else {
            findings.add(
                "head-get-mismatch", .warning,
                "HEAD and GET disagree on their fields, so caches that refresh from a HEAD store the wrong metadata.",
                detail: differences.joined(separator: "; ")
            )
        }
    }

    static func duration(_ seconds: Int64) -> String {
        switch seconds {
        case ..<120: return "\(seconds) s"
        case ..<7200: return "\(seconds / 60) min"
        case ..<172_800: return "\(seconds / 3600) h"
        default: return "\(seconds / 86_400) days"
        }
    }

    static func describe(_ source: Freshness.Source) -> String {
        switch source {
        case .sharedMaxAge: return "s-maxage"
        case .maxAge: return "max-age"
        case .expires: return "Expires minus Date"
        case .heuristic: return "a heuristic from Last-Modified"
        case .none: return "no lifetime given"
        }
    }

    static func describe(_ reason: NotStorableReason) -> String {
        switch reason {
        case .methodNotCacheable: return "the method is not cacheable"
        case .statusNotFinal: return "the status is not final"
        case .notModifiedResponse: return "it is a 304"
        case .statusNotUnderstood: return "must-understand with a status the cache does not know"
        case .requestNoStore: return "the request said no-store"
        case .responseNoStore: return "Cache-Control: no-store"
        case .privateResponse: return "Cache-Control: private"
        case .authorization: return "the request carried Authorization and the response does not say public, s-maxage or must-revalidate"
        case .partialContentNotSupported: return "it is partial content"
        case .notCacheable: return "nothing makes it cacheable (no max-age, Expires or public, and the status is not cacheable by default)"
        }
    }
}
