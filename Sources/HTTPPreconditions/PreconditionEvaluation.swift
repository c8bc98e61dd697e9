import HTTPTypes

/// Who evaluates the preconditions: the origin server, or a cache answering from a stored
/// response.
public enum PreconditionRole: Sendable, Hashable {
    /// The origin server: every conditional field applies.
    case originServer
    /// A cache answering from a stored response. `If-Match` and `If-Unmodified-Since` apply
    /// only to an origin server and are left for it (RFC 9111 §4.3.2).
    case cache
}

extension HTTPRequest {
    /// Evaluates this request's conditional header fields against the selected
    /// representation, in the order of RFC 9110 §13.2.2:
    ///
    /// 1. `If-Match` (origin server only): false → 412.
    /// 2. `If-Unmodified-Since`, only without `If-Match` (origin server only): false → 412.
    /// 3. `If-None-Match`: false → 304 for GET and HEAD, 412 otherwise.
    /// 4. `If-Modified-Since`, only for GET and HEAD and only without `If-None-Match`: false → 304.
    /// 5. `If-Range`, only for GET with `Range`: decides whether `Range` applies.
    ///
    /// Preconditions are ignored altogether for CONNECT, OPTIONS and TRACE, and when the
    /// response to the request without them would have had a status other than 2xx or 412
    /// (§13.2.1). An `If-Match` or `If-None-Match` that is not a well-formed list is never
    /// guessed at: it fails safe, giving 412 where the method would change state and a full
    /// 200 (never a 304) for GET and HEAD. An invalid date makes its field be ignored
    /// (§13.1.3, §13.1.4).
    ///
    /// This function allocates nothing: it reads the field bytes in place.
    ///
    /// - Parameters:
    ///   - representation: the validators of the selected representation.
    ///   - now: the server's current time, needed only to read two-digit years in
    ///     obsolete RFC 850 dates (§5.6.7).
    ///   - role: an origin server, or a cache answering from storage (RFC 9111 §4.3.2).
    ///   - unconditionalStatus: the status the response would have without preconditions.
    public func evaluatePreconditions(
        for representation: RepresentationValidators,
        now: HTTPDate? = nil,
        role: PreconditionRole = .originServer,
        unconditionalStatus: HTTPResponse.Status = .ok
    ) -> PreconditionOutcome {
        let isGetOrHead = method == .get || method == .head

        // §13.2.1: methods and outcomes for which preconditions mean nothing.
        if method == .connect || method == .options || method == .trace {
            return .proceed(range: .notRequested)
        }
        let status = unconditionalStatus.code
        guard (200...299).contains(status) || status == 412 else {
            return .proceed(range: .notRequested)
        }

        // One pass over the fields finds every conditional field; the steps below then read
        // only the lines they need.
        let present = ConditionalFieldLines(headerFields)
        if present.isEmpty {
            return .proceed(range: method == .get && status == 200 && present.range.count > 0 ? .apply : .notRequested)
        }

        if role == .originServer {
            // Step 1: If-Match (§13.1.1), strong comparison.
            if present.ifMatch.count > 0 {
                switch EntityTagFieldMatch.evaluate(
                    headerFields, present.ifMatch, etag: representation.etag,
                    representationExists: representation.exists, using: .strong
                ) {
                case .notMatched, .malformed:
                    return .preconditionFailed(because: .ifMatch)
                case .matched:
                    break
                }
            } else if present.ifUnmodifiedSince.count == 1,
                // Step 2: If-Unmodified-Since (§13.1.4), only without If-Match; a list of
                // dates or an invalid date is ignored.
                let since = HTTPDate(field: headerFields[present.ifUnmodifiedSince.first], now: now),
                let lastModified = representation.lastModified,
                lastModified > since
            {
                return .preconditionFailed(because: .ifUnmodifiedSince)
            }
        }

        if present.ifNoneMatch.count > 0 {
            // Step 3: If-None-Match (§13.1.2), weak comparison.
            switch EntityTagFieldMatch.evaluate(
                headerFields, present.ifNoneMatch, etag: representation.etag,
                representationExists: representation.exists, using: .weak
            ) {
            case .matched:
                return isGetOrHead ? .notModified(because: .ifNoneMatch) : .preconditionFailed(because: .ifNoneMatch)
            case .malformed:
                if !isGetOrHead { return .preconditionFailed(because: .ifNoneMatch) }
            case .notMatched:
                break
            }
        } else if isGetOrHead, present.ifModifiedSince.count == 1,
            // Step 4: If-Modified-Since (§13.1.3), GET and HEAD only, only without If-None-Match.
            let since = HTTPDate(field: headerFields[present.ifModifiedSince.first], now: now),
            let lastModified = representation.lastModified,
            lastModified <= since
        {
            return .notModified(because: .ifModifiedSince)
        }

        // Step 5: Range and If-Range (§13.1.5, §14.2). HEAD with Range is not a range request.
        guard method == .get, status == 200, present.range.count > 0 else {
            return .proceed(range: .notRequested)
        }
        guard present.ifRange.count > 0 else { return .proceed(range: .apply) }
        // If-Range carries one validator; several lines cannot be evaluated.
        guard present.ifRange.count == 1, representation.exists else { return .proceed(range: .ignoredByIfRange) }
        let holds = headerFields[present.ifRange.first].withValueBytes {
            IfRangeCondition.evaluate($0, representation, now: now)
        }
        return .proceed(range: holds ? .apply : .ignoredByIfRange)
    }
}

/// Where the conditional fields of a request are: the first line of each and how many lines
/// it has, found in one pass.
struct ConditionalFieldLines {
    struct Lines {
        var first = 0
        var count = 0

        mutating func add(_ index: Int) {
            if count == 0 { first = index }
            count += 1
        }
    }

    var ifMatch = Lines()
    var ifNoneMatch = Lines()
    var ifModifiedSince = Lines()
    var ifUnmodifiedSince = Lines()
    var ifRange = Lines()
    var range = Lines()

    init(_ fields: HTTPFields) {
        for index in fields.indices {
            let name = fields[index].name.canonicalName
            // Every field of interest is "if-…" or "range"; most fields are rejected on their
            // first byte without a full comparison.
            guard let first = name.utf8.first, first == UInt8(ascii: "i") || first == UInt8(ascii: "r") else { continue }
            switch name {
            case "if-match": ifMatch.add(index)
            case "if-none-match": ifNoneMatch.add(index)
            case "if-modified-since": ifModifiedSince.add(index)
            case "if-unmodified-since": ifUnmodifiedSince.add(index)
            case "if-range": ifRange.add(index)
            case "range": range.add(index)
            default: break
            }
        }
    }

    /// No conditional field at all (a `Range` alone is not a condition).
    var isEmpty: Bool {
        ifMatch.count == 0 && ifNoneMatch.count == 0 && ifModifiedSince.count == 0
            && ifUnmodifiedSince.count == 0 && ifRange.count == 0
    }
}

/// The If-Range condition of RFC 9110 §13.1.5.
enum IfRangeCondition {
    static func evaluate(_ bytes: UnsafeRawBufferPointer, _ representation: RepresentationValidators, now: HTTPDate?) -> Bool {
        // An entity-tag is told from a date by a DQUOTE among its first three characters
        // (`"` or `W/"`); a bare `W` is not enough, since a date may start with "Wed".
        var first = 0
        while first < bytes.count, bytes[first] == 0x20 || bytes[first] == 0x09 { first += 1 }
        let quote = UInt8(ascii: "\"")
        let looksLikeTag =
            (first < bytes.count && bytes[first] == quote)
            || (first + 2 < bytes.count && bytes[first] == UInt8(ascii: "W") && bytes[first + 1] == UInt8(ascii: "/")
                && bytes[first + 2] == quote)
        if looksLikeTag {
            // Strong comparison: a weak tag on either side never matches.
            guard let current = representation.etag, !current.isWeak else { return false }
            var scanner = EntityTagScanner(bytes)
            scanner.skipWhitespace()
            guard let (range, weak) = scanner.entityTag(), !weak else { return false }
            scanner.skipWhitespace()
            guard scanner.isAtEnd else { return false }
            return UnsafeRawBufferPointer(rebasing: bytes[range]).elementsEqual(current.opaqueTag.utf8)
        }
        // A date must exactly match a Last-Modified that is a strong validator.
        guard let date = HTTPDate(bytes: bytes, now: now),
            let lastModified = representation.lastModified,
            representation.lastModifiedIsStrong
        else { return false }
        return date == lastModified
    }
}
