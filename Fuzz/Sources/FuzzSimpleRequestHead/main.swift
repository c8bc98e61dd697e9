// The raw request reader `cachet serve` answers from before NIO's HTTP/1 decoder
// (`SimpleRequestHead`, behind `FileFastPath`), held against that decoder: two parsers that
// disagree on where a request ends or what it says are how requests get smuggled.
//
// Properties:
// - nothing crashes, whatever the bytes;
// - a request the reader accepts ends with its head (CRLF CRLF) within the bound, is GET or
//   HEAD, HTTP/1.1, origin-form, and NIO's decoder, given the same bytes, reads exactly one
//   request from them, with no content, and the same method, target, Host and fields (names
//   case-insensitively, values without surrounding spaces and tabs);
// - its fields carry no Host, Content-Length, Transfer-Encoding, Expect or Upgrade, and its
//   Connection options are only keep-alive;
// - the answer key (what the socket loop remembers answers by) accepts exactly the complete
//   heads the reader accepts, and holds the method, the target and every line of the fields
//   the files' answer reads, in order, as the reader read them.
@_spi(Fuzzing) import CachetHummingbird
import FuzzSupport
import HTTPTypes
import NIOCore
import NIOEmbedded
import NIOHTTP1

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = UnsafeRawBufferPointer(start: data, count: size)
    guard let (request, length) = SimpleRequestHeadProbe.read(bytes) else {
        // A complete head the reader declines is declined by the key too.
        if let end = headEnd(bytes) {
            check(!SimpleRequestHeadProbe.answerKey(UnsafeRawBufferPointer(rebasing: bytes[..<end])).accepted, "the key accepted a declined head")
        }
        return 0
    }
    check(length >= 4 && length <= size && length <= SimpleRequestHeadProbe.maximumLength, "head length \(length) of \(size)")
    let head = Array(bytes[0..<length])
    check(head.suffix(4) == Array("\r\n\r\n".utf8), "a head that does not end in CRLF CRLF")
    check(request.method == .get || request.method == .head, "method \(request.method)")
    check(request.path?.hasPrefix("/") == true, "target \(String(describing: request.path))")
    for name in ["Host", "Content-Length", "Transfer-Encoding", "Expect", "Upgrade"] {
        check(!request.headerFields.contains(HTTPField.Name(name)!), "\(name) among the fields")
    }
    for value in request.headerFields[values: .connection] {
        for option in value.split(separator: ",") {
            check(trimmed(option).lowercased() == "keep-alive" || trimmed(option).isEmpty, "Connection option \(option)")
        }
    }

    let key = SimpleRequestHeadProbe.answerKey(UnsafeRawBufferPointer(rebasing: bytes[..<length]))
    check(key.accepted, "the key declined an accepted head")
    if let parts = key.parts {
        let kept = request.headerFields.filter { SimpleRequestHeadProbe.answerKeyFields.contains($0.name) }
        check(parts.method == request.method && parts.target == request.path && parts.fields == Array(kept), "key \(parts) vs \(request)")
    } else {
        check(length > 2048 - 64, "no key for a head of \(length) bytes")
    }

    let channel = EmbeddedChannel()
    defer { _ = try? channel.finish() }
    var parts: [HTTPServerRequestPart] = []
    do {
        try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(HTTPRequestDecoder(leftOverBytesStrategy: .forwardBytes)))
        try channel.writeInbound(ByteBuffer(bytes: head))
    } catch {
        check(false, "NIO's decoder refused what the raw reader accepted: \(error)")
    }
    while let part = try? channel.readInbound(as: HTTPServerRequestPart.self) { parts.append(part) }
    guard parts.count == 2, case .head(let decoded) = parts[0], case .end = parts[1] else {
        check(false, "NIO's decoder read \(parts.count) parts, not one request without content")
        return 0
    }
    check(decoded.method.rawValue == request.method.rawValue, "method \(decoded.method) vs \(request.method)")
    check(decoded.uri == request.path, "target \(decoded.uri.debugDescription) vs \(String(describing: request.path))")
    check(decoded.version == .http1_1, "version \(decoded.version)")
    check(decoded.headers["host"].map { trimmed($0[...]) } == [request.authority ?? ""], "Host \(decoded.headers["host"]) vs \(String(describing: request.authority))")
    let theirs = decoded.headers.filter { $0.name.lowercased() != "host" }.map { ($0.name.lowercased(), trimmed($0.value[...])) }
    let ours = request.headerFields.map { ($0.name.canonicalName, trimmed($0.value[...])) }
    check(theirs.count == ours.count && zip(theirs, ours).allSatisfy { $0 == $1 }, "fields \(theirs) vs \(ours)")
    return 0
}

/// The length of the head at the start of `bytes` (through CRLF CRLF), if it is complete.
func headEnd(_ bytes: UnsafeRawBufferPointer) -> Int? {
    guard bytes.count >= 4 else { return nil }
    for index in 0...(bytes.count - 4) where bytes[index] == 13 && bytes[index + 1] == 10 && bytes[index + 2] == 13 && bytes[index + 3] == 10 {
        return index + 4
    }
    return nil
}

func trimmed(_ text: Substring) -> String {
    String(text.drop { $0 == " " || $0 == "\t" }.reversed().drop { $0 == " " || $0 == "\t" }.reversed())
}

cachet_fuzz_main(CommandLine.argc, CommandLine.unsafeArgv, fuzz)
