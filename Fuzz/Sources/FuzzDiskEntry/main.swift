// The disk store's entry decoder (`DiskEntryFormat.decode`, `decodeMetadata`).
// The first input byte chooses how the rest is read: an even byte feeds it to the decoder as
// it is; an odd byte "reseals" it first, as a fuzzer that knows the format would: the policy
// length is set to fill the bytes between the key and the declared body, and both CRC-32C
// checksums are recomputed, so that mutated keys and policy JSON reach the decoders behind
// the checksums.
//
// Properties:
// - decoding never crashes, whatever the bytes: every failure is a `DiskEntryError`;
// - when an entry decodes, it encodes again, and the re-encoded entry decodes to the same
//   key and body and encodes to the same bytes (encoding is a fixpoint after one decode);
// - the metadata decoder reads the same key, and the identity written is the policy's.
//
// `CACHET_FUZZ_WRITE_SEEDS=DIR FuzzDiskEntry` writes the seed entries to DIR and exits.
import Foundation
import FuzzSupport
import CachetStorage
import HTTPCachePolicy
import HTTPPreconditions
import HTTPTypes
import NIOCore

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard size > 0 else { return 0 }
    var bytes = Array(UnsafeBufferPointer(start: data + 1, count: size - 1))
    if data[0] & 1 == 1 { reseal(&bytes) }

    _ = bytes.withUnsafeBytes { try? DiskEntryFormat.decodeMetadata($0) }
    let decoded: StoredResponse
    do {
        decoded = try DiskEntryFormat.decode(ByteBuffer(bytes: bytes))
    } catch {
        return 0
    }
    let encoded: ByteBuffer
    do {
        encoded = try DiskEntryFormat.encode(decoded)
    } catch {
        check(false, "a decoded entry does not encode: \(error)")
        return 0
    }
    let again: StoredResponse
    do {
        again = try DiskEntryFormat.decode(encoded)
    } catch {
        check(false, "a re-encoded entry does not decode: \(error)")
        return 0
    }
    check(again.key == decoded.key, "key \(decoded.key) became \(again.key)")
    check(again.body == decoded.body, "the body changed")
    let reencoded = try? DiskEntryFormat.encode(again)
    check(reencoded == encoded, "encoding is not a fixpoint for \(decoded.key)")
    encoded.withUnsafeReadableBytes { raw in
        let metadata = try? DiskEntryFormat.decodeMetadata(raw)
        check(metadata?.1 == decoded.key, "the metadata decoder reads another key")
        check(metadata?.0.identity == DiskEntryFormat.identity(of: decoded.policy), "the identity written is not the policy's")
    }
    return 0
}

/// Sets the policy length to what lies between key and declared body, and recomputes both
/// checksums; leaves bytes that are too short alone.
func reseal(_ bytes: inout [UInt8]) {
    let headerSize = DiskEntryFormat.headerSize
    guard bytes.count >= headerSize + DiskEntryFormat.trailerSize else { return }
    func read(_ offset: Int, _ count: Int) -> Int {
        (0..<count).reversed().reduce(0) { $0 << 8 | Int(bytes[offset + $1]) }
    }
    func write(_ value: UInt64, _ offset: Int, _ count: Int) {
        for i in 0..<count { bytes[offset + i] = UInt8(truncatingIfNeeded: value >> (8 * UInt64(i))) }
    }
    let keyLength = read(8, 4)
    let bodyLength = bytes[16..<24].reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
    guard headerSize + keyLength <= bytes.count - DiskEntryFormat.trailerSize else { return }
    let available = bytes.count - DiskEntryFormat.trailerSize - headerSize - keyLength
    if bodyLength <= UInt64(available) {
        write(UInt64(available) - bodyLength, 12, 4)
    }
    var header = CRC32C()
    bytes.withUnsafeBytes { raw in
        header.update(UnsafeRawBufferPointer(rebasing: raw[0..<32]))
        header.update(UnsafeRawBufferPointer(rebasing: raw[headerSize..<(headerSize + keyLength)]))
    }
    write(UInt64(header.value), 32, 4)
    let whole = bytes.withUnsafeBytes { CRC32C.checksum(UnsafeRawBufferPointer(rebasing: $0[0..<($0.count - 4)])) }
    write(UInt64(whole), bytes.count - 4, 4)
}

/// Seed entries: a plain response and a rich one (Vary, validators, targeted directives,
/// surrogate keys).
func writeSeeds(to directory: String) throws {
    let now = HTTPDate(secondsSince1970: 1_767_225_600)
    var plainRequest = HTTPRequest(method: .get, scheme: "http", authority: "example.com", path: "/")
    plainRequest.headerFields[.accept] = "*/*"
    let plainResponse = HTTPResponse(status: .ok, headerFields: [.date: now.imfFixdate, .cacheControl: "max-age=60", .contentLength: "5"])
    var richRequest = HTTPRequest(method: .get, scheme: "https", authority: "Example.COM:443", path: "/a/b?q=1")
    richRequest.headerFields[.acceptEncoding] = "gzip, br"
    var richResponse = HTTPResponse(status: .init(code: 299, reasonPhrase: "Odd"))
    richResponse.headerFields = [
        .date: now.adding(seconds: -5).imfFixdate,
        .cacheControl: #"max-age=60, s-maxage=120, stale-while-revalidate=30, private="Set-Cookie""#,
        TargetedCacheControl.cdnCacheControl: "max-age=300",
        .eTag: #"W/"v1""#,
        .lastModified: now.adding(seconds: -3600).imfFixdate,
        .age: "7",
        .vary: "Accept-Encoding",
        // Surrogate keys make it a version 2 entry, with the keys in its key section.
        HTTPField.Name("Surrogate-Key")!: "article-7 front-page",
    ]
    let seeds = [
        ("plain", plainRequest, plainResponse, "hello"),
        ("rich", richRequest, richResponse, "rich body"),
    ]
    for (name, request, response, body) in seeds {
        let policy = CachePolicy(request: request, response: response, requestTime: now, responseTime: now)
        let entry = try DiskEntryFormat.encode(StoredResponse(key: CacheKey(request: request)!, policy: policy, body: ByteBuffer(string: body)))
        // Odd first byte: reseal mode, so that mutations of the policy keep their framing.
        try Data([1] + Array(buffer: entry)).write(to: URL(fileURLWithPath: directory).appendingPathComponent(name))
    }
}

if let directory = ProcessInfo.processInfo.environment["CACHET_FUZZ_WRITE_SEEDS"] {
    try writeSeeds(to: directory)
    exit(0)
}
cachet_fuzz_main(CommandLine.argc, CommandLine.unsafeArgv, fuzz)
