import HTTPTypes

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
