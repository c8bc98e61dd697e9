import HTTPTypes

/// Field names swift-http-types does not offer as constants.
enum FieldNames {
    /// `Host`: swift-http-types carries it as the request's authority, but HTTP/1.1 puts it
    /// in the header section.
    static let host = HTTPField.Name("Host")!
}
