import Foundation
import HTTPPreconditions
import HTTPTypes
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOPosix

/// An origin on 127.0.0.1 that serves one resource correctly (validators, 304, 412, ranges,
/// gzip with Vary) unless told to get parts of it wrong. Responses are written as raw bytes
/// (only the request side goes through NIO's HTTP parser), so a defect can break HTTP
/// framing itself, as a 304 with a body does. Every response closes the connection.
final class BrokenOrigin: Sendable {
    enum Defect: String, CaseIterable, Sendable {
        case ignoresValidators, notModifiedWithBody, weakETagOnRanges, notModifiedWithoutVary
        case gzipWithoutVary, ignoresIfMatch, readsFirstTagOnly, strongComparisonForINM
        case modifiedSinceDespiteINM, sameETagForGzip, lastModifiedInFuture, setsCookie
        case notModifiedWithContentType, ifRangeIgnored, headWithoutETag, unsatisfiableWithoutContentRange
        case notModifiedContentLength, ignoresIfUnmodifiedSince
    }

    static let body = Array("Cachet check test body: 0123456789abcdefghijklmnopqrstuvwxyz\n".utf8)
    static let gzipBody = Array("pretend-gzip-bytes".utf8)
    static let lastModified = HTTPDate("Wed, 01 May 2024 12:00:00 GMT")!

    let defects: Set<Defect>
    private let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
    private let channel = NIOLockedValueBox<(any Channel)?>(nil)
    private let methods = NIOLockedValueBox<[String]>([])

    init(_ defects: Set<Defect> = []) {
        self.defects = defects
    }

    /// Starts on an ephemeral port and returns the URL of the resource.
    func start() async throws -> String {
        let origin = self
        let channel = try await ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(HTTPRequestDecoder()))
                    try channel.pipeline.syncOperations.addHandler(RawResponder(origin: origin))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        self.channel.withLockedValue { $0 = channel }
        return "http://127.0.0.1:\(channel.localAddress!.port!)/resource"
    }

    func shutdown() async throws {
        let channel = self.channel.withLockedValue { $0 }
        try? await channel?.close()
        try await group.shutdownGracefully()
    }

    /// The methods received, in order.
    var receivedMethods: [String] { methods.withLockedValue { $0 } }

    /// The raw response to a request.
    func respond(to head: HTTPRequestHead) -> [UInt8] {
        methods.withLockedValue { $0.append(head.method.rawValue) }
        let fields = head.headers
        let gzip = (fields.first(name: "accept-encoding") ?? "").contains("gzip")
        let body = gzip ? Self.gzipBody : Self.body
        let weak = defects.contains(.weakETagOnRanges)
        let opaque = gzip && !defects.contains(.sameETagForGzip) ? "v1-gz" : "v1"
        let etag = EntityTag(opaqueTag: opaque, isWeak: weak)!
        let now = HTTPDate(secondsSince1970: Int64(Date().timeIntervalSince1970))
        let lastModified = defects.contains(.lastModifiedInFuture) ? now.adding(seconds: 86_400) : Self.lastModified

        var common: [(String, String)] = [("Date", now.imfFixdate), ("Cache-Control", "max-age=60"), ("ETag", etag.description)]
        if !(gzip && defects.contains(.gzipWithoutVary)) { common.append(("Vary", "Accept-Encoding")) }
        let representation: [(String, String)] =
            [("Last-Modified", lastModified.imfFixdate), ("Content-Type", "text/plain; charset=utf-8")]
            + (gzip ? [("Content-Encoding", "gzip")] : [])
            + (defects.contains(.setsCookie) ? [("Set-Cookie", "session=secret")] : [])
            + [("Accept-Ranges", "bytes")]

        let isHead = head.method == .HEAD
        let method = HTTPRequest.Method(head.method.rawValue) ?? .get
        let ifMatch = EntityTagList(fieldValues: fields["if-match"])
        let ifNoneMatch = EntityTagList(fieldValues: fields["if-none-match"])

        // RFC 9110 §13.2.2, step by step, with the defects' detours.
        if let ifMatch, !fields["if-match"].isEmpty, !defects.contains(.ignoresIfMatch) {
            if !ifMatch.matches(etag, using: .strong) { return Self.raw(412, common, []) }
        } else if let value = fields.first(name: "if-unmodified-since"), let date = HTTPDate(value),
            !defects.contains(.ignoresIfUnmodifiedSince), lastModified > date
        {
            return Self.raw(412, common, [])
        }
        if !defects.contains(.ignoresValidators), method == .get || method == .head {
            var notModified = false
            if let ifNoneMatch, !fields["if-none-match"].isEmpty {
                switch (ifNoneMatch, defects.contains(.readsFirstTagOnly)) {
                case (.tags(let tags), true): notModified = tags.first?.matches(etag, using: .weak) ?? false
                default: notModified = ifNoneMatch.matches(etag, using: defects.contains(.strongComparisonForINM) ? .strong : .weak)
                }
            }
            if fields["if-none-match"].isEmpty || defects.contains(.modifiedSinceDespiteINM),
                let value = fields.first(name: "if-modified-since"), let date = HTTPDate(value), lastModified <= date
            {
                notModified = true
            }
            if notModified { return notModifiedResponse(common) }
        }
        if method == .get, let ranges = ByteRangeSet(fields.first(name: "range") ?? "") {
            var applies = true
            if let ifRange = fields.first(name: "if-range"), !defects.contains(.ifRangeIgnored) {
                if let tag = EntityTag(ifRange) {
                    applies = tag.matches(etag, using: weak ? .weak : .strong)
                } else {
                    applies = HTTPDate(ifRange) == lastModified
                }
            }
            if applies {
                switch ranges.resolve(completeLength: Int64(body.count)) {
                case .partial(let parts) where parts.count == 1:
                    let part = parts[0]
                    let bytes = Array(body[Int(part.lowerBound)...Int(part.upperBound)])
                    return Self.raw(206, common + representation + [("Content-Range", "bytes \(part.lowerBound)-\(part.upperBound)/\(body.count)")], bytes)
                case .unsatisfiable:
                    let range = defects.contains(.unsatisfiableWithoutContentRange) ? [] : [("Content-Range", "bytes */\(body.count)")]
                    return Self.raw(416, common + range, [])
                default:
                    break
                }
            }
        }
        var all = common + representation
        if isHead && defects.contains(.headWithoutETag) { all.removeAll { $0.0 == "ETag" } }
        return Self.raw(200, all, body, headOnly: isHead)
    }

    private func notModifiedResponse(_ common: [(String, String)]) -> [UInt8] {
        var fields = common
        if defects.contains(.notModifiedWithoutVary) { fields.removeAll { $0.0 == "Vary" } }
        if defects.contains(.notModifiedWithContentType) { fields.append(("Content-Type", "text/plain; charset=utf-8")) }
        if defects.contains(.notModifiedContentLength) { fields.append(("Content-Length", "0")) }
        let body = defects.contains(.notModifiedWithBody) ? Array("a body a 304 must not have".utf8) : []
        if !body.isEmpty { fields.append(("Content-Length", String(body.count))) }
        return Self.raw(304, fields, body, framed: false)
    }

    /// `framed: false` leaves Content-Length to the fields, as a 304 has none of its own.
    static func raw(_ status: Int, _ fields: [(String, String)], _ body: [UInt8], headOnly: Bool = false, framed: Bool = true) -> [UInt8] {
        let reason = [200: "OK", 206: "Partial Content", 304: "Not Modified", 412: "Precondition Failed", 416: "Range Not Satisfiable"][status] ?? "Status"
        var text = "HTTP/1.1 \(status) \(reason)\r\n"
        for (name, value) in fields { text += "\(name): \(value)\r\n" }
        if framed { text += "Content-Length: \(body.count)\r\n" }
        text += "Connection: close\r\n\r\n"
        return Array(text.utf8) + (headOnly ? [] : body)
    }
}

/// Reads one request, writes the origin's raw answer, closes.
private final class RawResponder: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = ByteBuffer

    let origin: BrokenOrigin
    var head: HTTPRequestHead?

    init(origin: BrokenOrigin) { self.origin = origin }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head): self.head = head
        case .body: break
        case .end:
            guard let head else { return }
            self.head = nil
            let bytes = origin.respond(to: head)
            let channel = context.channel
            context.writeAndFlush(wrapOutboundOut(ByteBuffer(bytes: bytes))).whenComplete { _ in
                channel.close(promise: nil)
            }
        }
    }
}
