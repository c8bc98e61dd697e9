import HTTPTypes
import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import NIOHTTP1

/// What `Application` does with a router's responder for each request, for servers that run
/// Hummingbird's HTTP/1 channel themselves (``FileSocketServer``): the request context, a
/// 500 for an error no middleware turned into a response, `Date` and `Server`.
enum HummingbirdResponder {
    /// Thrown to close the connection when the request turned out malformed while its
    /// response was being written: another response must not follow.
    struct MalformedWhileResponding: Error {}

    static func make<Responder: HTTPResponder>(
        _ responder: Responder, serverName: String?, logger: Logger
    ) -> HTTPChannelHandler.Responder where Responder.Context: InitializableFromSource<ApplicationRequestContextSource> {
        { request, writer, channel in
            let context = Responder.Context(source: .init(channel: channel, logger: logger))
            var response: Response
            do {
                response = try await responder.respond(to: request, context: context)
            } catch let error as HTTPParserError {
                throw error
            } catch {
                logger.debug("unhandled error", metadata: ["error": "\(error)"])
                response = Response(status: .internalServerError, body: .init())
            }
            // An origin server with a clock sends Date (RFC 9110 §6.6.1).
            response.headers[.date] = ServerClock.now().imfFixdate
            if let serverName { response.headers[.server] = serverName }
            do {
                try await writer.write(response: response.head, body: response.body)
            } catch is HTTPParserError {
                throw MalformedWhileResponding()
            }
        }
    }
}
