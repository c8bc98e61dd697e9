/// The layout of a `multipart/byteranges` body (RFC 9110 §14.6): for each range a part
/// header, then the range's bytes, then a closing delimiter.
///
/// The type computes the framing and its exact length without touching the content, so a
/// server can stream each range's bytes straight from where they are stored.
public struct MultipartByteRanges: Sendable, Hashable {
    /// The boundary that separates the parts; it must not occur in the content.
    public let boundary: String
    /// The representation's `Content-Type`, repeated in each part, if it has one.
    public let contentType: String?
    /// The length of the whole representation.
    public let completeLength: Int64
    /// The ranges, in the order they are sent.
    public let ranges: [ClosedRange<Int64>]

    /// - Parameter boundary: a boundary of 1 to 70 characters; a random one by default.
    public init(ranges: [ClosedRange<Int64>], completeLength: Int64, contentType: String?, boundary: String = MultipartByteRanges.randomBoundary()) {
        precondition((1...70).contains(boundary.utf8.count), "a multipart boundary has 1 to 70 characters")
        self.ranges = ranges
        self.completeLength = completeLength
        self.contentType = contentType
        self.boundary = boundary
    }

    /// A boundary of 32 random hexadecimal digits: content that happens to contain it is,
    /// for practical purposes, impossible.
    public static func randomBoundary() -> String {
        var generator = SystemRandomNumberGenerator()
        let digits = Array("0123456789abcdef".utf8)
        return String(decoding: (0..<32).map { _ in digits[Int(generator.next() % 16)] }, as: UTF8.self)
    }

    /// The `Content-Type` of the 206 response.
    public var contentTypeFieldValue: String {
        "multipart/byteranges; boundary=\(boundary)"
    }

    /// The delimiter and header section that precede the bytes of part `index`.
    public func partHeader(_ index: Int) -> String {
        var header = index == 0 ? "--" : "\r\n--"
        header += boundary
        header += "\r\n"
        if let contentType {
            header += "Content-Type: \(contentType)\r\n"
        }
        header += "Content-Range: \(ContentRange.satisfied(ranges[index], completeLength: completeLength))\r\n\r\n"
        return header
    }

    /// The delimiter that closes the body.
    public var closingDelimiter: String {
        "\r\n--\(boundary)--\r\n"
    }

    /// The exact length of the body, for `Content-Length`.
    public var contentLength: Int64 {
        var length = Int64(closingDelimiter.utf8.count)
        for index in ranges.indices {
            length += Int64(partHeader(index).utf8.count) + Int64(ranges[index].count)
        }
        return length
    }

    /// The whole body built from the complete representation, for content held in memory.
    public func body<Content: RandomAccessCollection<UInt8>>(from content: Content) -> [UInt8] where Content.Index == Int {
        precondition(Int64(content.count) == completeLength, "content length differs from completeLength")
        var body: [UInt8] = []
        body.reserveCapacity(Int(contentLength))
        for index in ranges.indices {
            body.append(contentsOf: partHeader(index).utf8)
            let range = ranges[index]
            let start = content.startIndex + Int(range.lowerBound)
            body.append(contentsOf: content[start...(start + Int(range.upperBound - range.lowerBound))])
        }
        body.append(contentsOf: closingDelimiter.utf8)
        return body
    }
}
