import HTTPTypes

/// What a server knows about the selected representation when it evaluates preconditions
/// (RFC 9110 §13.2.2): its validators and whether it exists at all.
public struct RepresentationValidators: Sendable, Hashable {
    /// The current entity tag, if the representation has one.
    public var etag: EntityTag?
    /// The current modification date, if the representation has one.
    public var lastModified: HTTPDate?
    /// Whether there is a current representation. `If-Match: *` fails and `If-None-Match: *`
    /// succeeds when there is none (RFC 9110 §13.1.1, §13.1.2).
    public var exists: Bool
    /// Whether `lastModified` may serve as a strong validator (RFC 9110 §8.8.2.2), which
    /// `If-Range` with a date requires. A modification date is strong only when the server
    /// knows the representation did not change twice within that second.
    public var lastModifiedIsStrong: Bool

    /// Creates the validators of a representation.
    ///
    /// - Parameter lastModifiedIsStrong: pass `true` only when the representation cannot have
    ///   changed twice in the second of `lastModified`; see ``init(etag:lastModified:exists:date:)``
    ///   to decide it from the response's `Date`.
    public init(etag: EntityTag? = nil, lastModified: HTTPDate? = nil, exists: Bool = true, lastModifiedIsStrong: Bool = false) {
        self.etag = etag
        self.lastModified = lastModified
        self.exists = exists
        self.lastModifiedIsStrong = lastModifiedIsStrong
    }

    /// Creates the validators of a representation whose response is dated `date`: its
    /// modification date is strong when it lies at least one second before `date`
    /// (RFC 9110 §8.8.2.2).
    public init(etag: EntityTag? = nil, lastModified: HTTPDate? = nil, exists: Bool = true, date: HTTPDate) {
        self.init(
            etag: etag,
            lastModified: lastModified,
            exists: exists,
            lastModifiedIsStrong: lastModified.map { $0 < date } ?? false
        )
    }

    /// Reads `ETag`, `Last-Modified` and `Date` from the header fields of the response that
    /// would be sent. A malformed `ETag` or `Last-Modified` counts as absent; without `Date`,
    /// `now` decides whether the modification date is strong.
    public init(responseFields fields: HTTPFields, now: HTTPDate) {
        let etag = fields[.eTag].flatMap { EntityTag($0) }
        let lastModified = fields[.lastModified].flatMap { HTTPDate($0, now: now) }
        let date = fields[.date].flatMap { HTTPDate($0, now: now) } ?? now
        self.init(etag: etag, lastModified: lastModified, exists: true, date: date)
    }

    /// No current representation: the target resource has none to select.
    public static let missing = RepresentationValidators(exists: false)
}
