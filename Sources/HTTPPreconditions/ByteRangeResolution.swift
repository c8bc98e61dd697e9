/// Limits that keep a range request from costing more than the whole representation
/// (RFC 9110 §14.2 lets a server ignore such requests; its §17.15 describes the attack).
public struct RangeLimits: Sendable, Hashable {
    /// More range specs than this and the `Range` field is ignored.
    public var maximumRanges: Int
    /// More satisfiable ranges overlapping another one than this and `Range` is ignored.
    public var maximumOverlappingRanges: Int

    public init(maximumRanges: Int = 100, maximumOverlappingRanges: Int = 2) {
        self.maximumRanges = maximumRanges
        self.maximumOverlappingRanges = maximumOverlappingRanges
    }

    public static let `default` = RangeLimits()
}

/// How to answer a range request for a representation of known length.
public enum RangeResolution: Sendable, Hashable {
    /// Ignore `Range` and send the whole representation with 200: the request is abusive
    /// (too many ranges, heavy overlap, more bytes than the representation has) or the
    /// representation is empty.
    case full
    /// Send these ranges with 206: one as a single part, several as `multipart/byteranges`.
    /// Overlapping and adjacent ranges are coalesced; otherwise the client's order is kept.
    case partial([ClosedRange<Int64>])
    /// No range overlaps the representation: 416 with `Content-Range: bytes */length`.
    case unsatisfiable
}

extension ByteRangeSet {
    /// Decides how to answer this range request for a representation of `completeLength`
    /// bytes (RFC 9110 §14.1.1, §14.2, §15.3.7, §15.5.17).
    public func resolve(completeLength: Int64, limits: RangeLimits = .default) -> RangeResolution {
        guard specs.count <= limits.maximumRanges else { return .full }
        // An empty representation has no byte to select; serving it whole is always correct.
        guard completeLength > 0 else { return .full }

        var ranges: [ClosedRange<Int64>] = []
        ranges.reserveCapacity(specs.count)
        var requested: Int64 = 0
        for spec in specs {
            guard let range = spec.resolved(completeLength: completeLength) else { continue }
            ranges.append(range)
            requested = requested.addingReportingOverflow(Int64(range.count)).partialValue
        }
        if ranges.isEmpty { return .unsatisfiable }
        if ranges.count == 1 { return .partial(ranges) }
        // Asking for more bytes than exist can only be overlap used as an amplifier.
        if requested > completeLength { return .full }

        let sorted = ranges.sorted { $0.lowerBound < $1.lowerBound }
        var overlapping = 0
        var merged: [ClosedRange<Int64>] = []
        merged.reserveCapacity(sorted.count)
        for range in sorted {
            if let last = merged.last, range.lowerBound <= last.upperBound + 1 {
                if range.lowerBound <= last.upperBound { overlapping += 1 }
                merged[merged.count - 1] = last.lowerBound...max(last.upperBound, range.upperBound)
            } else {
                merged.append(range)
            }
        }
        if overlapping > limits.maximumOverlappingRanges { return .full }
        return .partial(merged.count == ranges.count ? ranges : merged)
    }
}
