import CachetStorage
import Foundation
import HTTPCachePolicy
import HTTPPreconditions
import HTTPTypes
import NIOCore

/// The entries `cachet-disk-torture` writes and the crash tests read back: each body is
/// derived from its key and round, so a reader can check every byte without the checksum.
public enum TortureEntry {
    public static let now = HTTPDate(secondsSince1970: 1_795_000_000)

    public static func response(key: Int, round: Int) -> StoredResponse {
        let request = HTTPRequest(method: .get, scheme: "http", authority: "torture.test", path: "/k\(key)")
        var response = HTTPResponse(status: .ok)
        response.headerFields = [.date: now.imfFixdate, .cacheControl: "max-age=600", .eTag: "\"\(key)-\(round)\""]
        let policy = CachePolicy(request: request, response: response, requestTime: now, responseTime: now)
        return StoredResponse(key: CacheKey(request: request)!, policy: policy, body: body(key: key, round: round))
    }

    /// Writes `count` entries of 512 bytes straight into `folder` (not synced).
    public static func populate(_ count: Int, in folder: String) throws {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let template = response(key: 0, round: 0)
        var body = ByteBuffer()
        body.writeRepeatingByte(0x61, count: 512)
        for index in 0..<count {
            let key = CacheKey(method: .get, normalizedURI: "http://torture.test/item/\(index)")
            let entry = StoredResponse(key: key, policy: template.policy, body: body)
            let bytes = try DiskEntryFormat.encode(entry)
            let name = DiskEntryFormat.fileName(key: key, varyKey: template.policy.varyKey)
            try Data(bytes.readableBytesView).write(to: URL(fileURLWithPath: folder + "/" + name))
        }
    }

    /// Between 0 and 256 KiB of bytes that depend on the key and the round.
    public static func body(key: Int, round: Int) -> ByteBuffer {
        let seed = UInt64(key) &* 0x9E37_79B9 &+ UInt64(round) &* 0x85EB_CA6B
        let count = Int(seed % (256 << 10))
        var buffer = ByteBuffer()
        buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: count) { bytes in
            for index in 0..<count { bytes[index] = UInt8(truncatingIfNeeded: seed &+ UInt64(index) &* 31) }
            return count
        }
        return buffer
    }
}
