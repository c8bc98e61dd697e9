import CachetTestSupport
import CachetStorage
import Foundation
import HTTPCachePolicy
import NIOCore
import Testing

/// Not an assertion on time: prints how long opening a store of many small entries takes.
/// Run with `CACHET_DISK_REBUILD_ENTRIES=100000 swift test --filter DiskRebuildMeasurement`.
@Suite("DiskStore: rebuild measurement")
struct DiskRebuildMeasurement {
    static let entries = ProcessInfo.processInfo.environment["CACHET_DISK_REBUILD_ENTRIES"].flatMap { Int($0) }

    @Test("prints the time to rebuild the index", .enabled(if: entries != nil))
    func rebuild() async throws {
        let count = try #require(Self.entries)
        try await withTemporaryFolder { folder in
            let template = DiskFixtures.entry("/template", body: 512)
            let written = ContinuousClock.now
            for i in 0..<count {
                let key = CacheKey(method: .get, normalizedURI: "http://example.com/item/\(i)")
                let response = StoredResponse(key: key, policy: template.policy, body: template.body)
                let bytes = try DiskEntryFormat.encode(response)
                let name = DiskEntryFormat.fileName(key: key, varyKey: response.policy.varyKey)
                try Data(bytes.readableBytesView).write(to: URL(fileURLWithPath: folder + "/" + name))
            }
            print("wrote \(count) entries in \(ContinuousClock.now - written)")
            let opened = ContinuousClock.now
            let store = try await DiskStore(path: folder, limit: 1 << 40, minimumFreeBytes: 0, logger: quietLogger)
            let duration = ContinuousClock.now - opened
            print("rebuilt the index of \(store.statistics.entries) entries (\(store.statistics.bytes) bytes) in \(duration)")
            #expect(store.statistics.entries == count)
            let probe = await store.variants(for: CacheKey(method: .get, normalizedURI: "http://example.com/item/\(count / 2)"))
            #expect(probe.first?.body == template.body)
        }
    }
}
