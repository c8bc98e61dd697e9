import HTTPPreconditions
import HTTPTypes

/// A received answer: status, fields and (up to the fetcher's cap) content, with the
/// times RFC 9111 §4.2.3 calls request_time and response_time.
public struct FetchedResponse: Sendable {
    public var status: HTTPResponse.Status
    public var fields: HTTPFields
    public var body: [UInt8]
    /// The content was longer than the cap and was cut.
    public var isTruncated: Bool
    public var requestTime: HTTPDate
    public var responseTime: HTTPDate

    public init(
        status: HTTPResponse.Status, fields: HTTPFields, body: [UInt8] = [], isTruncated: Bool = false,
        requestTime: HTTPDate, responseTime: HTTPDate
    ) {
        self.status = status
        self.fields = fields
        self.body = body
        self.isTruncated = isTruncated
        self.requestTime = requestTime
        self.responseTime = responseTime
    }

    /// The response as swift-http-types sees it.
    public var head: HTTPResponse {
        var head = HTTPResponse(status: status)
        head.headerFields = fields
        return head
    }

    /// All the values of a field, lines joined with ", " (RFC 9110 §5.3).
    public func combined(_ name: HTTPField.Name) -> String? {
        let values = fields[values: name]
        return values.isEmpty ? nil : values.joined(separator: ", ")
    }

    /// The field's list members, lower-cased and trimmed (for Vary, Content-Encoding).
    public func listMembers(_ name: HTTPField.Name) -> [String] {
        fields[values: name].flatMap { $0.split(separator: ",") }
            .map { $0.trimmingWhitespace().lowercased() }
            .filter { !$0.isEmpty }
    }

    /// Whether `Vary` names the field (or is `*`).
    public func varies(on name: String) -> Bool {
        let members = listMembers(.vary)
        return members.contains("*") || members.contains(name.lowercased())
    }
}
