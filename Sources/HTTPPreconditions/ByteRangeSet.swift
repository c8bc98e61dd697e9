import HTTPTypes

/// One `range-spec` of a byte `Range` field (RFC 9110 §14.1.2).
public enum ByteRangeSpec: Sendable, Hashable {
    /// `first-last`: the bytes from `first` through `last`, inclusive.
    case closed(first: Int64, last: Int64)
    /// `first-`: the bytes from `first` to the end.
    case from(first: Int64)
    /// `-length`: the last `length` bytes.
    case suffix(length: Int64)

    /// The bytes this spec selects from a representation of `completeLength` bytes, or `nil`
    /// when it is not satisfiable (RFC 9110 §14.1.1): it starts at or past the end, or it is a
    /// zero-length suffix.
    public func resolved(completeLength: Int64) -> ClosedRange<Int64>? {
        guard completeLength > 0 else { return nil }
        switch self {
        case .closed(let first, let last):
            guard first < completeLength else { return nil }
            return first...min(last, completeLength - 1)
        case .from(let first):
            guard first < completeLength else { return nil }
            return first...(completeLength - 1)
        case .suffix(let length):
            guard length > 0 else { return nil }
            // A suffix longer than the representation selects all of it.
            return max(0, completeLength - length)...(completeLength - 1)
        }
    }
}

extension ByteRangeSpec: CustomStringConvertible {
    public var description: String {
        switch self {
        case .closed(let first, let last): return "\(first)-\(last)"
        case .from(let first): return "\(first)-"
        case .suffix(let length): return "-\(length)"
        }
    }
}

/// The value of a `Range` field in the `bytes` unit: `bytes=0-499, -500` (RFC 9110 §14.2).
public struct ByteRangeSet: Sendable, Hashable {
    /// The specs in the order the client listed them.
    public var specs: [ByteRangeSpec]

    public init(_ specs: [ByteRangeSpec]) {
        self.specs = specs
    }

    /// Parses a `Range` field value, or returns `nil` when its unit is not `bytes` (a server
    /// ignores units it does not understand, §14.2) or it is malformed: no ranges, a
    /// last-pos before its first-pos, anything that is not digits where digits belong.
    /// Positions too large for 64 bits are clamped, which keeps their meaning (past the end).
    public init?(_ fieldValue: some StringProtocol) {
        var value = String(fieldValue)
        guard let parsed = value.withUTF8({ ByteRangeSet(bytes: UnsafeRawBufferPointer($0)) }) else { return nil }
        self = parsed
    }

    /// Parses the request's `Range` field; `nil` when absent, repeated or not valid.
    public init?(_ fields: HTTPFields) {
        var result: ByteRangeSet?
        var lines = 0
        for field in fields where field.name == .range {
            lines += 1
            result = field.withValueBytes { ByteRangeSet(bytes: $0) }
        }
        guard lines == 1, let result else { return nil }
        self = result
    }

    init?(bytes: UnsafeRawBufferPointer) {
        var i = 0
        let n = bytes.count
        func skipWhitespace() {
            while i < n, bytes[i] == 0x20 || bytes[i] == 0x09 { i += 1 }
        }
        func number() -> Int64? {
            let start = i
            var value: Int64 = 0
            while i < n, bytes[i] &- 0x30 < 10 {
                let (times10, o1) = value.multipliedReportingOverflow(by: 10)
                let (sum, o2) = times10.addingReportingOverflow(Int64(bytes[i] &- 0x30))
                value = (o1 || o2) ? .max : sum
                i += 1
            }
            return i > start ? value : nil
        }
        skipWhitespace()
        // range-unit is case-insensitive (§14.1); only "bytes" is understood.
        let unit: StaticString = "bytes"
        guard n - i > unit.utf8CodeUnitCount else { return nil }
        for k in 0..<unit.utf8CodeUnitCount where bytes[i + k] | 0x20 != unit.utf8Start[k] { return nil }
        i += unit.utf8CodeUnitCount
        guard bytes[i] == UInt8(ascii: "=") else { return nil }
        i += 1
        var specs: [ByteRangeSpec] = []
        while true {
            skipWhitespace()
            if i == n { break }
            if bytes[i] == UInt8(ascii: ",") {
                i += 1  // empty list element (§5.6.1)
                continue
            }
            if bytes[i] == UInt8(ascii: "-") {
                i += 1
                guard let length = number() else { return nil }
                specs.append(.suffix(length: length))
            } else {
                guard let first = number(), i < n, bytes[i] == UInt8(ascii: "-") else { return nil }
                i += 1
                if let last = number() {
                    guard last >= first else { return nil }
                    specs.append(.closed(first: first, last: last))
                } else {
                    specs.append(.from(first: first))
                }
            }
            skipWhitespace()
            if i == n { break }
            guard bytes[i] == UInt8(ascii: ",") else { return nil }
            i += 1
        }
        guard !specs.isEmpty else { return nil }
        self.specs = specs
    }
}

extension ByteRangeSet: CustomStringConvertible {
    /// The set as a `Range` field value.
    public var description: String {
        "bytes=" + specs.map(\.description).joined(separator: ", ")
    }
}
