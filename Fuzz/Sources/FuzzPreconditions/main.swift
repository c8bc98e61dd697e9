// Precondition evaluation (RFC 9110 §13.2.2) with random methods, conditional fields and
// validators.
// Line 1: the method; line 2: the representation's ETag ("" for none); line 3: its
// Last-Modified ("" for none); line 4: flags, one character each: "x" the representation
// does not exist, "s" Last-Modified is a strong validator, "c" evaluated by a cache, then
// optionally a status code for the unconditional response; the rest: `Name: value`
// request fields (If-Match, If-None-Match, If-Modified-Since, If-Unmodified-Since, If-Range,
// Range, anything).
//
// Properties:
// - `.notModified` only for GET and HEAD, only when the request has If-None-Match or
//   If-Modified-Since, and only when the unconditional response would have been 2xx (or
//   412, which §13.2.1 also evaluates);
// - `.preconditionFailed` only when the request has a conditional field, never because of
//   If-Match or If-Unmodified-Since when a cache evaluates (RFC 9111 §4.3.2);
// - CONNECT, OPTIONS and TRACE always proceed without a range;
// - `Range` applies only to GET with a `Range` field and a 200;
// - without any conditional field the request proceeds;
// - evaluation is deterministic (a second evaluation gives the same outcome).
import FuzzSupport
import HTTPPreconditions
import HTTPTypes

let methods: [HTTPRequest.Method] = [.get, .head, .post, .put, .delete, .patch, .options, .trace, .connect]
/// 2026-01-01T00:00:00Z.
let fixedNow = HTTPDate(secondsSince1970: 1_767_225_600)

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    var input = FuzzLines(data, size)
    let methodText = String(input.next())
    let method = HTTPRequest.Method(methodText) ?? methods[methodText.utf8.count % methods.count]
    let etag = EntityTag(input.next())
    let lastModified = HTTPDate(input.next(), now: fixedNow)
    let flags = input.next()
    let role: PreconditionRole = flags.contains("c") ? .cache : .originServer
    let status = Int(flags.filter(\.isNumber).prefix(3)).flatMap { (100...599).contains($0) ? HTTPResponse.Status(code: $0) : nil } ?? .ok
    let representation = RepresentationValidators(
        etag: etag, lastModified: lastModified, exists: !flags.contains("x"), lastModifiedIsStrong: flags.contains("s")
    )
    let fields = input.fields()
    let request = HTTPRequest(method: method, scheme: "https", authority: "example.com", path: "/", headerFields: fields)

    let outcome = request.evaluatePreconditions(for: representation, now: fixedNow, role: role, unconditionalStatus: status)
    let again = request.evaluatePreconditions(for: representation, now: fixedNow, role: role, unconditionalStatus: status)
    check(outcome == again, "two evaluations differ: \(outcome) then \(again)")

    let isGetOrHead = method == .get || method == .head
    let has: (HTTPField.Name) -> Bool = { fields.contains($0) }
    let anyConditional = has(.ifMatch) || has(.ifNoneMatch) || has(.ifModifiedSince) || has(.ifUnmodifiedSince) || has(.ifRange)
    let context = "\(method.rawValue) \(fields) against \(representation) as \(role), status \(status.code)"

    switch outcome {
    case .notModified(let field):
        check(isGetOrHead, "304 for \(context)")
        check((200...299).contains(status.code) || status.code == 412, "304 although the response would have been \(status.code): \(context)")
        check(field == .ifNoneMatch || field == .ifModifiedSince, "304 because of \(field): \(context)")
        check(has(field.name), "304 because of an absent \(field): \(context)")
    case .preconditionFailed(let field):
        check(anyConditional, "412 without a conditional field: \(context)")
        check(has(field.name), "412 because of an absent \(field): \(context)")
        if role == .cache {
            check(field != .ifMatch && field != .ifUnmodifiedSince, "a cache answered 412 because of \(field): \(context)")
        }
        check(method != .connect && method != .options && method != .trace, "412 for \(context)")
    case .proceed(let range):
        if range == .apply {
            check(method == .get && status.code == 200 && has(.range), "Range applies to \(context)")
        }
        if range == .ignoredByIfRange {
            check(has(.ifRange), "Range ignored by an absent If-Range: \(context)")
        }
    }
    if method == .connect || method == .options || method == .trace {
        check(outcome == .proceed(range: .notRequested), "preconditions evaluated for \(context)")
    }
    if !anyConditional {
        check(outcome.shouldProceed, "\(outcome) without a conditional field: \(context)")
    }
    return 0
}

cachet_fuzz_main(CommandLine.argc, CommandLine.unsafeArgv, fuzz)
