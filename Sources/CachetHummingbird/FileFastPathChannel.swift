import Hummingbird
import HummingbirdCore
import Logging
import NIOCore

/// Hummingbird's HTTP/1 child channel with a ``FileFastPath`` first in each connection's
/// pipeline, ahead of NIO's HTTP/1 decoder: the channel setup adds it, then runs
/// `HTTP1Channel`'s own, which the rest of the connection uses unchanged, and puts a
/// ``FileFastPath/ResponseEnds`` where the router's responses pass.
public struct FileFastPathChannel: ServerChildChannel {
    public typealias Value = HTTP1Channel.Value

    let http1: HTTP1Channel
    let fastPath: @Sendable () -> FileFastPath

    init<Context>(
        responder: @escaping HTTPChannelHandler.Responder, configuration: HTTP1Channel.Configuration,
        answeringFirst files: ConditionalFileMiddleware<Context>, serverName: String?
    ) {
        self.http1 = HTTP1Channel(responder: responder, configuration: configuration)
        self.fastPath = { FileFastPath(serverName: serverName) { request in files.answerAtOnce(request) } }
    }

    public func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        channel.eventLoop.makeCompletedFuture {
            let fastPath = fastPath()
            try channel.pipeline.syncOperations.addHandler(fastPath)
            return NIOLoopBound(fastPath, eventLoop: channel.eventLoop)
        }.flatMap { fastPath in
            http1.setup(channel: channel, logger: logger).flatMapThrowing { value in
                // Where the router's responses pass, before Hummingbird's connection state.
                let pipeline = channel.pipeline.syncOperations
                let state = try pipeline.handler(type: HTTPConnectionStateHandler.self)
                try pipeline.addHandler(FileFastPath.ResponseEnds(fastPath.value), position: .before(state))
                return value
            }
        }
    }

    public func handle(value: Value, logger: Logger) async {
        await http1.handle(value: value, logger: logger)
    }
}

extension HTTPServerBuilder {
    /// An HTTP/1 server whose connections answer the requests `files` can answer at once
    /// (``ConditionalFileMiddleware/answerAtOnce(_:)``) from raw bytes, before the decoder
    /// and the router; everything else goes through `HTTP1Channel` as usual.
    ///
    /// ```swift
    /// let app = Application(
    ///     router: router,
    ///     server: .http1(configuration: .init(), answeringFirst: files, serverName: "my-server"),
    ///     configuration: .init(serverName: "my-server")
    /// )
    /// ```
    public static func http1<Context>(
        configuration: HTTP1Channel.Configuration = .init(),
        answeringFirst files: ConditionalFileMiddleware<Context>,
        serverName: String?
    ) -> HTTPServerBuilder {
        .init { responder in
            FileFastPathChannel(responder: responder, configuration: configuration, answeringFirst: files, serverName: serverName)
        }
    }
}
