import HTTPPreconditions
import HTTPTypes

/// Sends one request to the URL under check and returns the whole answer. Behind a protocol
/// so that probes can be exercised against canned answers.
public protocol Fetcher: Sendable {
    /// Sends the request to the checked URL (the fetcher adds the user's extra fields).
    func fetch(_ request: ProbeRequest) async throws -> FetchedResponse

    /// Sends the request on a fresh connection that the server is asked to close, and counts
    /// the bytes that follow the response's header block. For a 304 or a HEAD, which can
    /// carry no content (RFC 9110 §6.4.1), any such byte is a body the server must not send;
    /// an HTTP/1.1 client cannot see it otherwise, because it stops reading at the blank
    /// line. `nil` when the fetcher cannot tell (HTTPS).
    func bytesAfterHeader(_ request: ProbeRequest) async throws -> Int?
}

extension Fetcher {
    public func bytesAfterHeader(_ request: ProbeRequest) async throws -> Int? { nil }
}

/// A request a probe wants sent to the checked URL.
public struct ProbeRequest: Sendable, Hashable {
    public var method: HTTPRequest.Method
    public var fields: HTTPFields
    public var body: [UInt8]?

    public init(_ method: HTTPRequest.Method = .get, _ fields: HTTPFields = [:], body: [UInt8]? = nil) {
        self.method = method
        self.fields = fields
        self.body = body
    }

    /// `GET with If-None-Match: "x"`, for messages.
    public var summary: String {
        let conditions = fields.map { "\($0.name): \($0.value)" }.joined(separator: ", ")
        return conditions.isEmpty ? method.rawValue : "\(method.rawValue) with \(conditions)"
    }
}

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

extension Substring {
    func trimmingWhitespace() -> Substring {
        var text = self
        while let first = text.first, first == " " || first == "\t" { text.removeFirst() }
        while let last = text.last, last == " " || last == "\t" { text.removeLast() }
        return text
    }
}

extension String {
    func trimmingWhitespace() -> String { String(self[...].trimmingWhitespace()) }
}
