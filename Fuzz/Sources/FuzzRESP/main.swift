// The RESP2 decoder (`RESPParser`, as `RESPDecoder` runs it on every Redis connection).
// The first input byte says where to cut the rest in two, as bytes arriving in two reads;
// the rest is a stream of replies, as a server pipelines them. Seeds are written by hand:
// a digit, then RESP.
//
// Properties:
// - decoding never crashes, whatever the bytes: every failure is a `RESPDecodingError`;
// - the stream decodes to the same values and the same outcome whether it arrives whole or
//   cut in two (nil with nothing consumed until a value is complete), read afresh after the
//   cut (`parse`) or going on from what was read before it (`next`, as on a connection);
// - every decoded value encodes to bytes that decode to the same value, consuming them all,
//   and encoding is a fixpoint (the re-decoded value encodes to the same bytes);
// - a parser with tight limits never accepts a value that the default parser reads otherwise.
import FuzzSupport
import CachetRedis
import NIOCore

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard size > 0 else { return 0 }
    let bytes = Array(UnsafeBufferPointer(start: data + 1, count: size - 1))
    let cut = bytes.isEmpty ? 0 : Int(data[0]) % (bytes.count + 1)

    let whole = decodeAll(bytes, parser: RESPParser())
    for incremental in [false, true] {
        let split = decodeAll(bytes, parser: RESPParser(), cut: cut, incremental: incremental)
        check(whole.values == split.values, "cut at \(cut) decodes other values (incremental: \(incremental))")
        check(whole.error == split.error, "cut at \(cut) fails otherwise (incremental: \(incremental)): \(String(describing: whole.error)) vs \(String(describing: split.error))")
    }

    for value in whole.values {
        var encoded = value.encoded
        let first = encoded
        let again: RESPValue?
        do {
            again = try RESPParser().parse(&encoded)
        } catch {
            check(false, "an encoded value does not decode: \(error)")
            return 0
        }
        check(again == value, "\(value) re-decodes as \(String(describing: again))")
        check(encoded.readableBytes == 0, "re-decoding left \(encoded.readableBytes) bytes")
        check(again?.encoded == first, "encoding is not a fixpoint for \(value)")
    }

    let tight = RESPDecoderLimits(maximumBulkLength: 16, maximumArrayCount: 4, maximumDepth: 3, maximumLineLength: 24)
    let limited = decodeAll(bytes, parser: RESPParser(limits: tight))
    check(limited.values.count <= whole.values.count, "tight limits decoded more values")
    check(Array(whole.values.prefix(limited.values.count)) == limited.values, "tight limits decoded other values")
    return 0
}

/// Every value in the stream, then how it ended: nil error when the bytes ran out (the
/// remainder, if any, is an incomplete value). `incremental` reads with `next`, which keeps
/// its progress across the cut, as the channel decoder does; else with `parse`, which starts
/// afresh each time.
func decodeAll(_ bytes: [UInt8], parser: RESPParser, cut: Int? = nil, incremental: Bool = false) -> (values: [RESPValue], error: RESPDecodingError?) {
    var parser = parser
    var values: [RESPValue] = []
    var buffer = ByteBuffer(bytes: bytes[..<(cut ?? bytes.count)])
    var pending = cut.map { Array(bytes[$0...]) } ?? []
    while true {
        let before = buffer.readerIndex
        let value: RESPValue?
        do {
            value = incremental ? try parser.next(&buffer) : try parser.parse(&buffer)
        } catch {
            return (values, error)
        }
        if let value {
            values.append(value)
            check(buffer.readerIndex > before, "a value was decoded from no bytes")
            continue
        }
        check(buffer.readerIndex == before, "an incomplete value consumed bytes")
        guard !pending.isEmpty else { return (values, nil) }
        buffer.writeBytes(pending)
        pending = []
    }
}

cachet_fuzz_main(CommandLine.argc, CommandLine.unsafeArgv, fuzz)
