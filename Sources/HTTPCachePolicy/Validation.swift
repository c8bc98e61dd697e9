import HTTPPreconditions
import HTTPTypes

/// Validation of stored responses (RFC 9111 §4.3): the conditional request a cache sends,
/// and which stored responses a 304 selects.
public enum Validation {
    /// The request a cache sends to validate stored responses for `request` (§4.3.1).
    ///
    /// - `If-None-Match` lists every entity tag, strong or weak, of the stored responses
    ///   (§4.3.1: "MUST send the relevant entity tags").
    /// - `If-Modified-Since` carries the stored `Last-Modified`, only when a single stored
    ///   response is validated (§4.3.1 "SHOULD").
    /// - When that single response has neither entity tag nor `Last-Modified`, its `Date` is
    ///   sent as `If-Modified-Since` (RFC 9110 §13.1.3 allows it): an origin that compares
    ///   dates can still answer 304, and §4.3.4's last rule accepts a 304 without validators
    ///   for exactly this case.
    /// - The client's own `If-None-Match`, `If-Modified-Since`, `If-Range` and `Range` are
    ///   removed: the cache validates the whole stored response, then answers the client's
    ///   conditions itself (§4.3.2). `If-Match` and `If-Unmodified-Since` concern the origin
    ///   only and are forwarded.
    /// - The method is the stored one, so that a HEAD that found a stored GET refreshes it.
    public static func conditionalRequest(for request: HTTPRequest, stored: [CachePolicy]) -> HTTPRequest {
        var conditional = request
        if let method = stored.first.flatMap({ HTTPRequest.Method($0.requestMethod) }) {
            conditional.method = method
        }
        var fields = request.headerFields
        fields[.ifNoneMatch] = nil
        fields[.ifModifiedSince] = nil
        fields[.ifRange] = nil
        fields[.range] = nil
        var tags: [EntityTag] = []
        for policy in stored {
            if let tag = policy.etag, !tags.contains(tag) { tags.append(tag) }
        }
        if !tags.isEmpty {
            fields[.ifNoneMatch] = EntityTagList.tags(tags).description
        }
        if stored.count == 1 {
            let policy = stored[0]
            if let lastModified = policy.lastModified {
                fields[.ifModifiedSince] = lastModified.imfFixdate
            } else if policy.etag == nil {
                fields[.ifModifiedSince] = policy.date.imfFixdate
            }
        }
        conditional.headerFields = fields
        return conditional
    }

    /// The indices of the stored responses a 304 selects for update, following RFC 9111
    /// §4.3.4 to the letter:
    ///
    /// 1. If the 304 carries strong validators, every stored response with one of the same
    ///    strong validators is selected; if none has, none is.
    /// 2. Else, if it carries weak validators, the most recent stored response (by `Date`,
    ///    then response time) that matches one of them is selected.
    /// 3. Else, if there is exactly one stored response and it has no validator either, it
    ///    is selected.
    ///
    /// An entity tag is strong unless marked `W/`. A `Last-Modified` is strong when the 304
    /// has a `Date` at least 60 seconds later (RFC 9110 §8.8.2.2), weak otherwise.
    public static func selectedForUpdate(by notModified: HTTPResponse, among stored: [CachePolicy]) -> [Int] {
        let fields = notModified.headerFields
        let date = AgeCalculation.dateValue(of: fields)
        let etag = fields[.eTag].flatMap { EntityTag($0) }
        let lastModified = Freshness.lastModified(of: fields, now: date)
        let strongETag = etag.flatMap { $0.isWeak ? nil : $0 }
        let strongLastModified = lastModified.flatMap { modified in
            date.flatMap { modified.seconds(since: $0) <= -60 ? modified : nil }
        }

        if strongETag != nil || strongLastModified != nil {
            return stored.indices.filter { i in
                if let strongETag, let tag = stored[i].etag, tag.matches(strongETag, using: .strong) { return true }
                if let strongLastModified, stored[i].lastModified == strongLastModified { return true }
                return false
            }
        }
        if etag != nil || lastModified != nil {
            var best: Int?
            for i in stored.indices {
                let matches =
                    (etag.map { tag in stored[i].etag.map { $0.matches(tag, using: .weak) } ?? false } ?? false)
                    || (lastModified != nil && stored[i].lastModified == lastModified)
                guard matches else { continue }
                if let current = best, !isMoreRecent(stored[i], than: stored[current]) { continue }
                best = i
            }
            return best.map { [$0] } ?? []
        }
        if stored.count == 1, stored[0].etag == nil, stored[0].lastModified == nil {
            return [0]
        }
        return []
    }

    /// Whether `a` is more recent than `b`: a later `Date`, or the same `Date` and a later
    /// response time (RFC 9111 §4.1, §4.3.4).
    public static func isMoreRecent(_ a: CachePolicy, than b: CachePolicy) -> Bool {
        if a.date != b.date { return a.date > b.date }
        return a.responseTime > b.responseTime
    }

    /// The index of the stored response to use for `request` among several stored under its
    /// primary key (RFC 9111 §4.1): of those whose secondary key matches, the most recent.
    /// Allocates nothing.
    public static func selectMostRecentMatching(_ stored: [CachePolicy], for request: HTTPRequest) -> Int? {
        var best: Int?
        for i in stored.indices where stored[i].varyKey.matches(request.headerFields) {
            let method = request.method.rawValue
            guard stored[i].requestMethod == method || (request.method == .head && stored[i].requestMethod == "GET") else {
                continue
            }
            if let current = best, !isMoreRecent(stored[i], than: stored[current]) { continue }
            best = i
        }
        return best
    }
}

extension CachePolicy {
    /// The request to send to validate this stored response for `request` (§4.3.1); see
    /// ``Validation/conditionalRequest(for:stored:)``.
    public func revalidationRequest(for request: HTTPRequest) -> HTTPRequest {
        Validation.conditionalRequest(for: request, stored: [self])
    }
}
