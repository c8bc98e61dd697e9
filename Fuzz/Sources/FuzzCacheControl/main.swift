// `Cache-Control` of requests and responses (RFC 9111 §5.2, RFC 5861), and the response
// policy built on it. The input is text; each line is one `Cache-Control` field line, except
// lines starting with "pragma:", which are `Pragma` lines of the request.
//
// Properties:
// - parsing never crashes, as one value, as request fields and as response fields;
// - every delta-seconds (max-age, s-maxage, min-fresh, max-stale, stale-while-revalidate,
//   stale-if-error) is in 0...2^31 (invalid arguments read as 0, too large as 2^31);
// - the lines of one field parse as their ", "-joined value does (RFC 9110 §5.3), when no
//   quoted string could span a line;
// - a request's `Pragma: no-cache` counts only without `Cache-Control` (RFC 9111 §5.4);
// - the parsed value survives a JSON round trip (it is stored in disk entries);
// - a response policy built with these directives never has a negative freshness lifetime.
import Foundation
import FuzzSupport
import HTTPCachePolicy
import HTTPPreconditions
import HTTPTypes

let pragma = HTTPField.Name("Pragma")!
/// 2026-01-01T00:00:00Z.
let fixedNow = HTTPDate(secondsSince1970: 1_767_225_600)

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let input = FuzzLines(data, size)
    var ccLines: [String] = []
    var requestFields = HTTPFields()
    var responseFields = HTTPFields()
    for line in input.lines {
        if line.lowercased().hasPrefix("pragma:") {
            requestFields.append(HTTPField(name: pragma, value: String(line.dropFirst(7))))
        } else {
            requestFields.append(HTTPField(name: .cacheControl, value: String(line)))
            responseFields.append(HTTPField(name: .cacheControl, value: String(line)))
            ccLines.append(String(line))
        }
    }
    let joined = ccLines.joined(separator: ", ")
    let single = CacheControl(joined)
    let request = CacheControl(requestFields: requestFields)
    let response = CacheControl(fields: responseFields)
    for directives in [single, request, response] {
        checkRanges(directives, joined)
    }
    // HTTPField trims and legalises values, so compare with the fields' own values joined.
    let fieldValues = responseFields[values: .cacheControl].joined(separator: ", ")
    // Lines merge into one list only when none holds a quoted string, which could run on
    // into the next line (RFC 9110 §5.3). Looked for on bytes: as Characters, a quote followed
    // by a combining mark is not a quote.
    if !fieldValues.utf8.contains(UInt8(ascii: "\"")) && !fieldValues.utf8.contains(UInt8(ascii: "\\")) {
        check(CacheControl(fieldValues) == response, "lines \(ccLines) parse differently from their joined value")
    }
    let sawCacheControl = requestFields.contains(.cacheControl)
    if sawCacheControl {
        check(!request.flags.contains(.pragmaNoCache), "Pragma read although Cache-Control is present")
        check(request == response, "request and response parse the same Cache-Control differently")
    }
    if let encoded = try? JSONEncoder().encode(response) {
        let decoded = try? JSONDecoder().decode(CacheControl.self, from: encoded)
        check(decoded == response, "\(response) does not survive JSON")
    } else {
        check(false, "\(response) cannot be encoded")
    }

    var fields = responseFields
    fields[.date] = fixedNow.imfFixdate
    let policy = CachePolicy(
        request: HTTPRequest(method: .get, scheme: "https", authority: "example.com", path: "/"),
        response: HTTPResponse(status: .ok, headerFields: fields),
        requestTime: fixedNow, responseTime: fixedNow
    )
    check(policy.freshness.lifetime >= 0, "negative freshness lifetime \(policy.freshness.lifetime) for \(joined.debugDescription)")
    _ = policy.evaluate(request: HTTPRequest(method: .get, scheme: "https", authority: "example.com", path: "/", headerFields: requestFields), now: fixedNow.adding(seconds: 10))
    return 0
}

func checkRanges(_ directives: CacheControl, _ text: String) {
    let limit: Int64 = 1 << 31
    let values: [(String, Int64?)] = [
        ("max-age", directives.maxAge), ("s-maxage", directives.sharedMaxAge), ("min-fresh", directives.minFresh),
        ("stale-while-revalidate", directives.staleWhileRevalidate), ("stale-if-error", directives.staleIfError),
    ]
    for (name, value) in values {
        if let value { check((0...limit).contains(value), "\(name)=\(value) from \(text.debugDescription)") }
    }
    if case .seconds(let value) = directives.maxStale {
        check((0...limit).contains(value), "max-stale=\(value) from \(text.debugDescription)")
    }
}

cachet_fuzz_main(CommandLine.argc, CommandLine.unsafeArgv, fuzz)
