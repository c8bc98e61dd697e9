import HTTPTypes

/// Which header fields of the 200 a 304 Not Modified keeps (RFC 9110 §15.4.5).
public enum NotModifiedFieldSelection: Sendable, Hashable {
    /// Exactly Cache-Control, Content-Location, Date, ETag, Expires and Vary as the 200 had
    /// them, plus Last-Modified when there is no ETag (it then guides cache updates).
    case minimal
    /// The minimal set plus every field that is not representation metadata or framing
    /// (`Set-Cookie`, `Server`, `Link`, CORS fields…): the 200's fields less Content-Type,
    /// Content-Length, Content-Encoding, Content-Language, Content-Range,
    /// Content-Disposition, digests, Transfer-Encoding, Trailer, and Last-Modified when an
    /// ETag is present.
    case withoutRepresentationMetadata
}

extension HTTPResponse {
    /// The fields a 304 must carry whenever the 200 would have (RFC 9110 §15.4.5).
    static let notModifiedRequiredFields: [HTTPField.Name] = [
        .cacheControl, .contentLocation, .date, .eTag, .expires, .vary,
    ]

    /// Fields that describe or frame the content a 304 does not carry.
    static let representationMetadataFields: Set<HTTPField.Name> = [
        .contentType, .contentLength, .contentEncoding, .contentLanguage, .contentRange,
        .contentDisposition, .transferEncoding, .trailer,
        HTTPField.Name("Content-MD5")!, HTTPField.Name("Content-Digest")!,
        HTTPField.Name("Repr-Digest")!, HTTPField.Name("Digest")!,
    ]

    /// The 304 Not Modified that takes the place of this response, the 200 that would have
    /// been sent: the same validators and caching fields, no content and no representation
    /// metadata (RFC 9110 §15.4.5). The caller sends no body with it.
    public func notModified(keeping selection: NotModifiedFieldSelection = .minimal) -> HTTPResponse {
        var response = HTTPResponse(status: .notModified)
        let hasETag = headerFields.contains(.eTag)
        switch selection {
        case .minimal:
            response.headerFields.reserveCapacity(7)
            for field in headerFields {
                if Self.notModifiedRequiredFields.contains(field.name) || (!hasETag && field.name == .lastModified) {
                    response.headerFields.append(field)
                }
            }
        case .withoutRepresentationMetadata:
            response.headerFields.reserveCapacity(headerFields.count)
            for field in headerFields {
                if Self.representationMetadataFields.contains(field.name) { continue }
                if hasETag && field.name == .lastModified { continue }
                response.headerFields.append(field)
            }
        }
        return response
    }

    /// A 412 Precondition Failed (RFC 9110 §15.5.13), keeping this response's `Date` and,
    /// where the resource has one, its current `ETag` so that the client can re-read it.
    public func preconditionFailed() -> HTTPResponse {
        var response = HTTPResponse(status: .preconditionFailed)
        for field in headerFields where field.name == .date || field.name == .eTag {
            response.headerFields.append(field)
        }
        response.headerFields[.contentLength] = "0"
        return response
    }

    /// A 416 Range Not Satisfiable for a representation of `completeLength` bytes, with
    /// `Content-Range: bytes */length` (RFC 9110 §15.5.17, §14.4).
    public static func rangeNotSatisfiable(completeLength: Int64) -> HTTPResponse {
        var response = HTTPResponse(status: .rangeNotSatisfiable)
        response.headerFields[.contentRange] = ContentRange.unsatisfied(completeLength: completeLength)
        response.headerFields[.contentLength] = "0"
        return response
    }

    /// This 200 turned into the 206 Partial Content for one range: the same fields, with
    /// `Content-Range` and the range's `Content-Length` (RFC 9110 §15.3.7).
    public func partialContent(_ range: ClosedRange<Int64>, completeLength: Int64) -> HTTPResponse {
        var response = self
        response.status = .partialContent
        response.headerFields[.contentRange] = ContentRange.satisfied(range, completeLength: completeLength)
        response.headerFields[.contentLength] = String(range.count)
        return response
    }

    /// This 200 turned into the 206 Partial Content for several ranges, sent as
    /// `multipart/byteranges` (RFC 9110 §14.6): each part carries the 200's `Content-Type`.
    public func partialContent(_ multipart: MultipartByteRanges) -> HTTPResponse {
        var response = self
        response.status = .partialContent
        response.headerFields[.contentRange] = nil
        response.headerFields[.contentType] = multipart.contentTypeFieldValue
        response.headerFields[.contentLength] = String(multipart.contentLength)
        return response
    }
}

/// `Content-Range` field values (RFC 9110 §14.4).
public enum ContentRange {
    /// `bytes first-last/complete`
    public static func satisfied(_ range: ClosedRange<Int64>, completeLength: Int64) -> String {
        "bytes \(range.lowerBound)-\(range.upperBound)/\(completeLength)"
    }

    /// `bytes */complete`, sent with 416.
    public static func unsatisfied(completeLength: Int64) -> String {
        "bytes */\(completeLength)"
    }
}
