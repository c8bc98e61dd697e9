// HTTP-dates in all three formats of RFC 9110 §5.6.7 (IMF-fixdate, RFC 850, asctime).
// The input is the text of one field value.
//
// Properties:
// - parsing never crashes, with or without a `now` for RFC 850 two-digit years;
// - a parsed date formats to a 29-byte IMF-fixdate that parses back to the same instant,
//   and the byte writer produces the same text as `imfFixdate`;
// - its calendar components rebuild the same instant;
// - with `now` given, an RFC 850 date is never more than 50 years in the future (§5.6.7).
import FuzzSupport
import HTTPPreconditions

/// 2026-01-01T00:00:00Z.
let fixedNow = HTTPDate(secondsSince1970: 1_767_225_600)

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = UnsafeRawBufferPointer(start: data, count: size)
    let text = String(decoding: bytes, as: UTF8.self)
    for now in [nil, fixedNow] {
        guard let date = HTTPDate(bytes: bytes, now: now) else { continue }
        check(HTTPDate(text, now: now) == date, "bytes and string parse differently: \(text.debugDescription)")
        let formatted = date.imfFixdate
        check(formatted.utf8.count == HTTPDate.imfFixdateLength, "\(formatted.debugDescription) is not 29 bytes")
        check(HTTPDate(formatted) == date, "\(formatted) does not parse back to \(date.secondsSince1970) (from \(text.debugDescription))")
        let written = [UInt8](unsafeUninitializedCapacity: HTTPDate.imfFixdateLength) { buffer, count in
            count = date.write(into: UnsafeMutableRawBufferPointer(buffer))
        }
        check(written.elementsEqual(formatted.utf8), "write(into:) gives \(written) for \(formatted)")
        check(HTTPDate(date.components) == date, "components of \(formatted) rebuild another instant")
        if let now, isRFC850(bytes) {
            check(date.seconds(since: now) <= 50 * 366 * 86_400, "RFC 850 date \(formatted) is more than 50 years after now")
        }
    }
    return 0
}

/// The RFC 850 form is the one without a comma or space after three letters.
func isRFC850(_ bytes: UnsafeRawBufferPointer) -> Bool {
    guard let start = bytes.firstIndex(where: { $0 != 0x20 && $0 != 0x09 }), start + 3 < bytes.count else { return false }
    return bytes[start + 3] != UInt8(ascii: ",") && bytes[start + 3] != UInt8(ascii: " ")
}

cachet_fuzz_main(CommandLine.argc, CommandLine.unsafeArgv, fuzz)
