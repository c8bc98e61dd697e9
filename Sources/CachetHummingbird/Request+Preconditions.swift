import HTTPPreconditions
import HTTPTypes
import Hummingbird

extension Request {
    /// Evaluates this request's preconditions (RFC 9110 §13.2.2) against validators the
    /// handler knows before producing any content, and returns the response to send instead
    /// of performing the method: a 304 for GET and HEAD, a 412 otherwise. `nil` means
    /// proceed, and then the handler's 200 should carry the same `ETag` and `Last-Modified`.
    ///
    /// ```swift
    /// router.get("/items/:id") { request, context in
    ///     let item = try await store.item(context.parameters.require("id"))
    ///     let fields: HTTPFields = [.cacheControl: "max-age=60"]
    ///     if let answer = request.evaluatePreconditions(etag: item.etag, lastModified: item.updated, headers: fields) {
    ///         return answer                                   // 304 or 412: no body produced
    ///     }
    ///     return try Response(status: .ok, headers: fields, body: .init(byteBuffer: item.json()))
    /// }
    /// ```
    ///
    /// - Parameters:
    ///   - etag: the current entity tag, if the representation has one.
    ///   - lastModified: the current modification date, if any.
    ///   - exists: whether there is a current representation (`If-Match: *` fails and
    ///     `If-None-Match: *` passes when there is none).
    ///   - headers: fields the 200 would carry; the 304 keeps those §15.4.5 asks for
    ///     (`Cache-Control`, `Content-Location`, `Expires`, `Vary`…).
    public func evaluatePreconditions(
        etag: EntityTag?,
        lastModified: HTTPDate? = nil,
        exists: Bool = true,
        headers: HTTPFields = [:]
    ) -> Response? {
        let now = ServerClock.now()
        let validators = RepresentationValidators(etag: etag, lastModified: lastModified, exists: exists, date: now)
        var full = HTTPResponse(status: .ok, headerFields: headers)
        if let etag { full.headerFields[.eTag] = etag.description }
        if let lastModified { full.headerFields[.lastModified] = lastModified.imfFixdate }
        let wouldBe = Response(status: .ok, headers: full.headerFields)
        switch head.evaluatePreconditions(for: validators, now: now) {
        case .proceed:
            return nil
        case .notModified:
            return wouldBe.notModifiedResponse(keeping: .minimal)
        case .preconditionFailed:
            return wouldBe.preconditionFailedResponse()
        }
    }

    /// Answers conditionally: the 304 or 412 when the preconditions call for one, without
    /// calling `makeResponse`; otherwise `makeResponse()` with `ETag`, `Last-Modified` and
    /// `headers` added.
    public func respondConditionally(
        etag: EntityTag?,
        lastModified: HTTPDate? = nil,
        headers: HTTPFields = [:],
        _ makeResponse: () async throws -> Response
    ) async rethrows -> Response {
        if let answer = evaluatePreconditions(etag: etag, lastModified: lastModified, headers: headers) {
            return answer
        }
        var response = try await makeResponse()
        for field in headers where response.headers[field.name] == nil {
            response.headers.append(field)
        }
        if let etag { response.headers[.eTag] = etag.description }
        if let lastModified { response.headers[.lastModified] = lastModified.imfFixdate }
        return response
    }
}
