// Writes entries into a disk store as fast as it can, forever, so that a test can kill it
// with SIGKILL in the middle of writes and check what a restarted store finds.
//
//     cachet-disk-torture FOLDER [KEYS] [WRITERS]
//
// Two more modes measure start-up:
//
//     cachet-disk-torture --populate COUNT FOLDER   writes COUNT small entry files (no fsync)
//     cachet-disk-torture --open FOLDER             opens a store there and prints how long it took
//
// Writer w owns the keys k with k % WRITERS == w and rewrites them round after round, so
// each key's rounds only grow. After each completed insert it prints "k round" on its own
// line: that entry is durable. The entry for (k, round) has the ETag "k-round" and the body
// `TortureEntry.body(key:round:)`, so a reader can check every byte without the checksum.
import CachetStorage
import Foundation
import HTTPCachePolicy
import HTTPPreconditions
import HTTPTypes
import NIOCore

let arguments = CommandLine.arguments
if arguments.count == 4, arguments[1] == "--populate", let count = Int(arguments[2]) {
    try TortureEntry.populate(count, in: arguments[3])
    exit(0)
}
if arguments.count == 3, arguments[1] == "--open" {
    let started = ContinuousClock.now
    let store = try await DiskStore(path: arguments[2], limit: 1 << 40, minimumFreeBytes: 0)
    let statistics = store.statistics
    print("opened \(statistics.entries) entries, \(statistics.bytes) bytes, in \(ContinuousClock.now - started)")
    exit(0)
}
guard arguments.count >= 2 else {
    FileHandle.standardError.write(Data("usage: cachet-disk-torture FOLDER [KEYS] [WRITERS]\n".utf8))
    exit(2)
}
let folder = arguments[1]
let keys = arguments.count > 2 ? Int(arguments[2]) ?? 64 : 64
let writers = arguments.count > 3 ? Int(arguments[3]) ?? 4 : 4

let store = try await DiskStore(path: folder, limit: 1 << 40, minimumFreeBytes: 64 << 20)
/// One unbuffered write per line: a line shorter than PIPE_BUF reaches the pipe whole, so
/// concurrent writers never interleave within a line.
func say(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}

say("ready")

await withTaskGroup(of: Void.self) { group in
    for writer in 0..<writers {
        group.addTask {
            var round = 0
            while true {
                for key in stride(from: writer, to: keys, by: writers) {
                    let stored = await store.insert(TortureEntry.response(key: key, round: round))
                    if stored {
                        say("\(key) \(round)")
                    }
                }
                round += 1
            }
        }
    }
}

enum TortureEntry {
    static let now = HTTPDate(secondsSince1970: 1_795_000_000)

    static func response(key: Int, round: Int) -> StoredResponse {
        let request = HTTPRequest(method: .get, scheme: "http", authority: "torture.test", path: "/k\(key)")
        var response = HTTPResponse(status: .ok)
        response.headerFields = [.date: now.imfFixdate, .cacheControl: "max-age=600", .eTag: "\"\(key)-\(round)\""]
        let policy = CachePolicy(request: request, response: response, requestTime: now, responseTime: now)
        return StoredResponse(key: CacheKey(request: request)!, policy: policy, body: body(key: key, round: round))
    }

    /// Writes `count` entries of 512 bytes straight into `folder` (not synced).
    static func populate(_ count: Int, in folder: String) throws {
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
    static func body(key: Int, round: Int) -> ByteBuffer {
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
