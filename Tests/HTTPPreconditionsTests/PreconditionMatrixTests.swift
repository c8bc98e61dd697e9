import HTTPPreconditions
import HTTPTypes
import Testing

// Expected outcomes come from RFC 9110 §13.1.1–§13.1.5 (each condition), §13.2.1 (when
// preconditions are ignored), §13.2.2 (their order), §14.2 (Range only for GET) and RFC 9111
// §4.3.2 (a cache leaves If-Match and If-Unmodified-Since to the origin), with the library's
// documented choices for malformed fields.
//
// §13.2.2 in short:
//  1. If-Match present → false: 412.
//  2. If-Match absent, If-Unmodified-Since present → false: 412.
//  3. If-None-Match present → false: 304 for GET/HEAD, 412 otherwise.
//  4. GET/HEAD, If-None-Match absent, If-Modified-Since present → false: 304.
//  5. GET with Range and If-Range → If-Range true: 206, false: ignore Range (200).
//  6. Otherwise perform the method.

/// The fixtures: one current representation and dates around its Last-Modified.
enum Fixture {
    static let lastModified = HTTPDate(secondsSince1970: 784_111_777)
    static let lm = "Sun, 06 Nov 1994 08:49:37 GMT"
    static let lmRFC850 = "Sunday, 06-Nov-94 08:49:37 GMT"
    static let lmAsctime = "Sun Nov  6 08:49:37 1994"
    static let lmMinus1s = "Sun, 06 Nov 1994 08:49:36 GMT"
    static let lmPlus1s = "Sun, 06 Nov 1994 08:49:38 GMT"
    static let dayBefore = "Sat, 05 Nov 1994 08:49:37 GMT"
    static let dayBeforeRFC850 = "Saturday, 05-Nov-94 08:49:37 GMT"
    static let dayBeforeAsctime = "Sat Nov  5 08:49:37 1994"
    static let dayAfter = "Mon, 07 Nov 1994 08:49:37 GMT"

    /// Strong tag "v2" and a strong Last-Modified.
    static let strong = RepresentationValidators(etag: EntityTag(#""v2""#), lastModified: lastModified, lastModifiedIsStrong: true)
    /// Weak tag W/"v2".
    static let weakTag = RepresentationValidators(etag: EntityTag(#"W/"v2""#), lastModified: lastModified, lastModifiedIsStrong: true)
    /// Last-Modified only.
    static let untagged = RepresentationValidators(etag: nil, lastModified: lastModified, lastModifiedIsStrong: true)
    /// ETag only.
    static let undated = RepresentationValidators(etag: EntityTag(#""v2""#), lastModified: nil)
    /// Tag "v2" and a Last-Modified that is only a weak validator.
    static let weakDate = RepresentationValidators(etag: EntityTag(#""v2""#), lastModified: lastModified, lastModifiedIsStrong: false)
    /// A tag containing a comma.
    static let commaTag = RepresentationValidators(etag: EntityTag(#""a,b""#), lastModified: lastModified)
    static let tagA = RepresentationValidators(etag: EntityTag(#""a""#), lastModified: lastModified)
    static let missing = RepresentationValidators.missing
}

struct MatrixCase: Sendable, CustomTestStringConvertible {
    let description: String
    let method: HTTPRequest.Method
    let fields: [HTTPField]
    let representation: RepresentationValidators
    let role: PreconditionRole
    let status: HTTPResponse.Status
    let expected: PreconditionOutcome

    var testDescription: String { description }

    var request: HTTPRequest {
        HTTPRequest(method: method, scheme: "https", authority: "example.com", path: "/r", headerFields: HTTPFields(fields))
    }
}

private func c(
    _ description: String,
    _ method: HTTPRequest.Method,
    _ fields: [(HTTPField.Name, String)],
    _ representation: RepresentationValidators,
    role: PreconditionRole = .originServer,
    status: HTTPResponse.Status = .ok,
    _ expected: PreconditionOutcome
) -> MatrixCase {
    MatrixCase(
        description: description, method: method,
        fields: fields.map { HTTPField(name: $0.0, value: $0.1) },
        representation: representation, role: role, status: status, expected: expected
    )
}

/// A case against ``Fixture/strong``.
private func c(
    _ description: String,
    _ method: HTTPRequest.Method,
    _ fields: [(HTTPField.Name, String)],
    role: PreconditionRole = .originServer,
    status: HTTPResponse.Status = .ok,
    _ expected: PreconditionOutcome
) -> MatrixCase {
    c(description, method, fields, Fixture.strong, role: role, status: status, expected)
}

private let ok = PreconditionOutcome.proceed(range: .notRequested)
private let partial = PreconditionOutcome.proceed(range: .apply)
private let whole = PreconditionOutcome.proceed(range: .ignoredByIfRange)
private let notModifiedINM = PreconditionOutcome.notModified(because: .ifNoneMatch)
private let notModifiedIMS = PreconditionOutcome.notModified(because: .ifModifiedSince)
private let failedIM = PreconditionOutcome.preconditionFailed(because: .ifMatch)
private let failedIUS = PreconditionOutcome.preconditionFailed(because: .ifUnmodifiedSince)
private let failedINM = PreconditionOutcome.preconditionFailed(because: .ifNoneMatch)

private let IM = HTTPField.Name.ifMatch
private let IUS = HTTPField.Name.ifUnmodifiedSince
private let INM = HTTPField.Name.ifNoneMatch
private let IMS = HTTPField.Name.ifModifiedSince
private let IR = HTTPField.Name.ifRange
private let RANGE = HTTPField.Name.range
private let bytes = "bytes=0-99"

enum Matrix {
    // MARK: If-Match alone (§13.1.1, §13.2.2 step 1)
    static let ifMatch: [MatrixCase] = [
        c("§13.1.1 GET If-Match current tag → true", .get, [(IM, #""v2""#)], ok),
        c("§13.1.1 PUT If-Match current tag → true", .put, [(IM, #""v2""#)], ok),
        c("§13.1.1 PUT If-Match other tag → 412", .put, [(IM, #""v1""#)], failedIM),
        c("§13.1.1 DELETE If-Match other tag → 412", .delete, [(IM, #""v1""#)], failedIM),
        c("§13.1.1 POST If-Match other tag → 412", .post, [(IM, #""v1""#)], failedIM),
        c("§13.1.1 GET If-Match other tag → 412 (not 304)", .get, [(IM, #""v1""#)], failedIM),
        c("§13.1.1 HEAD If-Match other tag → 412", .head, [(IM, #""v1""#)], failedIM),
        c("§13.1.1 PUT If-Match * with a representation → true", .put, [(IM, "*")], ok),
        c("§13.1.1 PUT If-Match * with an untagged representation → true", .put, [(IM, "*")], Fixture.untagged, ok),
        c("§13.1.1 PUT If-Match * without a representation → 412", .put, [(IM, "*")], Fixture.missing, status: .created, failedIM),
        c("§13.1.1 PUT If-Match tag without a representation → 412", .put, [(IM, #""v2""#)], Fixture.missing, status: .created, failedIM),
        c("§13.1.1 PUT If-Match tag, representation has no tag → 412", .put, [(IM, #""v2""#)], Fixture.untagged, failedIM),
        c("§8.8.3.2 strong: If-Match W/\"v2\" vs \"v2\" → 412", .put, [(IM, #"W/"v2""#)], failedIM),
        c("§8.8.3.2 strong: If-Match \"v2\" vs W/\"v2\" → 412", .put, [(IM, #""v2""#)], Fixture.weakTag, failedIM),
        c("§8.8.3.2 strong: If-Match W/\"v2\" vs W/\"v2\" → 412", .put, [(IM, #"W/"v2""#)], Fixture.weakTag, failedIM),
        c("§13.1.1 If-Match * vs weak current tag → true", .put, [(IM, "*")], Fixture.weakTag, ok),
        c("§13.1.1 If-Match list, second member matches", .put, [(IM, #""v1", "v2""#)], ok),
        c("§13.1.1 If-Match list of weak and strong, strong matches", .put, [(IM, #"W/"v2", "v2""#)], ok),
        c("§5.3 If-Match split over two lines, match on the second", .put, [(IM, #""v1""#), (IM, #""v2""#)], ok),
        c("§5.3 If-Match split over two lines, match on the first", .delete, [(IM, #""v2""#), (IM, #""v3""#)], ok),
        c("§5.3 If-Match split over two lines, no match → 412", .put, [(IM, #""v1""#), (IM, #""v3""#)], failedIM),
        c("§5.6.1 If-Match empty elements", .put, [(IM, #", "v1",, "v2","#)], ok),
        c("§5.6.1 If-Match OWS around commas", .put, [(IM, "\"v1\" \t,\t\"v2\"")], ok),
        c("design: malformed If-Match (no quotes) → 412", .put, [(IM, "v2")], failedIM),
        c("design: malformed If-Match on GET → 412", .get, [(IM, "v2")], failedIM),
        c("design: If-Match * mixed with a tag → 412", .put, [(IM, #"*, "v2""#)], failedIM),
        c("design: If-Match * and a tag on two lines → 412", .put, [(IM, "*"), (IM, #""v2""#)], failedIM),
        c("design: If-Match matching tag then garbage → 412", .put, [(IM, #""v2", garbage"#)], failedIM),
        c("design: If-Match with lowercase w/ → 412", .put, [(IM, #"w/"v2""#)], failedIM),
        c("RFC 9111 §4.3.2 cache ignores a failing If-Match (PUT)", .put, [(IM, #""v1""#)], role: .cache, ok),
        c("RFC 9111 §4.3.2 cache ignores a failing If-Match (GET)", .get, [(IM, #""v1""#)], role: .cache, ok),
        c("RFC 9111 §4.3.2 cache ignores a malformed If-Match", .get, [(IM, "v1")], role: .cache, ok),
    ]

    // MARK: If-Unmodified-Since alone (§13.1.4, §13.2.2 step 2)
    static let ifUnmodifiedSince: [MatrixCase] = [
        c("§13.1.4 PUT If-Unmodified-Since = Last-Modified → true", .put, [(IUS, Fixture.lm)], ok),
        c("§13.1.4 PUT If-Unmodified-Since after Last-Modified → true", .put, [(IUS, Fixture.dayAfter)], ok),
        c("§13.1.4 PUT If-Unmodified-Since 1 s before Last-Modified → 412", .put, [(IUS, Fixture.lmMinus1s)], failedIUS),
        c("§13.1.4 DELETE If-Unmodified-Since before → 412", .delete, [(IUS, Fixture.dayBefore)], failedIUS),
        c("§13.1.4 POST If-Unmodified-Since before → 412", .post, [(IUS, Fixture.dayBefore)], failedIUS),
        c("§13.2.2 step 2 applies to GET too → 412", .get, [(IUS, Fixture.dayBefore)], failedIUS),
        c("§13.1.4 RFC 850 date before → 412", .put, [(IUS, Fixture.dayBeforeRFC850)], failedIUS),
        c("§13.1.4 asctime date before → 412", .put, [(IUS, Fixture.dayBeforeAsctime)], failedIUS),
        c("§13.1.4 invalid date → ignored", .put, [(IUS, "yesterday")], ok),
        c("§13.1.4 a list of dates → ignored", .put, [(IUS, "\(Fixture.dayBefore), \(Fixture.dayBefore)")], ok),
        c("§13.1.4 two field lines → ignored", .put, [(IUS, Fixture.dayBefore), (IUS, Fixture.dayBefore)], ok),
        c("§13.1.4 no modification date → ignored", .put, [(IUS, Fixture.dayBefore)], Fixture.undated, ok),
        c("§13.1.4 no representation → ignored", .put, [(IUS, Fixture.dayBefore)], Fixture.missing, status: .created, ok),
        c("RFC 9111 §4.3.2 cache ignores If-Unmodified-Since", .put, [(IUS, Fixture.dayBefore)], role: .cache, ok),
    ]

    // MARK: If-None-Match alone (§13.1.2, §13.2.2 step 3)
    static let ifNoneMatch: [MatrixCase] = [
        c("§13.1.2 GET If-None-Match current tag → 304", .get, [(INM, #""v2""#)], notModifiedINM),
        c("§13.1.2 HEAD If-None-Match current tag → 304", .head, [(INM, #""v2""#)], notModifiedINM),
        c("§13.1.2 GET If-None-Match other tag → 200", .get, [(INM, #""v1""#)], ok),
        c("§13.1.2 weak: W/\"v2\" vs \"v2\" → 304", .get, [(INM, #"W/"v2""#)], notModifiedINM),
        c("§13.1.2 weak: \"v2\" vs W/\"v2\" → 304", .get, [(INM, #""v2""#)], Fixture.weakTag, notModifiedINM),
        c("§13.1.2 weak: W/\"v2\" vs W/\"v2\" → 304", .head, [(INM, #"W/"v2""#)], Fixture.weakTag, notModifiedINM),
        c("§13.1.2 weak: W/\"v1\" vs W/\"v2\" → 200", .get, [(INM, #"W/"v1""#)], Fixture.weakTag, ok),
        c("§13.1.2 PUT If-None-Match current tag → 412", .put, [(INM, #""v2""#)], failedINM),
        c("§13.1.2 DELETE If-None-Match weak current tag → 412 (weak comparison)", .delete, [(INM, #"W/"v2""#)], failedINM),
        c("§13.1.2 POST If-None-Match current tag → 412", .post, [(INM, #""v2""#)], failedINM),
        c("§13.1.2 PUT If-None-Match other tag → proceed", .put, [(INM, #""v1""#)], ok),
        c("§13.1.2 PUT If-None-Match * with a representation → 412", .put, [(INM, "*")], failedINM),
        c("§13.1.2 PUT If-None-Match * without a representation → proceed", .put, [(INM, "*")], Fixture.missing, status: .created, ok),
        c("§13.1.2 POST If-None-Match * without a representation → proceed", .post, [(INM, "*")], Fixture.missing, status: .created, ok),
        c("§13.1.2 GET If-None-Match * with a representation → 304", .get, [(INM, "*")], notModifiedINM),
        c("§13.1.2 GET If-None-Match * with an untagged representation → 304", .get, [(INM, "*")], Fixture.untagged, notModifiedINM),
        c("§13.1.2 PUT If-None-Match tag without a representation → proceed", .put, [(INM, #""v2""#)], Fixture.missing, status: .created, ok),
        c("§13.1.2 GET If-None-Match, representation has no tag → 200", .get, [(INM, #""v2""#)], Fixture.untagged, ok),
        c("§13.1.2 list, last member matches → 304", .get, [(INM, #""v0", "v1", "v2""#)], notModifiedINM),
        c("§13.1.2 list, no member matches → 200", .get, [(INM, #""v0", "v1", "v3""#)], ok),
        c("§5.3 split over two lines, match on the second → 304", .get, [(INM, #""v1""#), (INM, #""v2""#)], notModifiedINM),
        c("§5.3 split over two lines, match on the first → 304", .get, [(INM, #""v2""#), (INM, #""v1""#)], notModifiedINM),
        c("§5.3 split over three lines, match on the last → 304", .head, [(INM, #""v0""#), (INM, #""v1", W/"v3""#), (INM, #"W/"v2""#)], notModifiedINM),
        c("§5.3 split over two lines, no match, PUT → proceed (not malformed)", .put, [(INM, #""v1""#), (INM, #""v3""#)], ok),
        c("§5.3 split over two lines, match, PUT → 412", .put, [(INM, #""v1""#), (INM, #""v2""#)], failedINM),
        c("§5.6.1 empty elements → 304", .get, [(INM, #""v1",,"v2""#)], notModifiedINM),
        c("§5.6.1 leading and trailing empty elements → 304", .get, [(INM, #", "v2" ,"#)], notModifiedINM),
        c("§5.6.1 OWS → 304", .get, [(INM, "\"v1\"\t ,  \"v2\"")], notModifiedINM),
        c("design: malformed If-None-Match on GET → 200", .get, [(INM, "v2")], ok),
        c("design: malformed If-None-Match on HEAD → 200", .head, [(INM, #""v2"#)], ok),
        c("design: malformed If-None-Match on PUT → 412", .put, [(INM, "v2")], failedINM),
        c("design: malformed If-None-Match on DELETE → 412", .delete, [(INM, #""v1" "v2""#)], failedINM),
        c("design: If-None-Match * plus a tag on GET → 200", .get, [(INM, "*"), (INM, #""v2""#)], ok),
        c("design: If-None-Match * plus a tag on PUT → 412", .put, [(INM, "*"), (INM, #""v1""#)], failedINM),
        c("design: a malformed second line spoils a matching first line on GET → 200", .get, [(INM, #""v2""#), (INM, "v1")], ok),
        c("RFC 9111 §4.3.2 a cache evaluates If-None-Match", .get, [(INM, #""v2""#)], role: .cache, notModifiedINM),
        c("§8.8.3 a quoted comma is part of the tag: \"a,b\" vs \"a,b\" → 304", .get, [(INM, #""a,b""#)], Fixture.commaTag, notModifiedINM),
        c("§8.8.3 a quoted comma is part of the tag: \"a,b\" vs \"a\" → 200", .get, [(INM, #""a,b""#)], Fixture.tagA, ok),
    ]

    // MARK: If-Modified-Since alone (§13.1.3, §13.2.2 step 4)
    static let ifModifiedSince: [MatrixCase] = [
        c("§13.1.3 GET If-Modified-Since = Last-Modified → 304", .get, [(IMS, Fixture.lm)], notModifiedIMS),
        c("§13.1.3 HEAD If-Modified-Since after Last-Modified → 304", .head, [(IMS, Fixture.dayAfter)], notModifiedIMS),
        c("§13.1.3 GET If-Modified-Since 1 s after → 304", .get, [(IMS, Fixture.lmPlus1s)], notModifiedIMS),
        c("§13.1.3 GET If-Modified-Since 1 s before → 200", .get, [(IMS, Fixture.lmMinus1s)], ok),
        c("§13.1.3 RFC 850 date = Last-Modified → 304", .get, [(IMS, Fixture.lmRFC850)], notModifiedIMS),
        c("§13.1.3 asctime date = Last-Modified → 304", .get, [(IMS, Fixture.lmAsctime)], notModifiedIMS),
        c("§13.1.3 ignored for PUT", .put, [(IMS, Fixture.lm)], ok),
        c("§13.1.3 ignored for POST", .post, [(IMS, Fixture.dayAfter)], ok),
        c("§13.1.3 ignored for DELETE", .delete, [(IMS, Fixture.dayAfter)], ok),
        c("§13.1.3 invalid date → ignored", .get, [(IMS, "Sun, 06 Nov 1994 08:49:37 UTC")], ok),
        c("§13.1.3 -1 is not a date → ignored", .get, [(IMS, "-1")], ok),
        c("§13.1.3 more than one member → ignored", .get, [(IMS, "\(Fixture.dayAfter), \(Fixture.dayAfter)")], ok),
        c("§13.1.3 two field lines → ignored", .get, [(IMS, Fixture.dayAfter), (IMS, Fixture.dayAfter)], ok),
        c("§13.1.3 no modification date → ignored", .get, [(IMS, Fixture.dayAfter)], Fixture.undated, ok),
        c("RFC 9111 §4.3.2 a cache evaluates If-Modified-Since", .get, [(IMS, Fixture.lm)], role: .cache, notModifiedIMS),
    ]

    // MARK: Range and If-Range (§13.1.5, §14.2, §13.2.2 step 5)
    static let ifRange: [MatrixCase] = [
        c("§14.2 GET with Range → apply", .get, [(RANGE, bytes)], partial),
        c("§14.2 HEAD with Range is not a range request", .head, [(RANGE, bytes)], ok),
        c("§14.2 PUT with Range → not a range request", .put, [(RANGE, bytes)], ok),
        c("§14.2 POST with Range → not a range request", .post, [(RANGE, bytes)], ok),
        c("§13.1.5 If-Range current strong tag → apply", .get, [(RANGE, bytes), (IR, #""v2""#)], partial),
        c("§13.1.5 If-Range other tag → whole", .get, [(RANGE, bytes), (IR, #""v1""#)], whole),
        c("§13.1.5 If-Range weak tag never matches", .get, [(RANGE, bytes), (IR, #"W/"v2""#)], whole),
        c("§13.1.5 If-Range vs a weak current tag never matches", .get, [(RANGE, bytes), (IR, #""v2""#)], Fixture.weakTag, whole),
        c("§13.1.5 If-Range tag, representation has no tag → whole", .get, [(RANGE, bytes), (IR, #""v2""#)], Fixture.untagged, whole),
        c("§13.1.5 If-Range date = strong Last-Modified → apply", .get, [(RANGE, bytes), (IR, Fixture.lm)], Fixture.untagged, partial),
        c("§13.1.5 If-Range date = weak Last-Modified → whole", .get, [(RANGE, bytes), (IR, Fixture.lm)], Fixture.weakDate, whole),
        c("§13.1.5 If-Range date 1 s after Last-Modified → whole (exact match)", .get, [(RANGE, bytes), (IR, Fixture.lmPlus1s)], whole),
        c("§13.1.5 If-Range date 1 s before Last-Modified → whole", .get, [(RANGE, bytes), (IR, Fixture.lmMinus1s)], whole),
        c("§13.1.5 If-Range date, no Last-Modified → whole", .get, [(RANGE, bytes), (IR, Fixture.lm)], Fixture.undated, whole),
        c("§13.1.5 If-Range garbage → whole", .get, [(RANGE, bytes), (IR, "v2")], whole),
        c("§13.1.5 If-Range list is not a validator → whole", .get, [(RANGE, bytes), (IR, #""v2", "v1""#)], whole),
        c("§13.1.5 If-Range on two lines is not one validator → whole", .get, [(RANGE, bytes), (IR, #""v2""#), (IR, #""v2""#)], whole),
        c("§13.1.5 If-Range without Range is ignored", .get, [(IR, #""v1""#)], ok),
        c("§14.2 HEAD with Range and If-Range → not a range request", .head, [(RANGE, bytes), (IR, #""v1""#)], ok),
        c("§13.1.5 a cache evaluates If-Range", .get, [(RANGE, bytes), (IR, #""v1""#)], role: .cache, whole),
    ]

    // MARK: Pairs of conditions (§13.2.2 order)
    static let pairs: [MatrixCase] = [
        // If-Match + If-Unmodified-Since
        c("§13.1.4 If-Unmodified-Since ignored when If-Match is present (true If-Match)", .put, [(IM, #""v2""#), (IUS, Fixture.dayBefore)], ok),
        c("§13.2.2 If-Match false decides before If-Unmodified-Since", .put, [(IM, #""v1""#), (IUS, Fixture.dayAfter)], failedIM),
        c("§13.1.4 If-Match * makes If-Unmodified-Since ignored", .delete, [(IM, "*"), (IUS, Fixture.lmMinus1s)], ok),
        c("§13.2.2 malformed If-Match with a true If-Unmodified-Since → 412", .put, [(IM, "v2"), (IUS, Fixture.dayAfter)], failedIM),
        c("RFC 9111 §4.3.2 cache skips both If-Match and If-Unmodified-Since", .put, [(IM, #""v1""#), (IUS, Fixture.dayBefore)], role: .cache, ok),
        // If-Match + If-None-Match
        c("§13.2.2 If-Match true, If-None-Match false, PUT → 412 If-None-Match", .put, [(IM, #""v2""#), (INM, #""v2""#)], failedINM),
        c("§13.2.2 If-Match false first, PUT → 412 If-Match", .put, [(IM, #""v1""#), (INM, #""v2""#)], failedIM),
        c("§13.2.2 If-Match true, If-None-Match false, GET → 304", .get, [(IM, #""v2""#), (INM, #""v2""#)], notModifiedINM),
        c("§13.2.2 If-Match false before If-None-Match, GET → 412", .get, [(IM, #""v1""#), (INM, #""v2""#)], failedIM),
        c("§13.2.2 If-Match true, If-None-Match true → proceed", .put, [(IM, #""v2""#), (INM, #""v1""#)], ok),
        c("§13.2.2 If-Match * and If-None-Match * on GET → 304", .get, [(IM, "*"), (INM, "*")], notModifiedINM),
        c("§13.2.2 If-Match * and If-None-Match * without representation → 412 If-Match", .put, [(IM, "*"), (INM, "*")], Fixture.missing, status: .created, failedIM),
        c("RFC 9111 §4.3.2 cache: failing If-Match skipped, If-None-Match → 304", .get, [(IM, #""v1""#), (INM, #""v2""#)], role: .cache, notModifiedINM),
        // If-Match + If-Modified-Since
        c("§13.2.2 If-Match true, If-Modified-Since false → 304", .get, [(IM, #""v2""#), (IMS, Fixture.lm)], notModifiedIMS),
        c("§13.2.2 If-Match false before If-Modified-Since → 412", .get, [(IM, #""v1""#), (IMS, Fixture.lmMinus1s)], failedIM),
        c("§13.2.2 If-Match true, If-Modified-Since true → 200", .get, [(IM, #""v2""#), (IMS, Fixture.lmMinus1s)], ok),
        c("§13.1.3 If-Match true, If-Modified-Since ignored for PUT", .put, [(IM, #""v2""#), (IMS, Fixture.lm)], ok),
        // If-Match + If-Range
        c("§13.2.2 If-Match true, If-Range true → apply", .get, [(IM, #""v2""#), (RANGE, bytes), (IR, #""v2""#)], partial),
        c("§13.2.2 If-Match false before If-Range → 412", .get, [(IM, #""v1""#), (RANGE, bytes), (IR, #""v2""#)], failedIM),
        c("§13.2.2 If-Match true, If-Range false → whole", .get, [(IM, #""v2""#), (RANGE, bytes), (IR, #""v1""#)], whole),
        // If-Unmodified-Since + If-None-Match
        c("§13.2.2 If-Unmodified-Since false before If-None-Match, PUT → 412 IUS", .put, [(IUS, Fixture.dayBefore), (INM, #""v1""#)], failedIUS),
        c("§13.2.2 If-Unmodified-Since true, If-None-Match false, PUT → 412 INM", .put, [(IUS, Fixture.lm), (INM, #""v2""#)], failedINM),
        c("§13.2.2 If-Unmodified-Since false before If-None-Match, GET → 412", .get, [(IUS, Fixture.dayBefore), (INM, #""v2""#)], failedIUS),
        c("§13.2.2 If-Unmodified-Since true, If-None-Match false, GET → 304", .get, [(IUS, Fixture.lm), (INM, #""v2""#)], notModifiedINM),
        c("§13.2.2 If-Unmodified-Since true, If-None-Match true → 200", .get, [(IUS, Fixture.lm), (INM, #""v1""#)], ok),
        // If-Unmodified-Since + If-Modified-Since
        c("§13.2.2 If-Unmodified-Since false before If-Modified-Since → 412", .get, [(IUS, Fixture.dayBefore), (IMS, Fixture.lm)], failedIUS),
        c("§13.2.2 If-Unmodified-Since true, If-Modified-Since false → 304", .get, [(IUS, Fixture.lm), (IMS, Fixture.lm)], notModifiedIMS),
        c("§13.2.2 If-Unmodified-Since true, If-Modified-Since true → 200", .get, [(IUS, Fixture.lm), (IMS, Fixture.lmMinus1s)], ok),
        c("RFC 9111 §4.3.2 cache: If-Unmodified-Since skipped, If-Modified-Since → 304", .get, [(IUS, Fixture.dayBefore), (IMS, Fixture.lm)], role: .cache, notModifiedIMS),
        // If-Unmodified-Since + If-Range
        c("§13.2.2 If-Unmodified-Since true, If-Range true → apply", .get, [(IUS, Fixture.lm), (RANGE, bytes), (IR, #""v2""#)], partial),
        c("§13.2.2 If-Unmodified-Since false before If-Range → 412", .get, [(IUS, Fixture.dayBefore), (RANGE, bytes), (IR, #""v2""#)], failedIUS),
        // If-None-Match + If-Modified-Since
        c("§13.1.3 If-Modified-Since ignored when If-None-Match is present (GET)", .get, [(INM, #""v1""#), (IMS, Fixture.lm)], ok),
        c("§13.1.3 If-Modified-Since ignored when If-None-Match is present (HEAD)", .head, [(INM, #""v1""#), (IMS, Fixture.dayAfter)], ok),
        c("§13.1.3 If-Modified-Since ignored when If-None-Match present, representation untagged", .get, [(INM, #""v1""#), (IMS, Fixture.lm)], Fixture.untagged, ok),
        c("§13.1.3 If-Modified-Since ignored when If-None-Match is malformed", .get, [(INM, "v1"), (IMS, Fixture.lm)], ok),
        c("§13.2.2 If-None-Match false, If-Modified-Since true → 304 INM", .get, [(INM, #""v2""#), (IMS, Fixture.lmMinus1s)], notModifiedINM),
        c("§13.2.2 If-None-Match false, If-Modified-Since false → 304 INM", .get, [(INM, #""v2""#), (IMS, Fixture.lm)], notModifiedINM),
        c("§13.2.2 If-None-Match true, If-Modified-Since true → 200", .get, [(INM, #""v1""#), (IMS, Fixture.lmMinus1s)], ok),
        c("§13.2.2 If-None-Match split list fully read before If-Modified-Since", .get, [(INM, #""v1""#), (INM, #""v2""#), (IMS, Fixture.lmMinus1s)], notModifiedINM),
        c("§13.1.3 PUT If-None-Match true, If-Modified-Since ignored", .put, [(INM, #""v1""#), (IMS, Fixture.lm)], ok),
        c("RFC 9111 §4.3.2 cache: If-Modified-Since ignored when If-None-Match present", .get, [(INM, #""v1""#), (IMS, Fixture.lm)], role: .cache, ok),
        // If-None-Match + If-Range
        c("§13.2.2 If-None-Match true, If-Range true → apply", .get, [(INM, #""v1""#), (RANGE, bytes), (IR, #""v2""#)], partial),
        c("§13.2.2 If-None-Match false before If-Range → 304", .get, [(INM, #""v2""#), (RANGE, bytes), (IR, #""v2""#)], notModifiedINM),
        c("§13.2.2 If-None-Match true, If-Range false → whole", .get, [(INM, #""v1""#), (RANGE, bytes), (IR, #""v1""#)], whole),
        // If-Modified-Since + If-Range
        c("§13.2.2 If-Modified-Since true, If-Range date true → apply", .get, [(IMS, Fixture.lmMinus1s), (RANGE, bytes), (IR, Fixture.lm)], partial),
        c("§13.2.2 If-Modified-Since false before If-Range → 304", .get, [(IMS, Fixture.lm), (RANGE, bytes), (IR, #""v2""#)], notModifiedIMS),
        c("§13.2.2 If-Modified-Since true, If-Range false → whole", .get, [(IMS, Fixture.lmMinus1s), (RANGE, bytes), (IR, #""v1""#)], whole),
        // All five
        c("§13.2.2 all true → apply", .get, [(IM, #""v2""#), (IUS, Fixture.lm), (INM, #""v1""#), (IMS, Fixture.lmMinus1s), (RANGE, bytes), (IR, #""v2""#)], partial),
        c("§13.2.2 all present, only If-Unmodified-Since false → ignored (If-Match present) → apply", .get, [(IM, #""v2""#), (IUS, Fixture.dayBefore), (INM, #""v1""#), (IMS, Fixture.lmMinus1s), (RANGE, bytes), (IR, #""v2""#)], partial),
        c("§13.2.2 all present, only If-Modified-Since false → ignored (If-None-Match present) → apply", .get, [(IM, #""v2""#), (IUS, Fixture.lm), (INM, #""v1""#), (IMS, Fixture.lm), (RANGE, bytes), (IR, #""v2""#)], partial),
    ]

    // MARK: §13.2.1 exclusions
    static let exclusions: [MatrixCase] = [
        c("§13.2.1 OPTIONS ignores a failing If-Match", .options, [(IM, #""v1""#)], ok),
        c("§13.2.1 TRACE ignores If-None-Match *", .trace, [(INM, "*")], ok),
        c("§13.2.1 CONNECT ignores a failing If-Match", .connect, [(IM, #""v1""#)], ok),
        c("§13.2.1 OPTIONS ignores If-Unmodified-Since", .options, [(IUS, Fixture.dayBefore)], ok),
        c("§13.2.1 404 without preconditions → ignored", .get, [(INM, #""v2""#)], status: .notFound, ok),
        c("§13.2.1 GET If-None-Match * on a missing resource (404) → ignored", .get, [(INM, "*")], Fixture.missing, status: .notFound, ok),
        c("§13.2.1 PUT failing If-Match with a 409 → ignored", .put, [(IM, #""v1""#)], status: .conflict, ok),
        c("§13.2.1 301 → If-Modified-Since ignored", .get, [(IMS, Fixture.lm)], status: .movedPermanently, ok),
        c("§13.2.1 500 → If-None-Match ignored", .get, [(INM, #""v2""#)], status: .internalServerError, ok),
        c("§13.2.1 304 is not 2xx → ignored", .get, [(INM, #""v2""#)], status: .notModified, ok),
        c("§13.2.1 412 is evaluated", .get, [(INM, #""v2""#)], status: .preconditionFailed, notModifiedINM),
        c("§13.2.1 204 is evaluated", .put, [(IM, #""v1""#)], status: .noContent, failedIM),
        c("§13.2.1 201 is evaluated", .put, [(INM, "*")], status: .created, failedINM),
        c("§13.2.1 404 with Range → not a range request", .get, [(RANGE, bytes)], status: .notFound, ok),
        c("§13.2.1 no conditional fields at all → proceed", .get, [], ok),
    ]

    static let all: [MatrixCase] = ifMatch + ifUnmodifiedSince + ifNoneMatch + ifModifiedSince + ifRange + pairs + exclusions
}

@Suite("Precondition precedence matrix (RFC 9110 §13.2.2)")
struct PreconditionMatrixTests {

    @Test("matrix", arguments: Matrix.all)
    func matrix(_ c: MatrixCase) {
        let outcome = c.request.evaluatePreconditions(for: c.representation, role: c.role, unconditionalStatus: c.status)
        #expect(outcome == c.expected, "\(c.description)")
    }

    @Test("the matrix is large enough")
    func size() {
        #expect(Matrix.all.count >= 80)
    }

    @Test("outcome statuses")
    func statuses() {
        #expect(ok.status == nil)
        #expect(ok.shouldProceed)
        #expect(whole.shouldProceed)
        #expect(notModifiedINM.status == .notModified)
        #expect(!notModifiedIMS.shouldProceed)
        #expect(failedIM.status == .preconditionFailed)
        #expect(failedINM.status == .preconditionFailed)
    }

    // MARK: - Regression tests for peers' bugs

    private func evaluate(
        _ method: HTTPRequest.Method, _ fields: [(HTTPField.Name, String)],
        _ representation: RepresentationValidators = Fixture.strong
    ) -> PreconditionOutcome {
        c("", method, fields, representation, ok).request.evaluatePreconditions(for: representation)
    }

    /// nginx and Apache answer 304 from If-Modified-Since although If-None-Match is present and
    /// true. RFC 9110 §13.1.3: "A recipient MUST ignore If-Modified-Since if the request contains
    /// an If-None-Match header field".
    @Test("regression (nginx, Apache): If-Modified-Since evaluated although If-None-Match is present")
    func ifModifiedSinceIgnoredWithIfNoneMatch() {
        #expect(evaluate(.get, [(INM, #""v1""#), (IMS, Fixture.lm)]) == ok)
        #expect(evaluate(.get, [(IMS, Fixture.lm), (INM, #""v1""#)]) == ok)
        #expect(evaluate(.head, [(INM, #""v1""#), (IMS, Fixture.dayAfter)]) == ok)
        #expect(evaluate(.get, [(INM, #""v1", "v0""#), (IMS, Fixture.dayAfter)], Fixture.untagged) == ok)
        // and the opposite: a matching If-None-Match wins over a true If-Modified-Since
        #expect(evaluate(.get, [(INM, #""v2""#), (IMS, Fixture.dayBefore)]) == notModifiedINM)
    }

    /// nginx and Apache fail a request on If-Unmodified-Since although If-Match is present and
    /// true. RFC 9110 §13.1.4: "A recipient MUST ignore If-Unmodified-Since if the request
    /// contains an If-Match header field".
    @Test("regression (nginx, Apache): If-Unmodified-Since evaluated although If-Match is present")
    func ifUnmodifiedSinceIgnoredWithIfMatch() {
        #expect(evaluate(.put, [(IM, #""v2""#), (IUS, Fixture.dayBefore)]) == ok)
        #expect(evaluate(.put, [(IUS, Fixture.dayBefore), (IM, #""v2""#)]) == ok)
        #expect(evaluate(.delete, [(IM, "*"), (IUS, Fixture.dayBefore)]) == ok)
        #expect(evaluate(.get, [(IM, #""v0", "v2""#), (IUS, Fixture.lmMinus1s)]) == ok)
        // and If-Match decides alone when it fails
        #expect(evaluate(.put, [(IM, #""v1""#), (IUS, Fixture.dayAfter)]) == failedIM)
    }

    /// nginx, Caddy and lighttpd reject or only half read an If-None-Match list split over
    /// several field lines. RFC 9110 §5.3: several lines of a list field are one list.
    @Test("regression (nginx, Caddy, lighttpd): a split If-None-Match list rejected or half read")
    func splitIfNoneMatch() {
        #expect(evaluate(.get, [(INM, #""v0""#), (INM, #""v2""#)]) == notModifiedINM)
        #expect(evaluate(.get, [(INM, #""v2""#), (INM, #""v0""#)]) == notModifiedINM)
        #expect(evaluate(.get, [(INM, #""v0", "v1""#), (INM, #"W/"v3", W/"v2""#)]) == notModifiedINM)
        #expect(evaluate(.head, [(INM, #""v0""#), (INM, ""), (INM, #""v2""#)]) == notModifiedINM)
        // not rejected: a split list that does not match lets a PUT proceed
        #expect(evaluate(.put, [(INM, #""v0""#), (INM, #""v1""#)]) == ok)
        // not half read: a match on the second line stops a PUT
        #expect(evaluate(.put, [(INM, #""v0""#), (INM, #""v2""#)]) == failedINM)
        // the same with the representation's tag weak
        #expect(evaluate(.get, [(INM, #""v0""#), (INM, #""v2""#)], Fixture.weakTag) == notModifiedINM)
        // If-Match is split the same way
        #expect(evaluate(.put, [(IM, #""v0""#), (IM, #""v2""#)]) == ok)
        #expect(EntityTagList([#""v0""#, #""v2""#].reduce(into: HTTPFields()) { $0.append(HTTPField(name: .ifNoneMatch, value: $1)) }, .ifNoneMatch)
            == .tags([EntityTag(#""v0""#)!, EntityTag(#""v2""#)!]))
    }

    /// A comma inside the quotes of an entity tag is a character of the tag, not a list
    /// separator (RFC 9110 §8.8.3: etagc includes %x2C).
    @Test("regression: a tag containing a comma inside quotes")
    func quotedComma() {
        #expect(evaluate(.get, [(INM, #""a,b""#)], Fixture.commaTag) == notModifiedINM)
        #expect(evaluate(.get, [(INM, #""x", "a,b""#)], Fixture.commaTag) == notModifiedINM)
        #expect(evaluate(.get, [(INM, #""a,b""#)], Fixture.tagA) == ok)
        #expect(evaluate(.get, [(INM, #""a", "b""#)], Fixture.commaTag) == ok)
        #expect(evaluate(.put, [(IM, #""a,b""#)], Fixture.commaTag) == ok)
        #expect(evaluate(.put, [(IM, #""a,b""#)], Fixture.tagA) == failedIM)
        #expect(evaluate(.get, [(RANGE, bytes), (IR, #""a,b""#)], Fixture.commaTag) == partial)
        #expect(EntityTagList(#""a,b", "c""#) == .tags([EntityTag(#""a,b""#)!, EntityTag(#""c""#)!]))
    }

    /// RFC 9110 §13.1.5: an HTTP-date validator is true when it exactly matches a strong
    /// Last-Modified, whatever its day name. A valid entity-tag is told from a valid HTTP-date
    /// by a DQUOTE among the first three characters (`"`, `W/"`); a date on a Wednesday also
    /// starts with `W`.
    @Test(
        "If-Range with a date on any weekday (§13.1.5)",
        arguments: [
            // (Last-Modified seconds, If-Range value), each equal
            (Int64(784_111_777), "Sun, 06 Nov 1994 08:49:37 GMT"),
            (784_198_177, "Mon, 07 Nov 1994 08:49:37 GMT"),
            (784_284_577, "Tue, 08 Nov 1994 08:49:37 GMT"),
            (784_370_977, "Wed, 09 Nov 1994 08:49:37 GMT"),
            (784_457_377, "Thu, 10 Nov 1994 08:49:37 GMT"),
            (784_543_777, "Fri, 11 Nov 1994 08:49:37 GMT"),
            (784_630_177, "Sat, 12 Nov 1994 08:49:37 GMT"),
        ])
    func ifRangeDateOnEveryWeekday(_ seconds: Int64, _ value: String) {
        let representation = RepresentationValidators(
            etag: EntityTag(#""v2""#), lastModified: HTTPDate(secondsSince1970: seconds), lastModifiedIsStrong: true)
        #expect(evaluate(.get, [(RANGE, bytes), (IR, value)], representation) == partial)
        let later = RepresentationValidators(
            etag: EntityTag(#""v2""#), lastModified: HTTPDate(secondsSince1970: seconds + 1), lastModifiedIsStrong: true)
        #expect(evaluate(.get, [(RANGE, bytes), (IR, value)], later) == whole)
    }

    /// RFC 9110 §8.8.2.2: a Last-Modified is strong when the response's Date is at least one
    /// second after it.
    @Test("Last-Modified strength from Date (§8.8.2.2)")
    func lastModifiedStrength() {
        let lm = Fixture.lastModified
        #expect(!RepresentationValidators(lastModified: lm, date: lm).lastModifiedIsStrong)
        #expect(RepresentationValidators(lastModified: lm, date: lm.adding(seconds: 1)).lastModifiedIsStrong)
        #expect(!RepresentationValidators(lastModified: lm, date: lm.adding(seconds: -1)).lastModifiedIsStrong)
        #expect(!RepresentationValidators(lastModified: nil, date: lm).lastModifiedIsStrong)
        let fields: HTTPFields = [.lastModified: Fixture.lm, .date: Fixture.lmPlus1s, .eTag: #"W/"x""#]
        let read = RepresentationValidators(responseFields: fields, now: lm)
        #expect(read.etag == EntityTag(#"W/"x""#))
        #expect(read.lastModified == lm)
        #expect(read.lastModifiedIsStrong)
        // a same-second Date: If-Range with that date must not match (§13.1.5)
        let sameSecond = RepresentationValidators(responseFields: [.lastModified: Fixture.lm, .date: Fixture.lm], now: lm)
        #expect(!sameSecond.lastModifiedIsStrong)
        #expect(evaluate(.get, [(RANGE, bytes), (IR, Fixture.lm)], sameSecond) == whole)
    }

    /// `now` reads two-digit RFC 850 years in conditional fields (§5.6.7).
    @Test("RFC 850 dates in conditional fields use now")
    func rfc850WithNow() {
        // Last-Modified 2030-01-01; If-Modified-Since "01-Jan-30" read in 2026 is 2030 → 304.
        let lm2030 = RepresentationValidators(etag: nil, lastModified: HTTPDate(secondsSince1970: 1_893_456_000), lastModifiedIsStrong: true)
        let now = HTTPDate(secondsSince1970: 1_772_323_200)  // 2026-03-01
        let request = c("", .get, [(IMS, "Tuesday, 01-Jan-30 00:00:00 GMT")], lm2030, ok).request
        #expect(request.evaluatePreconditions(for: lm2030, now: now) == notModifiedIMS)
        // Read in 1975, 2030 would be 55 years ahead, more than 50: "30" is 1930, before Last-Modified → 200.
        let now1975 = HTTPDate(secondsSince1970: 157_766_400)  // 1975-01-01
        #expect(request.evaluatePreconditions(for: lm2030, now: now1975) == ok)
    }
}
