// The primary cache key (target URI normalisation, RFC 9110 §4.2.3) and the secondary key
// (`Vary`, RFC 9111 §4.1).
// Line 1: scheme; line 2: authority; line 3: path and query; the rest: `Name: value` fields,
// of the request, and `Vary` lines of the response (lines starting "Vary:").
//
// Properties:
// - normalisation never crashes;
// - it is idempotent: normalising the parts of a normalised URI gives the same URI;
// - a normalised URI has a lowercase scheme, "://", a path that starts with "/" and no
//   fragment;
// - `CacheKey(request:)` is the normalised URI of the request's parts;
// - the Vary key of a response always matches the request that produced it (unless
//   `Vary: *`), and survives a JSON round trip.
import Foundation
import FuzzSupport
import HTTPCachePolicy
import HTTPTypes

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    var input = FuzzLines(data, size)
    let scheme = input.next()
    let authority = input.next()
    let path = input.next()
    let all = input.fields()
    var requestFields = HTTPFields()
    var responseFields = HTTPFields()
    for field in all {
        if field.name == .vary { responseFields.append(field) } else { requestFields.append(field) }
    }

    checkNormalization(scheme: scheme, authority: authority, path: path)

    let vary = VaryKey(request: requestFields, response: responseFields)
    if !vary.varyAll {
        check(vary.matches(requestFields), "the Vary key \(vary) does not match its own request \(requestFields)")
    } else {
        check(!vary.matches(requestFields), "Vary: * matched a request")
    }
    let encoded = try? JSONEncoder().encode(vary)
    check(encoded.flatMap { try? JSONDecoder().decode(VaryKey.self, from: $0) } == vary, "\(vary) does not survive JSON")
    return 0
}

func checkNormalization(scheme: Substring, authority: Substring, path: Substring) {
    guard let uri = TargetURI.normalized(scheme: scheme, authority: authority, pathAndQuery: path) else { return }
    let context = "(\(scheme.debugDescription), \(authority.debugDescription), \(path.debugDescription)) → \(uri.debugDescription)"
    // Idempotence is stated for the parts a request can carry: a scheme, an authority
    // without "/", "?" or "#", and a path in origin form (or empty, or only a query).
    let schemeOK = !scheme.isEmpty && scheme.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("A"..."Z").contains($0) }
    let authorityOK = !authority.utf8.contains { $0 == UInt8(ascii: "/") || $0 == UInt8(ascii: "?") || $0 == UInt8(ascii: "#") }
    let pathOK = path.isEmpty || path.utf8.first == UInt8(ascii: "/") || path.utf8.first == UInt8(ascii: "?")
    guard schemeOK, authorityOK, pathOK else { return }
    // Split on bytes: a "/" followed by a combining mark is still a delimiter.
    check(uri.utf8.starts(with: (scheme.lowercased() + "://").utf8), "no scheme: \(context)")
    let rest = Substring(uri.utf8.dropFirst(scheme.utf8.count + 3))
    let end = rest.utf8.firstIndex(of: UInt8(ascii: "/")) ?? rest.endIndex
    let normalizedAuthority = rest[..<end]
    let normalizedPath = rest[end...]
    check(normalizedPath.utf8.first == UInt8(ascii: "/"), "path does not start with /: \(context)")
    check(!normalizedPath.utf8.contains(UInt8(ascii: "#")), "a fragment in the key: \(context)")
    let again = TargetURI.normalized(scheme: uri.prefix(scheme.utf8.count), authority: normalizedAuthority, pathAndQuery: normalizedPath)
    check(again == uri, "not idempotent: \(context) → \(again.debugDescription)")

    if let method = HTTPRequest.Method("GET") {
        let request = HTTPRequest(method: method, scheme: String(scheme), authority: String(authority), path: path.isEmpty ? nil : String(path))
        if let requestScheme = request.scheme, let requestAuthority = request.authority {
            let key = CacheKey(request: request)
            let expected = TargetURI.normalized(scheme: requestScheme, authority: requestAuthority, pathAndQuery: request.path ?? "/")
            check(key?.uri == expected, "CacheKey \(String(describing: key)) is not the normalised URI \(String(describing: expected))")
        }
    }
}

cachet_fuzz_main(CommandLine.argc, CommandLine.unsafeArgv, fuzz)
