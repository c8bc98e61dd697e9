import HTTPPreconditions
import HTTPTypes
import NIOCore
import NIOHTTPTypes

/// Answers file requests that need no I/O — a remembered file whose request gets a 304, or
/// whose content is in memory — straight from the bytes the client sent, first in the
/// connection's pipeline, before NIO's HTTP/1 decoder (see ``FileFastPathChannel``).
///
/// It reads only simple requests (``SimpleRequestHead``) and asks
/// ``ConditionalFileMiddleware/answerAtOnce(_:)`` for the answer, which it writes as bytes:
/// the same status line and fields the decoder's path sends, plus `Date` and `Server`.
/// Pipelined requests are answered in order, and the answers to one read leave in one flush.
///
/// Responses leave in request order (RFC 9112 §9.3.2):
/// - a simple request it cannot answer at once (a file not looked up yet, a range, a 412…)
///   goes alone to the decoder and the router; what follows it waits, unread, until the
///   router's response has ended (``ResponseEnds`` tells), then this handler goes on;
/// - any other request — declined by the reader, such as one with content, one asking for
///   the connection to close, or a head longer than the bound — goes to the decoder with
///   every byte after it, and this handler leaves the pipeline: the rest of the connection
///   goes through the router, and closing stays Hummingbird's job.
public final class FileFastPath: ChannelDuplexHandler, RemovableChannelHandler {
    public typealias InboundIn = ByteBuffer
    public typealias InboundOut = ByteBuffer
    public typealias OutboundIn = ByteBuffer
    public typealias OutboundOut = ByteBuffer

    private let answer: @Sendable (HTTPRequest) -> ImmediateAnswer?
    private var context: ChannelHandlerContext?
    /// Bytes not read yet: the start of a request whose head has not all arrived, or what
    /// arrived while waiting.
    private var received: ByteBuffer?
    /// How far `received` has been searched for the end of the head.
    private var searched = 0
    /// Whether a request went to the router and its response has not ended.
    private var waiting = false
    /// Answers not written yet; they leave at the end of the read.
    private var output: ByteBuffer?
    /// Whether something was written since the last flush.
    private var unflushed = false
    /// Whether this connection was answered here at all.
    private var answered = false
    /// The end of the input, seen while waiting.
    private var inputClosed: Any?
    /// A read asked for while waiting or while the channel could not take more writes.
    private var readHeld = false
    /// `Date` and `Server`, encoded once a second.
    private var trailer: ImmediateAnswer.Trailer

    init(serverName: String?, answer: @escaping @Sendable (HTTPRequest) -> ImmediateAnswer?) {
        self.trailer = .init(serverName: serverName)
        self.answer = answer
    }

    public func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    public func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
        if readHeld {
            readHeld = false
            context.read()
        }
    }

    public func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var bytes = unwrapInboundIn(data)
        if var start = received {
            received = nil
            start.writeBuffer(&bytes)
            bytes = start
        }
        if waiting {
            // Reads are held while waiting, so this is at most one read's worth.
            received = bytes
            return
        }
        process(bytes, inRead: true, context: context)
    }

    /// Answers the requests in `bytes` in order, until one goes to the decoder. `inRead`:
    /// called from a read, whose end the decoder will see.
    private func process(_ bytes: ByteBuffer, inRead: Bool, context: ChannelHandlerContext) {
        var bytes = bytes
        while bytes.readableBytes > 0 {
            let searchedFrom = searched
            switch bytes.withUnsafeReadableBytes({ SimpleRequestHead.read($0, searchedFrom: searchedFrom) }) {
            case .incomplete(let searched):
                self.searched = searched
                received = bytes
                return
            case .declined:
                return handOn(bytes, inRead: inRead, context: context)
            case .request(let request, let length):
                searched = 0
                if let wire = answer(request)?.wire(isHead: request.method == .head) {
                    append(wire, context: context)
                    bytes.moveReaderIndex(forwardBy: length)
                    continue
                }
                // The router answers this one; the rest waits for its response to end.
                flushOutput(context: context)
                waiting = true
                context.fireChannelRead(wrapInboundOut(bytes.readSlice(length: length)!))
                if bytes.readableBytes > 0 { received = bytes }
                if !inRead { context.fireChannelReadComplete() }
                return
            }
        }
    }

    /// The response to the request that went to the router has ended: go on with what
    /// arrived meanwhile.
    func responseEnded() {
        guard waiting, let context else { return }
        // Not from inside the write that ended the response.
        let loopBound = NIOLoopBound(self, eventLoop: context.eventLoop)
        context.eventLoop.execute {
            let handler = loopBound.value
            guard handler.waiting, let context = handler.context else { return }
            handler.waiting = false
            if let bytes = handler.received {
                handler.received = nil
                handler.process(bytes, inRead: false, context: context)
                // Handed on with the rest of the connection: nothing more to do here.
                if handler.context == nil { return }
            }
            // Not in a read: the answers leave now.
            handler.flushOutput(context: context)
            guard !handler.waiting else { return }
            if let inputClosed = handler.inputClosed {
                handler.inputClosed = nil
                handler.endInput(inputClosed, context: context)
            } else if handler.readHeld, context.channel.isWritable {
                handler.readHeld = false
                context.read()
            }
        }
    }

    public func channelReadComplete(context: ChannelHandlerContext) {
        flushOutput(context: context)
        context.fireChannelReadComplete()
    }

    public func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        guard case ChannelEvent.inputClosed = event else { return context.fireUserInboundEventTriggered(event) }
        if waiting {
            // The requests that arrived before the end are answered first.
            inputClosed = event
        } else {
            endInput(event, context: context)
        }
    }

    private func endInput(_ event: Any, context: ChannelHandlerContext) {
        guard answered else { return passOn(event, context: context) }
        // Hummingbird closes a connection whose input ends before a request reached it, which
        // would drop answers not sent yet: the event follows them.
        writeOutput(context: context)
        let sent = context.eventLoop.makePromise(of: Void.self)
        context.writeAndFlush(wrapOutboundOut(ByteBuffer()), promise: sent)
        unflushed = false
        let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        sent.futureResult.whenComplete { _ in
            let (handler, context) = loopBound.value
            if context.channel.isActive { handler.passOn(event, context: context) }
        }
    }

    /// Passes on the end of the input, after the start of a request not complete yet, if any:
    /// the decoder decides what it means.
    private func passOn(_ inputClosed: Any, context: ChannelHandlerContext) {
        guard let received else { return context.fireUserInboundEventTriggered(inputClosed) }
        self.received = nil
        context.fireChannelRead(wrapInboundOut(received))
        context.fireChannelReadComplete()
        context.fireUserInboundEventTriggered(inputClosed)
        leave(context: context)
    }

    public func read(context: ChannelHandlerContext) {
        // Answers are written without being asked for: stop reading while they cannot leave,
        // and while the router answers a request, as HTTPServerPipelineHandler does.
        if !waiting, context.channel.isWritable {
            context.read()
        } else {
            readHeld = true
        }
    }

    public func channelWritabilityChanged(context: ChannelHandlerContext) {
        if readHeld, !waiting, context.channel.isWritable {
            readHeld = false
            context.read()
        }
        context.fireChannelWritabilityChanged()
    }

    /// Passes `bytes`, a request this handler does not answer and all that follows it, to the
    /// decoder, after the answers to the requests before it; then leaves the pipeline.
    private func handOn(_ bytes: ByteBuffer, inRead: Bool, context: ChannelHandlerContext) {
        received = nil
        flushOutput(context: context)
        context.fireChannelRead(wrapInboundOut(bytes))
        if !inRead { context.fireChannelReadComplete() }
        leave(context: context)
    }

    private func leave(context: ChannelHandlerContext) {
        context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
    }

    private func writeOutput(context: ChannelHandlerContext) {
        guard let output else { return }
        self.output = nil
        context.write(wrapOutboundOut(output), promise: nil)
        unflushed = true
    }

    private func flushOutput(context: ChannelHandlerContext) {
        writeOutput(context: context)
        if unflushed {
            unflushed = false
            context.flush()
        }
    }

    /// Adds the bytes of an answer to the output.
    private func append(_ wire: ImmediateAnswer.Wire, context: ChannelHandlerContext) {
        var out = output ?? context.channel.allocator.buffer(capacity: 1024)
        answered = true
        if let large = wire.write(into: &out, trailer: trailer.bytes(at: ServerClock.now())) {
            context.write(wrapOutboundOut(out), promise: nil)
            for slice in large.slices() { context.write(wrapOutboundOut(slice), promise: nil) }
            unflushed = true
            output = nil
        } else {
            output = out
        }
    }
}

extension FileFastPath {
    /// Sits after the HTTP/1 codec and tells a ``FileFastPath`` when a response from the
    /// decoder's path has ended.
    final class ResponseEnds: ChannelOutboundHandler, RemovableChannelHandler {
        typealias OutboundIn = HTTPResponsePart
        typealias OutboundOut = HTTPResponsePart

        private let fastPath: FileFastPath

        init(_ fastPath: FileFastPath) {
            self.fastPath = fastPath
        }

        func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
            let ends = if case .end = unwrapOutboundIn(data) { true } else { false }
            context.write(data, promise: promise)
            if ends { fastPath.responseEnded() }
        }
    }
}
