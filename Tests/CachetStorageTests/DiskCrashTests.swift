import CachetTestSupport
import CachetStorage
import Foundation
import HTTPCachePolicy
import Logging
import NIOCore
import NIOPosix
import Testing

@Suite("DiskStore: SIGKILL in the middle of heavy writes")
struct DiskCrashTests {
    /// The torture executable, built beside the test bundle.
    static func tortureExecutable() throws -> URL {
        let start = URL(fileURLWithPath: (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0])
        var folder = start.deletingLastPathComponent()
        for _ in 0..<4 {
            let candidate = folder.appendingPathComponent("cachet-disk-torture")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
            folder = folder.deletingLastPathComponent()
        }
        throw CocoaError(.fileNoSuchFile, userInfo: [NSFilePathErrorKey: "cachet-disk-torture near \(start.path); build it with `swift build`"])
    }

    @Test("a store reopened after its writer was killed returns only whole entries, every acknowledged write, and no temporary files", arguments: [0, 1, 2])
    func killedWriter(_ run: Int) async throws {
        let executable = try Self.tortureExecutable()
        try await withTemporaryFolder { folder in
            let keys = 48
            let process = try ChildProcess(executable.path, arguments: [folder, "\(keys)", "4"], standardOutput: .pipe)
            let output = process.standardOutput!
            // Read the writer's acknowledgements on a pool thread until enough writes are
            // durable (more for each run, so the kill lands at different moments), then kill
            // it while its four writers are busy.
            let wanted = 150 + run * 120
            // A pool of its own: the reader blocks its thread, which the store's I/O must not wait for.
            let readerThread = NIOThreadPool(numberOfThreads: 1)
            readerThread.start()
            let acknowledged = try await readerThread.runIfActive { () -> [Int: Int] in
                var latest: [Int: Int] = [:]
                var count = 0
                var pending = Data()
                let reader = output
                while count < wanted {
                    let chunk = reader.availableData
                    if chunk.isEmpty { break }  // the writer died on its own
                    pending.append(chunk)
                    while let newline = pending.firstIndex(of: 0x0A) {
                        let line = String(decoding: pending[pending.startIndex..<newline], as: UTF8.self)
                        pending.removeSubrange(pending.startIndex...newline)
                        let parts = line.split(separator: " ").compactMap { Int($0) }
                        if parts.count == 2 {
                            latest[parts[0]] = max(latest[parts[0]] ?? -1, parts[1])
                            count += 1
                        }
                    }
                }
                kill(process.processIdentifier, SIGKILL)
                return latest
            }
            try await readerThread.shutdownGracefully()
            process.waitUntilExit()
            #expect(process.terminationReason == .uncaughtSignal)
            #expect(process.terminationStatus == SIGKILL)
            #expect(acknowledged.count > keys / 2)

            let store = try await DiskStore(path: folder, limit: 1 << 40, minimumFreeBytes: 0, logger: quietLogger)
            #expect(!files(in: folder).contains { $0.hasSuffix(".tmp") })
            var corrupt = 0
            for key in 0..<keys {
                let found = await store.variants(for: CacheKey(method: .get, normalizedURI: "http://torture.test/k\(key)"))
                guard let response = found.first else {
                    if let round = acknowledged[key] { Issue.record("key \(key): acknowledged round \(round) is missing") }
                    continue
                }
                let tag = try #require(response.policy.etag?.opaqueTag)
                let parts = tag.split(separator: "-").compactMap { Int($0) }
                guard parts.count == 2, parts[0] == key, response.body == TortureEntry.body(key: key, round: parts[1]) else {
                    corrupt += 1
                    continue
                }
                // A write is acknowledged only once durable: the store has it or a later one.
                #expect(parts[1] >= acknowledged[key] ?? 0, "key \(key)")
            }
            #expect(corrupt == 0)
            #expect(store.statistics.entries >= acknowledged.count)
            #expect(store.statistics.corruptEntries == 0)
        }
    }
}
