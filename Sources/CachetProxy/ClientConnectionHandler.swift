import HTTPTypes
import NIOCore
import NIOHTTP1

/// One client connection: turns NIO's HTTP/1 parts into an `HTTPRequest` and its body, hands
/// them to the request flow, and writes back what the flow delivers as HTTP/1 bytes.
///
/// Pipelined requests (RFC 9112 §9.3.2) are answered in order: while a request is being
/// answered off the event loop, the parts and parser errors that follow it wait here, and no
/// more is read from the socket until it is done. A fresh hit is answered during the read
/// itself, so pipelined hits never wait.
final class ClientConnectionHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private enum Event {
        case part(HTTPServerRequestPart)
        case error(any Error)
    }

    private let flow: RequestFlow
    private let metrics: ProxyMetrics
    private let accessLog: AccessLog
    private let maximumRequestBodySize: Int
    private var head: HTTPRequestHead?
    private var body: ByteBuffer?
    private var rejectedBody = false
    /// A request is being answered off the event loop.
    private var busy = false
    /// The connection closes after the response being written: nothing more is answered.
    private var closing = false
    private var waiting = CircularBuffer<Event>()
    private var readHeld = false
    /// The client shut its sending side: answer what it sent, then close.
    private var inputClosed = false
    /// The request being answered off the event loop and when it started, for the access log.
    private var answering: (head: HTTPRequestHead, started: NIODeadline?)?
    /// The server is draining (`ChannelShouldQuiesceEvent`): finish the request being
    /// received or answered, then close.
    private var quiescing = false
    /// The writer of the request being answered off the event loop.
    private var inFlight: ChannelResponseWriter?

    /// Where the connection stands for its timeouts (``ClientTimeouts``).
    private enum Phase {
        /// Waiting for a request since then, none of it received.
        case idle(since: NIODeadline)
        /// A request head began to arrive then and is not complete yet.
        case receivingHead(since: NIODeadline)
        /// A request body is arriving; its last part came then.
        case receivingBody(since: NIODeadline)
        /// The request is complete and being answered: the origin's timeouts apply.
        case answering
    }

    private let timeouts: ClientTimeouts
    private var phase = Phase.idle(since: .uptimeNanoseconds(0))
    /// The connection's event loop as a task executor, made on the first request that needs it.
    private var loopExecutor: EventLoopTaskExecutor?

    private func executor(_ context: ChannelHandlerContext) -> EventLoopTaskExecutor {
        if let loopExecutor { return loopExecutor }
        let executor = EventLoopTaskExecutor(context.eventLoop)
        loopExecutor = executor
        return executor
    }

    /// The one timer checking the phase. It is rescheduled only when it fires, so that a
    /// request costs a clock read, never a timer.
    private var timer: Scheduled<Void>?
    private var timerDeadline = NIODeadline.distantFuture
    /// While an answer is still being written: the bytes left when last seen shrinking, and when.
    private var sending: (bytes: Int, since: NIODeadline)?

    init(flow: RequestFlow, maximumRequestBodySize: Int, timeouts: ClientTimeouts = ClientTimeouts(), accessLog: AccessLog = .off) {
        self.flow = flow
        self.metrics = flow.metrics
        self.accessLog = accessLog
        self.maximumRequestBodySize = maximumRequestBodySize
        self.timeouts = timeouts
    }

    func handlerAdded(context: ChannelHandlerContext) {
        // The event loop's clock, which tests can move (EmbeddedEventLoop).
        let now = context.eventLoop.now
        phase = .idle(since: now)
        scheduleCheck(at: now + timeouts.idle, context: context)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        timer?.cancel()
        timer = nil
    }

    // MARK: - Timeouts

    /// Bytes came in (``ByteArrivalObserver``): an idle connection starts receiving a head,
    /// which must be complete within ``ClientTimeouts/requestHead`` however slowly it comes.
    func bytesArrived(context: ChannelHandlerContext) {
        guard case .idle = phase else { return }
        let now = context.eventLoop.now
        phase = .receivingHead(since: now)
        scheduleCheck(at: now + timeouts.requestHead, context: context)
    }

    /// Makes sure the timer fires no later than `deadline`.
    private func scheduleCheck(at deadline: NIODeadline, context: ChannelHandlerContext) {
        if timer != nil {
            // A check due earlier looks again and reschedules itself.
            if timerDeadline <= deadline { return }
            timer?.cancel()
        }
        timerDeadline = deadline
        let handler = NIOLoopBound(self, eventLoop: context.eventLoop)
        let loopContext = NIOLoopBound(context, eventLoop: context.eventLoop)
        timer = context.eventLoop.scheduleTask(deadline: deadline) {
            handler.value.timer = nil
            handler.value.checkTimeouts(context: loopContext.value)
        }
    }

    private func checkTimeouts(context: ChannelHandlerContext) {
        guard context.channel.isActive else { return }
        let now = context.eventLoop.now
        // Bytes still waiting to go out: the client must keep reading them (the slow-read
        // attack), but a large body may take long, so progress is what counts.
        let buffered = (try? context.channel.syncOptions?.getOption(.bufferedWritableBytes)) ?? 0
        if buffered > 0 {
            if let sending, buffered >= sending.bytes {
                if now >= sending.since + timeouts.idle {
                    context.close(promise: nil)
                    return
                }
            } else {
                sending = (buffered, now)
            }
            return scheduleCheck(at: now + timeouts.idle, context: context)
        }
        if sending != nil {
            sending = nil
            // The answer has gone out in full: the connection idles from now.
            if case .idle = phase { phase = .idle(since: now) }
        }
        guard !closing else { return }
        switch phase {
        case .receivingHead(let since):
            let deadline = since + timeouts.requestHead
            guard now >= deadline else { return scheduleCheck(at: deadline, context: context) }
            timedOut(context: context)
        case .receivingBody(let since):
            let deadline = since + timeouts.idle
            guard now >= deadline else { return scheduleCheck(at: deadline, context: context) }
            timedOut(context: context)
        case .idle(let since):
            let deadline = since + timeouts.idle
            guard now >= deadline else { return scheduleCheck(at: deadline, context: context) }
            // Between requests nothing is owed: the connection just closes (RFC 9112 §9.6).
            closing = true
            context.close(promise: nil)
        case .answering:
            // Looked at again once the answer is written and the connection idles.
            scheduleCheck(at: now + timeouts.idle, context: context)
        }
    }

    /// A request that did not arrive in time: 408 and close (RFC 9110 §15.5.9).
    private func timedOut(context: ChannelHandlerContext) {
        closing = true
        waiting.removeAll()
        head = nil
        body = nil
        let started = accessLog.start()
        let writer = ChannelResponseWriter(
            context: context, channel: context.channel, version: .http1_1, keepAlive: false, isHead: false, metrics: metrics
        )
        writer.writeOnEventLoop(
            flow.headers.error(.requestTimeout, forward: nil), body: ProxyError.requestTimeout.body, close: true, outcome: .error
        )
        accessLog.log(method: "-", target: "-", record: writer.record, started: started)
    }

    /// The connection waits for its next request from now.
    private func becameIdle(_ context: ChannelHandlerContext) {
        phase = .idle(since: context.eventLoop.now)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let part = unwrapInboundIn(data)
        if busy || !waiting.isEmpty {
            waiting.append(.part(part))
        } else if !closing {
            receive(part, context: context)
            closeIfQuiesced(context: context)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if busy || !waiting.isEmpty {
            waiting.append(.error(error))
        } else if !closing {
            fail(error, context: context)
        }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is ChannelShouldQuiesceEvent {
            quiescing = true
            inFlight?.makeLast()
            closeIfQuiesced(context: context)
            return
        }
        if case ChannelEvent.inputClosed = event {
            inputClosed = true
            closeWhenIdle(context: context)
        }
        context.fireUserInboundEventTriggered(event)
    }

    /// After the client's end of input (RFC 9112 §9.6), the connection closes once every
    /// response owed has been written.
    private func closeWhenIdle(context: ChannelHandlerContext) {
        guard inputClosed, !busy, waiting.isEmpty else { return }
        // Writes complete in order: this one completes when every response before it has.
        let channel = context.channel
        context.writeAndFlush(wrapOutboundOut(ByteBuffer())).whenComplete { _ in channel.close(promise: nil) }
    }

    /// While draining, a connection closes as soon as it owes no response and holds no part
    /// of a request; what was pipelined behind the last answer is not answered (the client
    /// sees the close and may retry elsewhere, RFC 9112 §9.3.1).
    private func closeIfQuiesced(context: ChannelHandlerContext) {
        guard quiescing, !busy, head == nil else { return }
        closing = true
        waiting.removeAll()
        // Writes complete in order: this one completes when every response before it has.
        let channel = context.channel
        context.writeAndFlush(wrapOutboundOut(ByteBuffer())).whenComplete { _ in channel.close(promise: nil) }
    }

    /// Holds reads while requests wait, so a client cannot queue without bound.
    func read(context: ChannelHandlerContext) {
        if busy || !waiting.isEmpty {
            readHeld = true
        } else {
            context.read()
        }
    }

    private func receive(_ part: HTTPServerRequestPart, context: ChannelHandlerContext) {
        switch part {
        case .head(let head):
            self.head = head
            self.body = nil
            self.rejectedBody = false
            phase = .receivingBody(since: context.eventLoop.now)
        case .body(var chunk):
            phase = .receivingBody(since: context.eventLoop.now)
            guard !rejectedBody else { return }
            if body == nil {
                body = chunk
            } else {
                body!.writeBuffer(&chunk)
            }
            if body!.readableBytes > maximumRequestBodySize {
                rejectedBody = true
                body = nil
            }
        case .end:
            guard let head = self.head else { return }
            self.head = nil
            phase = .answering
            respond(to: head, context: context)
        }
    }

    private func respond(to head: HTTPRequestHead, context: ChannelHandlerContext) {
        let started = accessLog.start()
        if rejectedBody {
            return refuse(head, .contentTooLarge, started: started, context: context)
        }
        let request: HTTPRequest
        switch Self.convert(head) {
        case .failure(let error): return refuse(head, error, started: started, context: context)
        case .success(let converted): request = converted
        }
        let body = self.body
        self.body = nil
        // A fresh hit is answered right here on the event loop; everything else continues
        // in a task, and the connection waits for it.
        // While draining, a hit is not sent as prepared bytes: those say keep-alive.
        switch flow.answerFromMemory(request, prepared: head.isKeepAlive && head.version == .http1_1 && !quiescing) {
        case .prepared(let bytes, let content, let status, let replaced):
            var sent = 0
            if head.method != .HEAD, let content, content.readableBytes > 0 {
                sent = content.readableBytes
                context.write(wrapOutboundOut(bytes), promise: nil)
                context.writeAndFlush(wrapOutboundOut(content), promise: nil)
            } else {
                context.writeAndFlush(wrapOutboundOut(bytes), promise: nil)
            }
            // Relaxed atomic adds only; the access log when its level asks for it.
            metrics.responded(.hit, status: status, replaced: replaced)
            metrics.delivered(sent)
            if started != nil {
                accessLog.log(
                    method: head.method.rawValue, target: head.uri, record: ResponseRecord(status: status, outcome: .hit, bytes: sent),
                    started: started
                )
            }
            becameIdle(context)
        case .delivery(let delivery):
            closing = !head.isKeepAlive
            let writer = makeWriter(head, context: context)
            writer.writeOnEventLoop(delivery.head, body: delivery.body, close: false, outcome: delivery.outcome, replaced: delivery.replaced)
            if started != nil {
                accessLog.log(method: head.method.rawValue, target: head.uri, record: writer.record, started: started)
            }
            becameIdle(context)
        case nil:
            busy = true
            answering = (head, started)
            let writer = makeWriter(head, context: context)
            inFlight = writer
            let flow = self.flow
            let handler = NIOLoopBound(self, eventLoop: context.eventLoop)
            let loopContext = NIOLoopBound(context, eventLoop: context.eventLoop)
            let client = context.channel.remoteAddress
            flow.requests.spawn(on: executor(context)) {
                await flow.handle(request, body: body, client: client, writer: writer)
                loopContext.eventLoop.execute {
                    handler.value.finished(writer, context: loopContext.value)
                }
            }
        }
    }

    /// Answers a request the proxy will not handle, and closes the connection.
    private func refuse(_ head: HTTPRequestHead, _ error: ProxyError, started: NIODeadline?, context: ChannelHandlerContext) {
        closing = true
        let writer = makeWriter(head, context: context)
        writer.writeOnEventLoop(flow.headers.error(error, forward: nil), body: error.body, close: true, outcome: .error)
        accessLog.log(method: head.method.rawValue, target: head.uri, record: writer.record, started: started)
    }

    private func makeWriter(_ head: HTTPRequestHead, context: ChannelHandlerContext) -> ChannelResponseWriter {
        let writer = ChannelResponseWriter(
            context: context, channel: context.channel, version: head.version, keepAlive: head.isKeepAlive,
            isHead: head.method == .HEAD, metrics: metrics
        )
        if quiescing { writer.makeLast() }
        return writer
    }

    /// The response to the request answered off the loop has been written: go on with what
    /// waited behind it.
    private func finished(_ writer: ChannelResponseWriter, context: ChannelHandlerContext) {
        busy = false
        if let (head, started) = answering.take() {
            accessLog.log(method: head.method.rawValue, target: head.uri, record: writer.record, started: started)
        }
        inFlight = nil
        becameIdle(context)
        if writer.closesConnection { closing = true }
        while !busy, !closing, let event = waiting.popFirst() {
            switch event {
            case .part(let part): receive(part, context: context)
            case .error(let error): fail(error, context: context)
            }
        }
        if closing { waiting.removeAll() }
        if !busy, waiting.isEmpty, readHeld {
            readHeld = false
            context.read()
        }
        closeWhenIdle(context: context)
        closeIfQuiesced(context: context)
    }

    /// Answers what the HTTP/1 parser rejected, then closes: 431 for an oversized header
    /// section, 400 for everything else — malformed request lines and fields, and smuggling
    /// shapes such as conflicting Content-Length / Transfer-Encoding (RFC 9112 §6.3), which
    /// must never reach the origin or the cache.
    private func fail(_ error: any Error, context: ChannelHandlerContext) {
        closing = true
        guard let parserError = error as? HTTPParserError else {
            context.close(promise: nil)
            return
        }
        let proxyError: ProxyError
        switch parserError {
        case .headerOverflow: proxyError = .headerSectionTooLarge
        case .invalidVersion: proxyError = .versionNotSupported
        default: proxyError = .badRequest(String(describing: parserError))
        }
        let started = accessLog.start()
        let writer = ChannelResponseWriter(
            context: context, channel: context.channel, version: .http1_1, keepAlive: false, isHead: false, metrics: metrics
        )
        writer.writeOnEventLoop(flow.headers.error(proxyError, forward: nil), body: proxyError.body, close: true, outcome: .error)
        // The parser rejected the request before its method and target were known.
        accessLog.log(method: "-", target: "-", record: writer.record, started: started)
    }

    /// The request as swift-http-types sees it, or the 400 it deserves (RFC 9112 §3.2: a
    /// HTTP/1.1 request without exactly one Host is rejected).
    /// The index just past `scheme://` in an absolute-form target, if it has one.
    static func afterScheme(_ target: String) -> String.Index? {
        var index = target.startIndex
        while index < target.endIndex, target[index].isLetter || target[index] == "+" || target[index] == "-" || target[index] == "." {
            index = target.index(after: index)
        }
        guard index > target.startIndex, target[index...].hasPrefix("://") else { return nil }
        return target.index(index, offsetBy: 3)
    }

    /// The longest request target accepted (nginx's default buffer for a request line).
    static let maximumTargetLength = 8192

    /// Whether `authority` is `uri-host [":" port]` as far as its characters go (RFC 9112
    /// §3.2, RFC 3986 §3.2.2): unreserved, percent-encoded and sub-delims characters, colons
    /// and the brackets of an IP literal. No userinfo (`@`), no path, query or fragment, no
    /// whitespace or control characters, nothing that is not ASCII: such a Host would name
    /// another cache key than the one the origin sees.
    static func isValidAuthority(_ authority: String) -> Bool {
        guard !authority.isEmpty else { return false }
        return authority.utf8.allSatisfy { c in
            switch c {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                return true
            default:
                return "-._~%!$&'()*+,;=:[]".utf8.contains(c)
            }
        }
    }

    static func convert(_ head: HTTPRequestHead) -> Result<HTTPRequest, ProxyError> {
        if head.uri.utf8.count > maximumTargetLength { return .failure(.uriTooLong) }
        if head.version.major != 1 { return .failure(.versionNotSupported) }
        // An HTTP/1.0 message with Transfer-Encoding has faulty framing (RFC 9112 §6.1).
        if head.version.minor == 0, head.headers.contains(name: "transfer-encoding") {
            return .failure(.badRequest("Transfer-Encoding in an HTTP/1.0 request"))
        }
        guard let method = HTTPRequest.Method(head.method.rawValue) else { return .failure(.badRequest("invalid method")) }
        let hosts = head.headers["host"]
        if hosts.count > 1 { return .failure(.badRequest("more than one Host field")) }
        if head.version.major == 1 && head.version.minor >= 1 && hosts.isEmpty {
            return .failure(.badRequest("missing Host field"))
        }
        var authority = hosts.first
        var path = head.uri
        if !path.hasPrefix("/") {
            // absolute-form (RFC 9112 §3.2.2): the target's authority replaces Host.
            if let schemeEnd = Self.afterScheme(path) {
                // The authority ends at the path or the query (RFC 3986 §3.2); an empty
                // path is "/" (RFC 9112 §3.2.1).
                let rest = path[schemeEnd...]
                let end = rest.firstIndex(where: { $0 == "/" || $0 == "?" }) ?? rest.endIndex
                authority = String(rest[..<end])
                path = end == rest.endIndex ? "/" : rest[end] == "?" ? "/" + rest[end...] : String(rest[end...])
            } else if path == "*" && method == .options {
                // asterisk-form is fine for OPTIONS.
            } else {
                return .failure(.badRequest("invalid request target"))
            }
        }
        if let a = authority, !Self.isValidAuthority(a) {
            return .failure(.badRequest("invalid Host field"))
        }
        var request = HTTPRequest(method: method, scheme: "http", authority: authority, path: path)
        var fields = HTTPFields()
        fields.reserveCapacity(head.headers.count)
        for (name, value) in head.headers {
            guard let fieldName = HTTPField.Name(name) else { return .failure(.badRequest("invalid field name")) }
            if fieldName == FieldNames.host { continue }
            fields.append(HTTPField(name: fieldName, value: value))
        }
        request.headerFields = fields
        return .success(request)
    }
}
