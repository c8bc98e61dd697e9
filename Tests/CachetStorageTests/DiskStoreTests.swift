import CachetTestSupport
import CachetStorage
import Foundation
import HTTPCachePolicy
import HTTPPreconditions
import HTTPTypes
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import Testing

@Suite("DiskStore: persistent, checksummed, LRU bounded by bytes")
struct DiskStoreTests {
    static let limit = 64 << 20

    static func open(_ folder: String, limit: Int = limit, logger: Logger? = nil) async throws -> DiskStore {
        try await DiskStore(path: folder, limit: limit, minimumFreeBytes: 0, logger: logger ?? quietLogger)
    }

    static func fileName(_ response: StoredResponse) -> String {
        DiskEntryFormat.fileName(key: response.key, varyKey: response.policy.varyKey)
    }

    @Test("a stored response comes back with its key, policy and body, byte for byte")
    func roundTrip() async throws {
        try await withTemporaryFolder { folder in
            let store = try await Self.open(folder)
            let original = DiskEntryFormatTests.richResponse()
            #expect(await store.insert(original))
            let found = await store.variants(for: original.key)
            #expect(found.count == 1)
            let stored = try #require(found.first)
            #expect(stored.key == original.key)
            #expect(stored.body == original.body)
            #expect(try DiskFixtures.json(stored.policy) == DiskFixtures.json(original.policy))
            #expect(stored.policy.varyKey == original.policy.varyKey)
            #expect(entryFiles(in: folder) == [Self.fileName(original)])
            #expect(files(in: folder).allSatisfy { !$0.hasSuffix(".tmp") })
            let statistics = store.statistics
            #expect(statistics.entries == 1 && statistics.keys == 1)
            #expect(statistics.bytes == (try FileManager.default.attributesOfItem(atPath: folder + "/" + Self.fileName(original))[.size] as? Int))
        }
    }

    @Test("a new store on the same folder finds every entry, variants included, and their freshness")
    func restart() async throws {
        try await withTemporaryFolder { folder in
            var inserted: [StoredResponse] = []
            do {
                let store = try await Self.open(folder)
                for i in 0..<100 {
                    let response = DiskFixtures.entry("/r\(i)", body: i * 37, etag: "r\(i)")
                    #expect(await store.insert(response))
                    inserted.append(response)
                }
                for language in ["fr", "de", "en"] {
                    let response = DiskFixtures.entry("/lang", body: 64, vary: ("Accept-Language", language), etag: language)
                    #expect(await store.insert(response))
                    inserted.append(response)
                }
            }
            let reopened = try await Self.open(folder)
            #expect(reopened.statistics.entries == 103)
            #expect(reopened.statistics.keys == 101)
            #expect(reopened.statistics.corruptEntries == 0)
            for response in inserted {
                let found = await reopened.variants(for: response.key)
                let match = try #require(found.first { $0.policy.varyKey == response.policy.varyKey })
                #expect(match.body == response.body)
                #expect(match.isSameResponse(as: response))
                #expect(match.policy.isFresh(now: DiskFixtures.now.adding(seconds: 59)))
                #expect(!match.policy.isFresh(now: DiskFixtures.now.adding(seconds: 60)))
            }
            #expect(await reopened.variants(for: inserted[100].key).count == 3)
        }
    }

    @Test("storing the same key and Vary key again replaces the entry")
    func replaceOnInsert() async throws {
        try await withTemporaryFolder { folder in
            let store = try await Self.open(folder)
            let old = DiskFixtures.entry("/x", body: 1000, etag: "old")
            let new = DiskFixtures.entry("/x", body: 10, etag: "new")
            await store.insert(old)
            await store.insert(new)
            let found = await store.variants(for: old.key)
            #expect(found.map { $0.policy.etag?.opaqueTag } == ["new"])
            #expect(store.statistics.entries == 1)
            #expect(entryFiles(in: folder).count == 1)
            // `replace` only when the old response is still the one stored.
            let newer = DiskFixtures.entry("/x", body: 10, etag: "newer")
            #expect(!(await store.replace(old, with: newer)))
            #expect(await store.replace(new, with: newer))
            #expect(await store.variants(for: old.key).map { $0.policy.etag?.opaqueTag } == ["newer"])
        }
    }

    // MARK: - Damage

    /// Ways an entry file can be damaged, and whether start-up (which reads only headers)
    /// notices.
    enum Damage: String, CaseIterable, CustomTestStringConvertible {
        case truncated
        case flippedHeaderByte
        case flippedKeyByte
        case flippedPolicyByte
        case flippedBodyByte
        case flippedChecksumByte
        case wrongMagic
        case absurdLength
        case zeroLength
        case appendedBytes

        var testDescription: String { rawValue }

        var foundAtStartup: Bool {
            switch self {
            case .flippedPolicyByte, .flippedBodyByte, .flippedChecksumByte: false
            default: true
            }
        }

        func apply(to bytes: inout [UInt8], keyLength: Int, bodyLength: Int) {
            switch self {
            case .truncated: bytes.removeLast(bytes.count / 3)
            case .flippedHeaderByte: bytes[13] ^= 0x01
            case .flippedKeyByte: bytes[36 + keyLength / 2] ^= 0x20
            case .flippedPolicyByte: bytes[36 + keyLength + 10] ^= 0x04
            case .flippedBodyByte: bytes[bytes.count - 4 - bodyLength / 2] ^= 0x80
            case .flippedChecksumByte: bytes[bytes.count - 1] ^= 0x10
            case .wrongMagic: bytes[0] = UInt8(ascii: "Z")
            case .absurdLength: for i in 16..<24 { bytes[i] = 0xFF }
            case .zeroLength: bytes = []
            case .appendedBytes: bytes += [1, 2, 3]
            }
        }
    }

    @Test("a damaged entry is deleted, counted and never returned", arguments: Damage.allCases)
    func damagedEntry(_ damage: Damage) async throws {
        // Found at start-up, or on the first read after it.
        try await withTemporaryFolder { folder in
            let response = DiskFixtures.entry("/d", body: 4000, etag: "d")
            let neighbour = DiskFixtures.entry("/n", body: 10, etag: "n")
            do {
                let store = try await Self.open(folder)
                await store.insert(response)
                await store.insert(neighbour)
            }
            try Self.damage(folder + "/" + Self.fileName(response), damage, response)
            let records = LogCapture()
            let logger = records.logger(label: "test.disk")
            let store = try await Self.open(folder, logger: logger)
            #expect(store.statistics.entries == (damage.foundAtStartup ? 1 : 2))
            #expect(await store.variants(for: response.key).isEmpty)
            #expect(store.statistics.corruptEntries == 1)
            #expect(store.statistics.entries == 1)
            #expect(entryFiles(in: folder) == [Self.fileName(neighbour)])
            #expect(records.count(.warning, containing: "damaged") == 1)
            #expect(await store.variants(for: neighbour.key).first?.body == neighbour.body)
        }
        // Found on read by a store that had indexed the entry while it was whole.
        try await withTemporaryFolder { folder in
            let response = DiskFixtures.entry("/d", body: 4000, etag: "d")
            let store = try await Self.open(folder)
            await store.insert(response)
            try Self.damage(folder + "/" + Self.fileName(response), damage, response)
            #expect(await store.variants(for: response.key).isEmpty)
            #expect(store.statistics.corruptEntries == 1)
            #expect(store.statistics.entries == 0)
            #expect(store.statistics.bytes == 0)
            #expect(entryFiles(in: folder).isEmpty)
        }
    }

    static func damage(_ path: String, _ damage: Damage, _ response: StoredResponse) throws {
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        let keyLength = 2 + response.key.method.utf8.count + response.key.uri.utf8.count
        damage.apply(to: &bytes, keyLength: keyLength, bodyLength: response.body.readableBytes)
        // Rewritten in place, as a torn write or a bad disk would leave it.
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        try handle.truncate(atOffset: 0)
        try handle.write(contentsOf: bytes)
        try handle.close()
    }

    @Test("temporary files left by a crash are deleted at start-up; files that are not ours are left alone")
    func leftovers() async throws {
        try await withTemporaryFolder { folder in
            let response = DiskFixtures.entry("/t", body: 100)
            do {
                let store = try await Self.open(folder)
                await store.insert(response)
            }
            let stem = String(Self.fileName(response).dropLast(".entry".count))
            let whole = try Data(contentsOf: URL(fileURLWithPath: folder + "/" + Self.fileName(response)))
            try whole.prefix(50).write(to: URL(fileURLWithPath: folder + "/\(stem).1234abcd.tmp"))
            try Data().write(to: URL(fileURLWithPath: folder + "/\(stem).99.tmp"))
            try Data("notes".utf8).write(to: URL(fileURLWithPath: folder + "/README"))
            try Data("x".utf8).write(to: URL(fileURLWithPath: folder + "/not-a-hash.entry"))
            let store = try await Self.open(folder)
            #expect(files(in: folder) == [Self.fileName(response), "README", "not-a-hash.entry"].sorted())
            #expect(store.statistics.entries == 1)
            #expect(store.statistics.corruptEntries == 0)
        }
    }

    // MARK: - Eviction and removal

    @Test("the least recently used entries go first when the bytes exceed the limit, and a read counts as a use")
    func leastRecentlyUsed() async throws {
        try await withTemporaryFolder { folder in
            let entries = ["a", "b", "c", "d", "e"].map { DiskFixtures.entry("/\($0)", body: 10_000, etag: $0) }
            let size = try DiskEntryFormat.encode(entries[0]).readableBytes
            #expect(entries.allSatisfy { (try? DiskEntryFormat.encode($0).readableBytes) == size })
            let store = try await Self.open(folder, limit: size * 3)
            for entry in entries[0..<3] { #expect(await store.insert(entry)) }
            #expect(await store.variants(for: entries[0].key).count == 1)  // a is now the most recent
            await store.insert(entries[3])  // evicts b
            #expect(await store.variants(for: entries[1].key).isEmpty)
            #expect(store.statistics.evictions == 1)
            #expect(store.statistics.bytes == size * 3)
            await store.insert(entries[4])  // evicts c
            let kept = Set(entryFiles(in: folder))
            #expect(kept == Set([entries[0], entries[3], entries[4]].map(Self.fileName)))
            #expect(await store.variants(for: entries[2].key).isEmpty)
            #expect(await store.variants(for: entries[0].key).count == 1)

            // A new store with a smaller limit keeps the most recently written files.
            let smaller = try await Self.open(folder, limit: size * 2)
            #expect(smaller.statistics.entries == 2)
            #expect(entryFiles(in: folder).count == 2)
        }
    }

    @Test("a response larger than the limit is not stored")
    func tooLarge() async throws {
        try await withTemporaryFolder { folder in
            let store = try await Self.open(folder, limit: 5000)
            #expect(!(await store.insert(DiskFixtures.entry("/big", body: 6000))))
            #expect(store.statistics.entries == 0)
            #expect(files(in: folder).isEmpty)
        }
    }

    @Test("removing a key removes all its variants, on disk and after a restart")
    func removeKey() async throws {
        try await withTemporaryFolder { folder in
            let store = try await Self.open(folder)
            let variants = ["fr", "de", "en"].map { DiskFixtures.entry("/v", body: 100, vary: ("Accept-Language", $0), etag: $0) }
            let other = DiskFixtures.entry("/other", body: 100)
            for response in variants + [other] { await store.insert(response) }
            #expect(await store.variants(for: variants[0].key).count == 3)
            #expect(await store.remove(variants[0].key) == 3)
            #expect(await store.remove(variants[0].key) == 0)
            #expect(await store.variants(for: variants[0].key).isEmpty)
            #expect(entryFiles(in: folder) == [Self.fileName(other)])
            #expect(store.statistics.entries == 1)
            let reopened = try await Self.open(folder)
            #expect(await reopened.variants(for: variants[0].key).isEmpty)
            #expect(await reopened.variants(for: other.key).count == 1)
        }
    }

    @Test("removing a response removes it only while it is still the one stored")
    func removeResponse() async throws {
        try await withTemporaryFolder { folder in
            let store = try await Self.open(folder)
            let old = DiskFixtures.entry("/r", body: 100, etag: "1")
            let new = DiskFixtures.entry("/r", body: 100, etag: "2")
            await store.insert(old)
            await store.insert(new)
            await store.remove(old)
            #expect(await store.variants(for: old.key).map { $0.policy.etag?.opaqueTag } == ["2"])
            await store.remove(new)
            #expect(await store.variants(for: old.key).isEmpty)
            #expect(entryFiles(in: folder).isEmpty)
        }
    }

    // MARK: - The folder and the file system

    @Test("a folder that cannot be created is a clear error")
    func unwritablePath() async throws {
        try await withTemporaryFolder { folder in
            let file = folder + "/plain-file"
            try Data("x".utf8).write(to: URL(fileURLWithPath: file))
            await #expect(throws: DiskStoreError.self) { try await Self.open(file + "/cache") }
            await #expect(throws: DiskStoreError.self) { try await Self.open(file) }
            do {
                _ = try await Self.open(file + "/cache")
            } catch {
                #expect("\(error)".contains("plain-file"))
            }
        }
    }

    @Test("a missing folder is created with its parents")
    func createsFolder() async throws {
        try await withTemporaryFolder { folder in
            let store = try await Self.open(folder + "/a/b/cache")
            #expect(await store.insert(DiskFixtures.entry("/c", body: 1)))
            #expect(entryFiles(in: folder + "/a/b/cache").count == 1)
        }
    }

    @Test("low free space refuses writes, logs once per episode, and reads go on")
    func lowFreeSpace() async throws {
        try await withTemporaryFolder { folder in
            let free = NIOLockedValueBox(1 << 40)
            let records = LogCapture()
            let logger = records.logger(label: "test.disk")
            let store = try await DiskStore(
                path: folder, limit: Self.limit, minimumFreeBytes: 1 << 30, logger: logger,
                freeSpace: { _ in free.withLockedValue { $0 } }
            )
            let kept = DiskFixtures.entry("/kept", body: 100)
            #expect(await store.insert(kept))
            free.withLockedValue { $0 = (1 << 30) + 50 }  // an entry of more than 50 bytes would cross the line
            for i in 0..<3 { #expect(!(await store.insert(DiskFixtures.entry("/refused\(i)", body: 100)))) }
            #expect(store.statistics.refusedWrites == 3)
            #expect(records.count(.warning, containing: "free space") == 1)
            #expect(await store.variants(for: kept.key).count == 1)
            #expect(entryFiles(in: folder).count == 1)
            #expect(files(in: folder).count == 1)

            free.withLockedValue { $0 = 1 << 40 }
            #expect(await store.insert(DiskFixtures.entry("/after", body: 100)))
            free.withLockedValue { $0 = 0 }
            #expect(!(await store.insert(DiskFixtures.entry("/again", body: 100))))
            #expect(records.count(.warning, containing: "free space") == 2)
        }
    }

    @Test("the real free-space check refuses writes when the threshold is above what the disk has")
    func realFreeSpaceCheck() async throws {
        try await withTemporaryFolder { folder in
            let store = try await DiskStore(path: folder, limit: Self.limit, minimumFreeBytes: Int.max / 2, logger: quietLogger)
            #expect(!(await store.insert(DiskFixtures.entry("/x", body: 1))))
            #expect(store.statistics.refusedWrites == 1)
        }
    }

    @Test("concurrent writers and readers on overlapping keys leave an index that matches the folder")
    func concurrency() async throws {
        try await withTemporaryFolder { folder in
            let size = try DiskEntryFormat.encode(DiskFixtures.entry("/k0", body: 2000, etag: "w0-0")).readableBytes
            let store = try await Self.open(folder, limit: size * 20)
            await withTaskGroup(of: Void.self) { group in
                for writer in 0..<4 {
                    group.addTask {
                        for round in 0..<40 {
                            let key = (writer * 7 + round) % 30
                            await store.insert(DiskFixtures.entry("/k\(key)", body: 2000, etag: "w\(writer)-\(round)"))
                            if round % 5 == 0 { await store.remove(CacheKey(method: .get, normalizedURI: "http://example.com/k\((key + 3) % 30)")) }
                            for response in await store.variants(for: CacheKey(method: .get, normalizedURI: "http://example.com/k\(key)")) {
                                #expect(response.body == patternBytes(2000, seed: response.policy.etag!.opaqueTag))
                            }
                        }
                    }
                }
            }
            let statistics = store.statistics
            #expect(statistics.corruptEntries == 0)
            #expect(statistics.bytes <= size * 20)
            #expect(statistics.entries == entryFiles(in: folder).count)
            let sizes = try entryFiles(in: folder).map { try FileManager.default.attributesOfItem(atPath: folder + "/" + $0)[.size] as? Int ?? -1 }
            #expect(statistics.bytes == sizes.reduce(0, +))
            #expect(!files(in: folder).contains { $0.hasSuffix(".tmp") })
        }
    }
}
