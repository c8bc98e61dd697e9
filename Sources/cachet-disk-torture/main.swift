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
import CachetTestSupport
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
