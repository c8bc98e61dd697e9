// `Range` (RFC 9110 §14.2) and its resolution against a representation.
// Line 1: the representation's complete length (decimal; anything else reads as 0);
// line 2: the limits as "maximumRanges maximumOverlappingRanges" (absent: the defaults);
// the rest: the `Range` field value.
//
// Properties:
// - a parsed set formats (`description`) to a value that parses back to an equal set;
// - resolution never selects a byte outside 0..<length: every part is non-empty and within
//   the representation, and lies inside what one of the client's specs selects;
// - a multi-part answer asks for no more bytes in total than the representation has, has no
//   more parts than `maximumRanges`, and its parts do not overlap;
// - `.unsatisfiable` only when no spec selects anything, and never for an empty
//   representation; a single satisfiable spec is answered with exactly its bytes;
// - for small lengths, the multipart body built from the parts has the length
//   `MultipartByteRanges.contentLength` announces.
import FuzzSupport
import HTTPPreconditions

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    var input = FuzzLines(data, size)
    let length = Int64(input.next()) ?? 0
    var limits = RangeLimits.default
    let limitWords = input.next().split(separator: " ").compactMap { Int($0) }
    if limitWords.count == 2 {
        limits = RangeLimits(maximumRanges: limitWords[0], maximumOverlappingRanges: limitWords[1])
    }
    let value = input.lines.joined(separator: "\n")
    guard let set = ByteRangeSet(value) else { return 0 }
    check(!set.specs.isEmpty, "a parsed set has no specs")
    check(ByteRangeSet(set.description) == set, "\(set) does not re-parse (from \(value.debugDescription))")

    for limits in [limits, .default] {
        checkResolution(set, length: length, limits: limits)
    }
    return 0
}

func checkResolution(_ set: ByteRangeSet, length: Int64, limits: RangeLimits) {
    let selected = set.specs.compactMap { $0.resolved(completeLength: length) }
    for range in selected {
        check(range.lowerBound >= 0 && range.upperBound < length, "spec resolves to \(range) for length \(length)")
    }
    switch set.resolve(completeLength: length, limits: limits) {
    case .full:
        break
    case .unsatisfiable:
        check(length > 0, "416 for an empty representation")
        check(selected.isEmpty, "416 although \(selected) are satisfiable")
    case .partial(let parts):
        check(length > 0, "206 for an empty representation")
        check(!parts.isEmpty, "206 with no part")
        check(parts.count <= max(limits.maximumRanges, 1), "\(parts.count) parts over the limit \(limits.maximumRanges)")
        for part in parts {
            check(part.lowerBound >= 0 && part.upperBound < length, "part \(part) outside 0..<\(length)")
            // A part is one spec's bytes, or a merge of overlapping or adjacent ones.
            check(covered(part, by: selected), "part \(part) was not asked for (\(set))")
        }
        if parts.count == 1, selected.count == 1 {
            check(parts[0] == selected[0], "one spec \(selected[0]) answered with \(parts[0])")
        }
        if parts.count > 1 {
            let total = parts.reduce(Int64(0)) { $0 + Int64($1.count) }
            check(total <= length, "\(total) bytes asked of \(length) (\(set))")
            let sorted = parts.sorted { $0.lowerBound < $1.lowerBound }
            for (a, b) in zip(sorted, sorted.dropFirst()) {
                check(a.upperBound < b.lowerBound, "parts \(a) and \(b) overlap")
            }
            if length <= 4096 {
                let content = [UInt8](repeating: 0x61, count: Int(length))
                let multipart = MultipartByteRanges(ranges: parts, completeLength: length, contentType: "text/plain", boundary: "fuzz")
                check(Int64(multipart.body(from: content).count) == multipart.contentLength, "multipart body length differs from its Content-Length")
            }
        }
    }
}

/// Whether `part`, a merge of adjacent or overlapping selections, is covered byte for byte
/// by the union of `selected`.
func covered(_ part: ClosedRange<Int64>, by selected: [ClosedRange<Int64>]) -> Bool {
    var next = part.lowerBound
    for range in selected.sorted(by: { $0.lowerBound < $1.lowerBound }) where range.upperBound >= next {
        guard range.lowerBound <= next else { return false }
        next = range.upperBound + 1
        if next > part.upperBound { return true }
    }
    return false
}

cachet_fuzz_main(CommandLine.argc, CommandLine.unsafeArgv, fuzz)
