// The HTTP/1 request head as the proxy receives it: the input is raw bytes from a client,
// fed through the proxy's own parser (NIO's HTTPRequestDecoder, configured as the server
// configures it), then each head through the connection handler's conversion and the
// request flow's cache key.
//
// Properties:
// - nothing crashes, whatever the bytes;
// - a request the proxy accepts has a path that starts with "/" (or is "*" for OPTIONS);
// - it has exactly one authority: none of the Host fields survive into the request's fields,
//   and the authority is present whenever the request named one (HTTP/1.1, a Host field or
//   an absolute-form target); the authority is a host and port only, without userinfo,
//   path, query, fragment or whitespace;
// - its cache key, when it has one, is an absolute `http://` URI for the request's method
//   (HEAD is keyed as GET).
@_spi(Fuzzing) import CachetProxy
import FuzzSupport
import HTTPCachePolicy
import HTTPTypes
import NIOCore
import NIOEmbedded
import NIOHTTP1

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let channel = EmbeddedChannel()
    defer { _ = try? channel.finish() }
    do {
        try channel.pipeline.syncOperations.addHandler(RequestHeadProbe.makeDecoder())
        try channel.writeInbound(ByteBuffer(bytes: UnsafeBufferPointer(start: data, count: size)))
    } catch {
        // The parser rejected the bytes (the proxy answers 400 or 431); the heads it
        // produced before that are still checked.
    }
    while let part = try? channel.readInbound(as: HTTPServerRequestPart.self) {
        guard case .head(let head) = part else { continue }
        checkHead(head)
    }
    return 0
}

func checkHead(_ head: HTTPRequestHead) {
    guard case .accepted(let request, let key) = RequestHeadProbe.receive(head) else { return }
    let path = request.path ?? ""
    check(path.hasPrefix("/") || (path == "*" && request.method == .options), "accepted path \(path.debugDescription) from \(head.uri.debugDescription)")
    check(!request.headerFields.contains(HTTPField.Name("Host")!), "a Host field survived into the request fields")
    let absoluteForm = !head.uri.hasPrefix("/") && head.uri != "*"
    let namesAuthority = head.version.major > 1 || head.version.minor >= 1 || !head.headers["host"].isEmpty || absoluteForm
    check(head.headers["host"].count <= 1, "accepted a request with \(head.headers["host"].count) Host fields")
    if namesAuthority {
        check(request.authority != nil, "accepted \(head.uri.debugDescription) without an authority")
    }
    if let authority = request.authority {
        check(!authority.isEmpty, "empty authority")
        check(
            !authority.unicodeScalars.contains { $0.value <= 0x20 || $0.value == 0x7F || "/?#@".unicodeScalars.contains($0) },
            "authority \(authority.debugDescription) is more than host and port (target \(head.uri.debugDescription))"
        )
    }
    if let key {
        check(key.uri.hasPrefix("http://"), "key \(key.uri.debugDescription) is not an http URI")
        let method = request.method == .head ? "GET" : request.method.rawValue
        check(key.method == method, "key method \(key.method) for \(request.method.rawValue)")
    }
}

cachet_fuzz_main(CommandLine.argc, CommandLine.unsafeArgv, fuzz)
