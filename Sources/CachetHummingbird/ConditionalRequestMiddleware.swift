import HTTPPreconditions
import HTTPTypes
import Hummingbird
import NIOCore

/// Validators and conditional requests for dynamic routes (RFC 9110 §13).
///
/// For a 200 to GET or HEAD, the middleware
/// - keeps the handler's `ETag` / `Last-Modified` when it set them, or else derives a strong
///   `ETag` from the content (``ContentETag``) when the body's length is known and at most
///   ``Configuration/maximumDigestedBodySize``; a body of unknown length (a stream) is left
///   alone unless the handler set a validator;
/// - evaluates the request's preconditions with `HTTPPreconditions` in §13.2.2 order and
///   answers 304 (with exactly the fields §15.4.5 asks for) or 412;
/// - answers `Range` on a buffered body with 206 (one part or `multipart/byteranges`) or 416.
///
/// A HEAD request is run as a GET and its content dropped, so that it carries the same
/// validators and `Content-Length` as the GET would (RFC 9110 §9.3.2).
///
/// For an unsafe method (PUT, POST, PATCH, DELETE…) carrying `If-Match`, `If-None-Match` or
/// `If-Unmodified-Since`, the current representation must be known before the method is
/// performed (RFC 9110 §13.1.1, §13.2.1). Hummingbird applies router middleware to each
/// route's own handler, so a middleware cannot ask the route's GET for it: either wrap the
/// whole router with ``ConditionalRequests`` (`Application(router: ConditionalRequests(router))`),
/// which evaluates such requests against an unconditional GET of the same target and answers
/// 412 without running the unsafe handler, or call
/// ``HummingbirdCore/Request/evaluatePreconditions(etag:lastModified:exists:headers:)`` in the
/// unsafe handler, which can also make the check atomic with the change.
///
/// Install it inside (after) any middleware that rewrites content, such as compression: the
/// tag is computed over the bytes as this middleware sees them.
public struct ConditionalRequestMiddleware<Context: RequestContext>: RouterMiddleware {
    public struct Configuration: Sendable {
        /// Largest body hashed into an automatic `ETag`; larger bodies get none.
        public var maximumDigestedBodySize: Int
        /// Whether to answer `Range` requests on buffered bodies (and send `Accept-Ranges: bytes`).
        public var answersRanges: Bool
        /// Whether to run HEAD as GET so both carry the same validators.
        public var runsHeadAsGet: Bool
        /// Whether unsafe methods with preconditions are checked against a GET of the same
        /// target first. Only meaningful when `next` routes by method, as it does under
        /// ``ConditionalRequests``; inside a router (where `next` is the route's own handler)
        /// it must stay `false`.
        public var checksUnsafeMethodsAgainstGet: Bool
        /// Which of the 200's fields a 304 keeps.
        public var notModifiedFields: NotModifiedFieldSelection
        /// Decides, per request and response, whether an automatic `ETag` may be derived;
        /// `nil` allows it everywhere (a route can still opt out with
        /// ``HummingbirdCore/Response/withoutAutomaticETag()``).
        public var generatesETag: (@Sendable (Request, Response) -> Bool)?

        public init(
            maximumDigestedBodySize: Int = 1 << 20,
            answersRanges: Bool = true,
            runsHeadAsGet: Bool = true,
            checksUnsafeMethodsAgainstGet: Bool = false,
            notModifiedFields: NotModifiedFieldSelection = .minimal,
            generatesETag: (@Sendable (Request, Response) -> Bool)? = nil
        ) {
            self.maximumDigestedBodySize = maximumDigestedBodySize
            self.answersRanges = answersRanges
            self.runsHeadAsGet = runsHeadAsGet
            self.checksUnsafeMethodsAgainstGet = checksUnsafeMethodsAgainstGet
            self.notModifiedFields = notModifiedFields
            self.generatesETag = generatesETag
        }
    }

    public let configuration: Configuration

    public init(configuration: Configuration = Configuration()) {
        self.configuration = configuration
    }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        switch request.method {
        case .get:
            return try await answer(request, response: next(request, context), isHead: false)
        case .head:
            guard configuration.runsHeadAsGet else {
                return try await answer(request, response: next(request, context), isHead: true)
            }
            let response = try await next(request.withMethod(.get), context)
            // A route with no GET answers HEAD itself.
            if response.status == .notFound || response.status == .methodNotAllowed {
                return try await answer(request, response: next(request, context), isHead: true)
            }
            return try await answer(request, response: response, isHead: true)
        case .options, .trace, .connect:
            return try await next(request, context)
        default:
            if configuration.checksUnsafeMethodsAgainstGet, request.hasStateChangingPreconditions {
                if let refusal = try await checkUnsafe(request, context: context, next: next) {
                    return refusal
                }
            }
            var response = try await next(request, context)
            response.headers[.cachetNoAutomaticETag] = nil
            return response
        }
    }

    /// Answers a GET or HEAD whose handler produced `response`.
    func answer(_ request: Request, response: Response, isHead: Bool) async throws -> Response {
        var response = response
        let optedOut = response.headers[.cachetNoAutomaticETag] != nil
        response.headers[.cachetNoAutomaticETag] = nil
        guard response.status == .ok else {
            return isHead ? response.withoutContent() : response
        }

        var buffered: BufferedBody?
        if response.headers[.eTag] == nil, !optedOut, configuration.generatesETag?(request, response) ?? true,
            let length = response.body.contentLength, length <= configuration.maximumDigestedBodySize
        {
            let body = try await BufferedBody.collect(response.body, sizeHint: length)
            response.headers[.eTag] = ContentETag.strong(for: body.bytes).description
            response.body = body.responseBody()
            buffered = body
        } else if configuration.answersRanges, response.headers[.eTag] != nil || response.headers[.lastModified] != nil,
            let length = response.body.contentLength, length <= configuration.maximumDigestedBodySize,
            request.method == .get, request.headers[.range] != nil
        {
            // A handler-validated body that is small enough can still answer a range.
            let body = try await BufferedBody.collect(response.body, sizeHint: length)
            response.body = body.responseBody()
            buffered = body
        }
        if configuration.answersRanges, buffered != nil || (response.body.contentLength ?? 0) <= configuration.maximumDigestedBodySize,
            response.headers[.acceptRanges] == nil, response.headers[.eTag] != nil
        {
            response.headers[.acceptRanges] = "bytes"
        }

        let now = ServerClock.now()
        let validators = RepresentationValidators(responseFields: response.headers, now: now)
        guard validators.etag != nil || validators.lastModified != nil else {
            return isHead ? response.withoutContent() : response
        }
        switch request.head.evaluatePreconditions(for: validators, now: now) {
        case .notModified:
            return response.notModifiedResponse(keeping: configuration.notModifiedFields)
        case .preconditionFailed:
            return response.preconditionFailedResponse()
        case .proceed(range: .apply):
            guard configuration.answersRanges, let buffered, let ranges = ByteRangeSet(request.headers) else { break }
            return Self.partial(response, content: buffered)(ranges)
        case .proceed:
            break
        }
        return isHead ? response.withoutContent() : response
    }

    /// The 206 or 416 for a body held in memory (RFC 9110 §14.2, §15.3.7, §15.5.17).
    static func partial(_ response: Response, content: BufferedBody) -> (ByteRangeSet) -> Response {
        { ranges in
            let length = Int64(content.bytes.readableBytes)
            switch ranges.resolve(completeLength: length) {
            case .full:
                return response
            case .unsatisfiable:
                var refused = HTTPResponse.rangeNotSatisfiable(completeLength: length)
                for name in [HTTPField.Name.eTag, .lastModified, .cacheControl, .vary] {
                    if let value = response.headers[name] { refused.headerFields[name] = value }
                }
                return Response(status: refused.status, headers: refused.headerFields)
            case .partial(let parts) where parts.count == 1:
                let part = parts[0]
                let head = response.head.partialContent(part, completeLength: length)
                let slice = content.bytes.getSlice(at: content.bytes.readerIndex + Int(part.lowerBound), length: Int(part.count))!
                return Response(status: head.status, headers: head.headerFields, body: ResponseBody(byteBuffer: slice))
            case .partial(let parts):
                let multipart = MultipartByteRanges(ranges: parts, completeLength: length, contentType: response.headers[.contentType])
                let head = response.head.partialContent(multipart)
                let bytes = multipart.body(from: content.bytes.readableBytesView)
                return Response(status: head.status, headers: head.headerFields, body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes)))
            }
        }
    }

    /// For an unsafe method: evaluates the preconditions against the route's current
    /// representation, read with an unconditional GET, and returns the 412 when they fail.
    func checkUnsafe(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response? {
        var probeHead = request.head
        probeHead.method = .get
        for name in [HTTPField.Name.ifMatch, .ifNoneMatch, .ifModifiedSince, .ifUnmodifiedSince, .ifRange, .range] {
            probeHead.headerFields[name] = nil
        }
        var current: Response
        do {
            current = try await next(Request(head: probeHead, body: RequestBody(buffer: ByteBuffer())), context)
        } catch let error as any HTTPResponseError where error.status == .notFound || error.status == .gone {
            current = Response(status: error.status)
        }
        let now = ServerClock.now()
        let validators: RepresentationValidators
        switch current.status.code {
        case 404, 410:
            validators = .missing
        case 200...299:
            if current.headers[.eTag] == nil, current.headers[.cachetNoAutomaticETag] == nil,
                configuration.generatesETag?(request, current) ?? true,
                let length = current.body.contentLength, length <= configuration.maximumDigestedBodySize
            {
                let body = try await BufferedBody.collect(current.body, sizeHint: length)
                current.headers[.eTag] = ContentETag.strong(for: body.bytes).description
            }
            validators = RepresentationValidators(responseFields: current.headers, now: now)
        default:
            // The current state is unknown: leave the decision to the handler.
            return nil
        }
        switch request.head.evaluatePreconditions(for: validators, now: now) {
        case .preconditionFailed, .notModified:
            var refusal = HTTPResponse(status: .ok)
            if let etag = validators.etag { refusal.headerFields[.eTag] = etag.description }
            return Response(status: .preconditionFailed, headers: refusal.preconditionFailed().headerFields)
        case .proceed:
            return nil
        }
    }
}

extension Request {
    /// The same request with another method.
    func withMethod(_ method: HTTPRequest.Method) -> Request {
        var head = self.head
        head.method = method
        return Request(head: head, body: body)
    }

    /// Whether the request carries a precondition that guards a state change.
    var hasStateChangingPreconditions: Bool {
        headers.contains(.ifMatch) || headers.contains(.ifNoneMatch) || headers.contains(.ifUnmodifiedSince)
    }
}
