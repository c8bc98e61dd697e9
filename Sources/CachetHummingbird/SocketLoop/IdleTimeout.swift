import NIOCore
import NIOHTTPTypes

/// Closes a connection on which the client did nothing for `timeout`: sent no byte and took
/// no write. First in the pipeline of a connection a ``SocketLoop`` handed to NIO, so that it
/// sees the bytes ``FileFastPath`` answers as well as the router's, it gives those connections
/// the loop's `--client-idle-timeout`: between requests (RFC 9112 §9.6), in the middle of a
/// request, and while a client leaves an answer unread (the slow-read attack).
///
/// Time the server spends on a request it has received whole, with nothing waiting to be
/// written (a first file hashed, say), is not the client's: ``RequestsInFlight``, where the
/// router's requests and responses pass, tells it when that is.
///
/// Progress is read off the event loop's clock, so a test moves it with `advanceTime`.
final class IdleTimeout: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = NIOAny
    typealias InboundOut = NIOAny
    typealias OutboundIn = NIOAny
    typealias OutboundOut = NIOAny

    private let timeout: TimeAmount
    private var lastProgress = NIODeadline.uptimeNanoseconds(0)
    private var check: Scheduled<Void>?
    /// Requests received whole whose response has not ended.
    private var requestsBeingAnswered = 0
    /// Writes not taken by the socket yet.
    private var writesPending = 0

    init(_ timeout: TimeAmount) {
        self.timeout = timeout
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { start(context: context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        start(context: context)
        context.fireChannelActive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        check?.cancel()
        check = nil
    }

    func channelInactive(context: ChannelHandlerContext) {
        check?.cancel()
        check = nil
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        lastProgress = context.eventLoop.now
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let written = promise ?? context.eventLoop.makePromise()
        let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        writesPending += 1
        written.futureResult.whenComplete { result in
            let (handler, context) = loopBound.value
            handler.writesPending -= 1
            if case .success = result { handler.lastProgress = context.eventLoop.now }
        }
        context.write(data, promise: written)
    }

    /// A request has been received whole: until its response ends, the server is answering it.
    func requestReceived() {
        requestsBeingAnswered += 1
    }

    /// The response to the oldest request being answered has ended.
    func responseEnded(now: NIODeadline) {
        requestsBeingAnswered = max(0, requestsBeingAnswered - 1)
        lastProgress = now
    }

    private func start(context: ChannelHandlerContext) {
        guard check == nil else { return }
        lastProgress = context.eventLoop.now
        schedule(at: lastProgress + timeout, context: context)
    }

    private func schedule(at deadline: NIODeadline, context: ChannelHandlerContext) {
        let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        check = context.eventLoop.scheduleTask(deadline: deadline) {
            let (handler, context) = loopBound.value
            handler.checkProgress(context: context)
        }
    }

    private func checkProgress(context: ChannelHandlerContext) {
        guard context.channel.isActive else { return }
        // The server is working on a request and has nothing for the client to take: the wait
        // is the server's.
        if requestsBeingAnswered > 0, writesPending == 0 { lastProgress = context.eventLoop.now }
        let deadline = lastProgress + timeout
        if context.eventLoop.now >= deadline {
            check = nil
            context.close(promise: nil)
        } else {
            schedule(at: deadline, context: context)
        }
    }
}

/// Where the router's requests and responses pass (after the HTTP/1 codec), tells
/// ``IdleTimeout`` when a request has been received whole and when its response has ended.
final class RequestsInFlight: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    private let idle: IdleTimeout

    init(_ idle: IdleTimeout) {
        self.idle = idle
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if case .end = unwrapInboundIn(data) { idle.requestReceived() }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .end = unwrapOutboundIn(data) { idle.responseEnded(now: context.eventLoop.now) }
        context.write(data, promise: promise)
    }
}
