// Targeted cache control (RFC 9213): `CDN-Cache-Control` as a Structured Field Dictionary.
// The input is text; each line is one `CDN-Cache-Control` field line, except lines starting
// with "cc:", which are `Cache-Control` lines.
//
// Properties:
// - parsing is total: never crashes, whatever the lines;
// - every delta-seconds it yields is in 0...2^31;
// - `effectiveDirectives` takes the targeted field exactly when it parses, and otherwise
//   falls back to `Cache-Control` as a whole;
// - a field with no member (empty, only commas and whitespace) is ignored.
import FuzzSupport
import HTTPCachePolicy
import HTTPTypes

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let input = FuzzLines(data, size)
    var fields = HTTPFields()
    for line in input.lines {
        if line.hasPrefix("cc:") {
            fields.append(HTTPField(name: .cacheControl, value: String(line.dropFirst(3))))
        } else {
            fields.append(HTTPField(name: TargetedCacheControl.cdnCacheControl, value: String(line)))
        }
    }
    let name = TargetedCacheControl.cdnCacheControl
    let parsed = TargetedCacheControl.parse(fields, name)
    let (effective, source) = TargetedCacheControl.effectiveDirectives(of: fields, targets: [name])
    if let parsed {
        check(source == name && effective == parsed, "a valid targeted field was not used")
        checkRanges(parsed)
    } else {
        check(source == .cacheControl && effective == CacheControl(fields: fields), "an invalid targeted field was not ignored as a whole")
    }
    let values = fields[values: name]
    if values.allSatisfy({ $0.allSatisfy { $0 == " " || $0 == "\t" || $0 == "," } }) {
        check(parsed == nil, "an empty targeted field was read as \(String(describing: parsed))")
    }
    // Another target list: the field is not read when it is not targeted.
    let (other, otherSource) = TargetedCacheControl.effectiveDirectives(of: fields, targets: [HTTPField.Name("Cachet-Cache-Control")!])
    check(otherSource == .cacheControl && other == CacheControl(fields: fields), "an untargeted field was read")
    return 0
}

func checkRanges(_ directives: CacheControl) {
    let limit: Int64 = 1 << 31
    for value in [directives.maxAge, directives.sharedMaxAge, directives.minFresh, directives.staleWhileRevalidate, directives.staleIfError] {
        if let value { check((0...limit).contains(value), "delta-seconds \(value) in \(directives)") }
    }
    if case .seconds(let value) = directives.maxStale {
        check((0...limit).contains(value), "max-stale \(value)")
    }
}

cachet_fuzz_main(CommandLine.argc, CommandLine.unsafeArgv, fuzz)
