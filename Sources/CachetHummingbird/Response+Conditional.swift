import HTTPPreconditions
import HTTPTypes
import Hummingbird

extension Response {
    /// The 304 that takes the place of this 200 (RFC 9110 §15.4.5): no content, no
    /// `Content-Length` (a 304 may only repeat the 200's, and need not), and only the fields
    /// `selection` keeps.
    func notModifiedResponse(keeping selection: NotModifiedFieldSelection) -> Response {
        var response = Response(status: .notModified, headers: head.notModified(keeping: selection).headerFields)
        response.headers[.contentLength] = nil
        return response
    }

    /// The 412 that takes the place of this response (RFC 9110 §15.5.13).
    func preconditionFailedResponse() -> Response {
        Response(status: .preconditionFailed, headers: head.preconditionFailed().headerFields)
    }

    /// This response without its content, as the answer to HEAD: the same fields, including
    /// the `Content-Length` a GET would carry (RFC 9110 §9.3.2).
    func withoutContent() -> Response {
        Response(status: status, headers: headers, body: ResponseBody())
    }
}

extension HTTPField.Name {
    /// Marks a response whose content must not be hashed into an automatic `ETag`; the
    /// middleware removes it before the response is sent.
    static let cachetNoAutomaticETag = HTTPField.Name("Cachet-No-Automatic-ETag")!
}

extension Response {
    /// This response, marked so that ``ConditionalRequestMiddleware`` does not derive an
    /// `ETag` from its content: use it on routes whose content is large, private or changes
    /// on every request.
    public func withoutAutomaticETag() -> Response {
        var response = self
        response.headers[.cachetNoAutomaticETag] = "1"
        return response
    }
}
