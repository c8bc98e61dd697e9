import NIOCore

/// Closes a connection on which nothing moved for `timeout`: no byte received, and no write
/// taken by the client. First in the pipeline of a connection a ``SocketLoop`` handed to NIO,
/// so that it sees the bytes ``FileFastPath`` answers as well as the router's, it gives those
/// connections the loop's `--client-idle-timeout`: between requests (RFC 9112 §9.6) and while
/// a client leaves an answer unread (the slow-read attack).
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
        written.futureResult.whenSuccess {
            let (handler, context) = loopBound.value
            handler.lastProgress = context.eventLoop.now
        }
        context.write(data, promise: written)
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
        let deadline = lastProgress + timeout
        if context.eventLoop.now >= deadline {
            check = nil
            context.close(promise: nil)
        } else {
            schedule(at: deadline, context: context)
        }
    }
}
