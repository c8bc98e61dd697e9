import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

/// An origin that speaks raw bytes: for each request it plays the steps the test scripted
/// for its connection — bytes, pauses, a reset, a close or silence — so that the proxy
/// meets every way an origin breaks.
final class FaultyOrigin: Sendable {
    enum Step: Sendable {
        /// Writes these bytes.
        case send(String)
        /// Waits on the origin's event loop (the origin's own timer, not the test's).
        case pause(TimeAmount)
        /// Closes the connection.
        case close
        /// Resets the connection (SO_LINGER 0, so the close sends RST).
        case reset
        /// Sends nothing more and leaves the connection open.
        case silence
    }

    typealias Script = @Sendable (_ requestHead: String, _ count: Int) -> [Step]

    private let script: NIOLockedValueBox<Script>
    private let received = NIOLockedValueBox<[String]>([])
    private let channel = NIOLockedValueBox<(any Channel)?>(nil)

    init(_ script: @escaping Script) {
        self.script = NIOLockedValueBox(script)
    }

    /// Request heads received, in order.
    var requests: [String] { received.withLockedValue { $0 } }

    private let ended = NIOLockedValueBox(0)
    /// Connections that have ended, whichever side closed them.
    var endedConnections: Int { ended.withLockedValue { $0 } }

    func start() async throws -> Int {
        let bootstrap = ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { [self] channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(Connection(origin: self))
                }
            }
        let channel = try await bootstrap.bind(host: "127.0.0.1", port: 0).get()
        self.channel.withLockedValue { $0 = channel }
        return channel.localAddress!.port!
    }

    func stop() async throws {
        try await channel.withLockedValue { $0 }?.close()
    }

    /// Reads request heads (up to the empty line; request bodies are not used here) and
    /// plays the script for each.
    private final class Connection: ChannelInboundHandler {
        typealias InboundIn = ByteBuffer
        let origin: FaultyOrigin
        var buffer = ByteBuffer()

        init(origin: FaultyOrigin) { self.origin = origin }

        func channelInactive(context: ChannelHandlerContext) {
            origin.ended.withLockedValue { $0 += 1 }
            context.fireChannelInactive()
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            var chunk = unwrapInboundIn(data)
            buffer.writeBuffer(&chunk)
            let text = String(buffer: buffer)
            guard let end = text.range(of: "\r\n\r\n") else { return }
            let head = String(text[..<end.lowerBound])
            buffer.moveReaderIndex(forwardBy: text[..<end.upperBound].utf8.count)
            buffer.discardReadBytes()
            let count = origin.received.withLockedValue { received in
                received.append(head)
                return received.count
            }
            let steps = origin.script.withLockedValue { $0 }(head, count)
            play(steps[...], context: context)
        }

        func play(_ steps: ArraySlice<Step>, context: ChannelHandlerContext) {
            guard let step = steps.first else { return }
            let rest = steps.dropFirst()
            switch step {
            case .send(let bytes):
                context.writeAndFlush(NIOAny(ByteBuffer(string: bytes)), promise: nil)
                play(rest, context: context)
            case .pause(let amount):
                let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
                context.eventLoop.scheduleTask(in: amount) {
                    let (handler, context) = loopBound.value
                    handler.play(rest, context: context)
                }
            case .close:
                context.close(promise: nil)
            case .reset:
                guard let provider = context.channel as? any SocketOptionProvider else {
                    context.close(promise: nil)
                    return
                }
                let channel = context.channel
                provider.setSoLinger(linger(l_onoff: 1, l_linger: 0)).whenComplete { _ in channel.close(promise: nil) }
            case .silence:
                break
            }
        }
    }
}
