import Hummingbird

/// Wraps a whole router (or any responder builder) with conditional request handling, so that
/// every request, including unsafe methods with preconditions, is evaluated against the
/// target's current representation:
///
/// ```swift
/// let router = Router()
/// router.get("/doc") { ... }
/// router.put("/doc") { ... }   // never runs when If-Match is stale: 412
/// let app = Application(router: ConditionalRequests(router))
/// ```
///
/// GET and HEAD behave as with ``ConditionalRequestMiddleware``. A PUT, POST, PATCH or DELETE
/// carrying `If-Match`, `If-None-Match` or `If-Unmodified-Since` is first checked against an
/// unconditional GET of the same target through the router (a 404 or 410 meaning "no current
/// representation"), and answered with 412 when its preconditions fail (RFC 9110 §13.1.1,
/// §13.1.2, §13.1.4). The check and the change are two steps: a handler that needs them
/// atomic also evaluates inside its own transaction.
public struct ConditionalRequests<Builder: HTTPResponderBuilder>: HTTPResponderBuilder where Builder.Responder.Context: RequestContext {
    let builder: Builder
    let configuration: ConditionalRequestMiddleware<Builder.Responder.Context>.Configuration

    public init(_ builder: Builder, configuration: ConditionalRequestMiddleware<Builder.Responder.Context>.Configuration = .init()) {
        var configuration = configuration
        configuration.checksUnsafeMethodsAgainstGet = true
        self.builder = builder
        self.configuration = configuration
    }

    public func buildResponder() -> ConditionalRequestResponder<Builder.Responder> {
        ConditionalRequestResponder(responder: builder.buildResponder(), middleware: ConditionalRequestMiddleware(configuration: configuration))
    }
}

/// The responder built by ``ConditionalRequests``.
public struct ConditionalRequestResponder<Responder: HTTPResponder>: HTTPResponder where Responder.Context: RequestContext {
    public typealias Context = Responder.Context
    let responder: Responder
    let middleware: ConditionalRequestMiddleware<Context>

    public func respond(to request: Request, context: Context) async throws -> Response {
        try await middleware.handle(request, context: context) { request, context in
            try await responder.respond(to: request, context: context)
        }
    }
}
