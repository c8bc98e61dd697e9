import NIOCore

/// How long a client may take, so that a slow or silent one cannot hold a connection (and
/// its memory) for ever: the slowloris defence.
public struct ClientTimeouts: Sendable, Hashable {
    /// From the first byte of a request to the end of its header section. Absolute: a client
    /// trickling one byte at a time does not extend it. It gets 408 (RFC 9110 §15.5.9).
    public var requestHead: TimeAmount
    /// How long a connection may stay without a request in progress: between keep-alive
    /// requests, before the first one, and between the parts of a request body; and how long
    /// a client may leave a response unread without taking any of it (the slow-read attack).
    /// The connection is then closed (RFC 9112 §9.6).
    public var idle: TimeAmount

    public init(requestHead: TimeAmount = .seconds(10), idle: TimeAmount = .seconds(60)) {
        self.requestHead = requestHead
        self.idle = idle
    }
}

/// Sits before the HTTP/1 parser and tells the connection handler when bytes arrive, which
/// the parser does not say until a whole request head is in.
final class ByteArrivalObserver: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    private let connection: ClientConnectionHandler

    init(connection: ClientConnectionHandler) {
        self.connection = connection
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        connection.bytesArrived(context: context)
        context.fireChannelRead(data)
    }
}
