import NIOCore

/// Commands written back to back on one connection, sent in a single write; each gets its
/// reply through its promise, in order.
struct RESPOutboundRequest: Sendable {
    var commands: [RESPCommand]
    var promises: [EventLoopPromise<RESPValue>]
}

/// Pipelining: requests are written as they come and replies are matched to them in FIFO
/// order, which is what Redis guarantees on one connection (Redis protocol spec, "Pipelining").
///
/// Because matching is by position only, the connection cannot survive a reply that is late,
/// missing, extra or unreadable: a timeout, a decoding error, an unsolicited reply or EOF each
/// fail every pending command and close the channel. Error replies (`-ERR`) are ordinary
/// values here; the client decides what they mean.
final class RESPCommandHandler: ChannelDuplexHandler {
    typealias InboundIn = RESPValue
    typealias OutboundIn = RESPOutboundRequest
    typealias OutboundOut = ByteBuffer

    private struct Pending {
        var promise: EventLoopPromise<RESPValue>
        /// Set on the last command of each request: if it has no reply in time, neither can
        /// anything before it, since replies arrive in order.
        var timeout: Scheduled<Void>?
    }

    private let commandTimeout: TimeAmount
    private var pending = CircularBuffer<Pending>(initialCapacity: 16)
    /// Once set, the connection is finished: new requests fail with it at once.
    private var failure: RedisError?

    init(commandTimeout: TimeAmount) {
        self.commandTimeout = commandTimeout
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let request = unwrapOutboundIn(data)
        if let failure {
            for commandPromise in request.promises { commandPromise.fail(failure) }
            promise?.fail(failure)
            return
        }
        var buffer = context.channel.allocator.buffer(capacity: request.commands.reduce(0) { $0 + $1.encodedSizeEstimate })
        for command in request.commands { command.encode(into: &buffer) }
        let loop = context.eventLoop.assumeIsolated()
        for (index, commandPromise) in request.promises.enumerated() {
            var entry = Pending(promise: commandPromise, timeout: nil)
            if index == request.promises.count - 1 {
                entry.timeout = loop.scheduleTask(in: commandTimeout) { [self] in
                    self.fail(.timeout, context: context)
                }
            }
            pending.append(entry)
        }
        context.write(wrapOutboundOut(buffer), promise: promise)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let value = unwrapInboundIn(data)
        guard let entry = pending.popFirst() else {
            fail(.unsolicitedReply, context: context)
            return
        }
        entry.timeout?.cancel()
        entry.promise.succeed(value)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if let decoding = error as? RESPDecodingError {
            fail(.protocolError(decoding), context: context)
        } else {
            fail(.connectionClosed, context: context)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        failAll(.connectionClosed)
        context.fireChannelInactive()
    }

    private func fail(_ error: RedisError, context: ChannelHandlerContext) {
        failAll(error)
        context.close(promise: nil)
    }

    private func failAll(_ error: RedisError) {
        if failure == nil { failure = error }
        while let entry = pending.popFirst() {
            entry.timeout?.cancel()
            entry.promise.fail(failure ?? error)
        }
    }
}
