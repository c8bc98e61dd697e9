import HTTPTypes

/// A content coding whose precompressed sibling file (`name.js.br`, `name.js.gz`) can be
/// served in place of the file itself (RFC 9110 §8.4.1).
public enum ContentCoding: String, Sendable, Hashable, CaseIterable {
    case brotli = "br"
    case gzip = "gzip"

    /// The suffix of the sibling file.
    public var fileSuffix: String {
        switch self {
        case .brotli: return ".br"
        case .gzip: return ".gz"
        }
    }

    /// Which of `available` to send for a request's `Accept-Encoding` (RFC 9110 §12.5.3),
    /// or `nil` for the unencoded file. Without `Accept-Encoding` the file is sent as it is;
    /// among acceptable codings the highest `q` wins, `br` before `gzip` on a tie, unless
    /// `identity` is explicitly preferred.
    static func negotiate(_ fields: HTTPFields, available: [ContentCoding]) -> ContentCoding? {
        guard !available.isEmpty else { return nil }
        let values = fields[values: .acceptEncoding]
        guard !values.isEmpty else { return nil }
        var weights: [String: Double] = [:]
        for value in values {
            for member in value.split(separator: ",") {
                let parts = member.split(separator: ";")
                guard let name = parts.first?.trimmingASCIIWhitespace().lowercased(), !name.isEmpty else { continue }
                var q = 1.0
                for parameter in parts.dropFirst() {
                    let pair = parameter.split(separator: "=", maxSplits: 1)
                    if pair.count == 2, pair[0].trimmingASCIIWhitespace().lowercased() == "q" {
                        q = Double(pair[1].trimmingASCIIWhitespace()) ?? 0
                    }
                }
                weights[name == "x-gzip" ? "gzip" : name] = max(0, min(1, q))
            }
        }
        let wildcard = weights["*"]
        var best: (ContentCoding, Double)?
        for coding in ContentCoding.allCases where available.contains(coding) {
            let q = weights[coding.rawValue] ?? wildcard ?? 0
            if q > 0, q > (best?.1 ?? 0) { best = (coding, q) }
        }
        guard let best else { return nil }
        if let identity = weights["identity"], identity > best.1 { return nil }
        return best.0
    }
}

extension Substring {
    func trimmingASCIIWhitespace() -> Substring {
        var result = self
        while let first = result.first, first == " " || first == "\t" { result.removeFirst() }
        while let last = result.last, last == " " || last == "\t" { result.removeLast() }
        return result
    }
}
