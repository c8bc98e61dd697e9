import CachetStorage
import CachetTestSupport
import HTTPCachePolicy
import HTTPPreconditions
import HTTPTypes
import Logging
import NIOCore
import Testing

@testable import CachetProxy

/// The shared tier's answers to races nothing else orders (RFC 9111 §4.4: a purged response
/// must not come back), its waiters' bookkeeping, and its state changes, against an
/// in-memory shared storage whose operations the test holds and releases.
@Suite("Shared tier races")
struct SharedTierRaceTests {
    static let now = ProxyHarness.start
    static let later = HTTPDate(secondsSince1970: ProxyHarness.start.secondsSince1970 + 30)

    static func tier(
        _ storage: GatedSharedStorage, logs: LogCapture = LogCapture(), recovery: Duration = .seconds(2), probeInterval: Duration = .milliseconds(200)
    ) -> SharedTier {
        var configuration = SharedConfiguration(url: "redis://127.0.0.1:1")
        configuration.recovery = recovery
        configuration.probeInterval = probeInterval
        return SharedTier(configuration: configuration, storage: storage, logger: logs.logger(label: "cachet.proxy", level: .info))
    }

    static func stored(_ path: String, tags: String? = nil, etag: String = "\"1\"", at now: HTTPDate = now) -> StoredResponse {
        let request = HTTPRequest(method: .get, scheme: "http", authority: "fleet.test", path: path)
        var head = HTTPResponse(status: .ok)
        head.headerFields = [.date: now.imfFixdate, .cacheControl: "max-age=60", .eTag: etag]
        if let tags { head.headerFields[HTTPField.Name("Surrogate-Key")!] = tags }
        let policy = CachePolicy(request: request, response: head, requestTime: now, responseTime: now)
        return StoredResponse(key: CacheKey(request: request)!, policy: policy, body: ByteBuffer(string: "body of \(path)"))
    }

    static let purges: [(String, PurgeRequest)] = [
        ("by URL", PurgeRequest(target: .url(stored("/a").key), soft: false)),
        ("by surrogate key", PurgeRequest(target: .surrogateKeys(["group"]), soft: false)),
    ]

    @Test("a purge heard while this node's publication is on its way to the shared tier is not undone by it", arguments: purges)
    func purgeDuringPublication(_ name: String, _ purge: PurgeRequest) async throws {
        let storage = GatedSharedStorage()
        let tier = Self.tier(storage)
        let response = Self.stored("/a", tags: "group other")
        storage.hold(.publish)
        tier.publish(response, now: Self.now)
        try await waitUntil { storage.arrived(.publish) == 1 }
        // What the events loop does with another node's broadcast (its removal in Redis is done).
        let number = tier.beginPurge(purge, heard: true, now: Self.now)
        tier.endPurge(number)
        storage.release(.publish)
        await tier.writes.drain()
        #expect(storage.entries(response.key).isEmpty)
    }

    @Test("a publication that reached the shared tier just before a purge was heard is removed again")
    func purgeJustAfterPublication() async throws {
        let storage = GatedSharedStorage()
        let tier = Self.tier(storage)
        let response = Self.stored("/a", tags: "group")
        let untouched = Self.stored("/b", tags: "other")
        tier.publish(response, now: Self.now)
        tier.publish(untouched, now: Self.now)
        await tier.writes.drain()
        #expect(storage.entries(response.key).count == 1)
        tier.endPurge(tier.beginPurge(PurgeRequest(target: .surrogateKeys(["group"]), soft: false), heard: true, now: Self.now))
        await tier.writes.drain()
        #expect(storage.entries(response.key).isEmpty)
        #expect(storage.entries(untouched.key).count == 1)
    }

    @Test("a soft purge heard after a publication marks the published copy invalid again (RFC 9111 §4.4)")
    func softPurgeAfterPublication() async throws {
        let storage = GatedSharedStorage()
        let tier = Self.tier(storage)
        let response = Self.stored("/a")
        tier.publish(response, now: Self.now)
        await tier.writes.drain()
        tier.endPurge(tier.beginPurge(PurgeRequest(target: .url(response.key), soft: true), heard: true, now: Self.now))
        await tier.writes.drain()
        let request = HTTPRequest(method: .get, scheme: "http", authority: "fleet.test", path: "/a")
        let left = try #require(storage.entries(response.key).first)
        guard case .mustRevalidate = left.policy.evaluate(request: request, now: Self.now) else {
            Issue.record("the soft-purged copy is still fresh")
            return
        }
    }

    /// A shared tier over gated storage holding "/a" tagged "group", and a read of it that
    /// has reached the storage and is held there.
    static func heldRead() async throws -> (GatedSharedStorage, SharedTier, StoredResponse, Task<[StoredResponse], Never>) {
        let storage = GatedSharedStorage()
        let tier = Self.tier(storage)
        let response = Self.stored("/a", tags: "group")
        storage.put(response)
        storage.hold(.read)
        let read = Task { await tier.variants(for: response.key) }
        try await waitUntil { storage.arrived(.read) == 1 }
        return (storage, tier, response, read)
    }

    @Test("a read that started before a purge does not bring the purged response back; one that starts after it ended does")
    func readAcrossPurge() async throws {
        let (storage, tier, response, read) = try await Self.heldRead()
        let number = tier.beginPurge(PurgeRequest(target: .surrogateKeys(["group"]), soft: false), heard: false, now: Self.now)
        storage.release(.read)
        #expect(await read.value.isEmpty)
        // While the purge runs, no read keeps what it names.
        #expect(await tier.variants(for: response.key).isEmpty)
        tier.endPurge(number)
        #expect(await tier.variants(for: response.key).count == 1)
        #expect(tier.isPurged(response, since: 0))
        #expect(!tier.isPurged(response, since: tier.purgeMark()))
    }

    @Test("a purge of other keys leaves a read alone")
    func unrelatedPurge() async throws {
        let (storage, tier, _, read) = try await Self.heldRead()
        let number = tier.beginPurge(PurgeRequest(target: .surrogateKeys(["else"]), soft: false), heard: false, now: Self.now)
        tier.endPurge(tier.beginPurge(PurgeRequest(target: .url(Self.stored("/b").key), soft: false), heard: false, now: Self.now))
        storage.release(.read)
        #expect(await read.value.count == 1)
        tier.endPurge(number)
    }

    @Test("a 304 for a copy the shared tier does not hold publishes the freshened response whole (RFC 9111 §4.3.4)")
    func freshenOtherVersion() async throws {
        let storage = GatedSharedStorage()
        let tier = Self.tier(storage)
        let old = Self.stored("/a", etag: "\"1\"")
        let other = Self.stored("/a", etag: "\"2\"")
        storage.put(other)
        let updated = StoredResponse(key: old.key, policy: old.policy, body: old.body)
        tier.freshen(old, to: updated, now: Self.now)
        await tier.writes.drain()
        #expect(storage.entries(old.key).map(\.policy.validators.etag?.opaqueTag) == ["1"])
    }

    @Test("a node's waits for other nodes' fills leave no bookkeeping behind")
    func fillWaitersForgotten() async throws {
        let storage = GatedSharedStorage()
        storage.claim = .busy
        let tier = Self.tier(storage)
        for index in 0..<20 {
            let key = Self.stored("/w\(index)").key
            let start = Task { await tier.startFill(key) }
            try await waitUntil { tier.state.withLockedValue { $0.waiters[key]?.isEmpty == false } }
            tier.wake(key)
            guard case .lookAgain = await start.value else {
                Issue.record("a woken wait should look again")
                return
            }
        }
        storage.claim = .stored
        _ = await tier.startFill(Self.stored("/stored").key)
        #expect(tier.state.withLockedValue { $0.waiters.isEmpty })
    }

    @Test("failures mixed with successes (a cluster with one master down) are one change of state, logged once")
    func noFlapping() async throws {
        let logs = LogCapture()
        let tier = Self.tier(GatedSharedStorage(), logs: logs, recovery: .seconds(3600))
        struct Down: Error {}
        for _ in 0..<50 {
            tier.failed(Down())
            tier.succeeded()
            tier.succeeded()
        }
        #expect(!tier.isAvailable)
        #expect(logs.count(.warning, containing: "shared tier failing") == 1)
        #expect(logs.count(.notice, containing: "available again") == 0)

        let quick = LogCapture()
        let recovering = Self.tier(GatedSharedStorage(), logs: quick, recovery: .zero)
        recovering.failed(Down())
        recovering.succeeded()
        #expect(recovering.isAvailable)
        #expect(quick.count(.notice, containing: "available again") == 1)
    }

    @Test("after failures in a row, reads, publications and fill claims go to the tier as one probe per interval, removals always")
    func probesWhileFailing() async throws {
        let storage = GatedSharedStorage()
        let tier = Self.tier(storage, recovery: .zero, probeInterval: .seconds(3600))
        storage.failing = true
        let key = Self.stored("/a").key
        for _ in 0..<SharedTier.breakerFailures { #expect(await tier.variants(for: key).isEmpty) }
        #expect(storage.arrived(.read) == SharedTier.breakerFailures)
        for _ in 0..<10 { #expect(await tier.variants(for: key).isEmpty) }
        for index in 0..<10 { tier.publish(Self.stored("/p\(index)"), now: Self.now) }
        await tier.writes.drain()
        for _ in 0..<3 {
            guard case .fetch = await tier.startFill(key) else {
                Issue.record("a claim while failing should fetch")
                return
            }
        }
        // The first operation after the breaker tripped was the one probe of the interval.
        #expect(storage.arrived(.read) + storage.arrived(.publish) + storage.arrived(.claim) == SharedTier.breakerFailures + 1)
        #expect(tier.counters.current.droppedWrites >= 9)
        // Removals are not held back: an invalidation must reach a tier that is half up.
        storage.failing = false
        storage.put(Self.stored("/gone"))
        tier.invalidate(Self.stored("/gone").key, now: Self.now)
        await tier.writes.drain()
        #expect(storage.entries(Self.stored("/gone").key).isEmpty)
        #expect(await tier.variants(for: Self.stored("/gone").key).isEmpty)
        #expect(tier.mayTry(), "a success closes the breaker")
    }

    @Test("failures mixed with successes (a Cluster with one master down) do not trip the breaker")
    func mixedFailuresKeepTrying() {
        let tier = Self.tier(GatedSharedStorage(), probeInterval: .seconds(3600))
        struct Down: Error {}
        var tried = 0
        for _ in 0..<100 {
            tier.failed(Down())
            tier.failed(Down())
            if tier.mayTry() { tried += 1 }
            tier.succeeded()
        }
        #expect(tried == 100)
    }

    @Test("a purge heard before this node's queued publication runs: the publication is not even sent")
    func purgeBeforeQueuedPublication() async throws {
        let storage = GatedSharedStorage()
        let tier = Self.tier(storage)
        storage.hold(.publish)
        tier.publish(Self.stored("/a", etag: "\"1\""), now: Self.now)
        try await waitUntil { storage.arrived(.publish) == 1 }
        tier.publish(Self.stored("/a", etag: "\"2\""), now: Self.now)
        tier.endPurge(tier.beginPurge(PurgeRequest(target: .url(Self.stored("/a").key), soft: false), heard: true, now: Self.now))
        storage.release(.publish)
        await tier.writes.drain()
        #expect(storage.arrived(.publish) == 1)
        #expect(storage.entries(Self.stored("/a").key).isEmpty)
    }

    @Test("a 304 to a validation sent before a purge freshens nothing in the shared tier, whole or in place (RFC 9111 §4.4)", arguments: [false, true])
    func validationAcrossPurge(_ stillStored: Bool) async throws {
        let storage = GatedSharedStorage()
        let tier = Self.tier(storage)
        let old = Self.stored("/a", tags: "group")
        if stillStored { storage.put(old) }
        let mark = tier.purgeMark()
        // The purge (here by a tag; on another node, its shared part done) happens while the
        // validation is at the origin.
        tier.endPurge(tier.beginPurge(PurgeRequest(target: .surrogateKeys(["group"]), soft: false), heard: false, now: Self.now))
        let updated = Self.stored("/a", tags: "group", at: Self.later)
        tier.freshen(old, to: updated, now: Self.later, since: mark)
        await tier.writes.drain()
        #expect(storage.arrived(.publish) == 0)
        #expect(storage.entries(old.key).allSatisfy { $0.isSameResponse(as: old) })
    }

    @Test("a purge the shared tier does not take reports failure")
    func purgeFailure() async throws {
        let storage = GatedSharedStorage()
        let tier = Self.tier(storage)
        storage.failing = true
        #expect(await tier.purge(PurgeRequest(target: .url(Self.stored("/a").key), soft: false), now: Self.now) == nil)
        #expect(await tier.purge(PurgeRequest(target: .surrogateKeys(["g"]), soft: false), now: Self.now) == nil)
        #expect(await tier.broadcast(PurgeRequest(target: .surrogateKeys(["g"]), soft: false)) == false)
        storage.failing = false
        #expect(await tier.purge(PurgeRequest(target: .surrogateKeys(["g"]), soft: false), now: Self.now) == 0)
    }
}

/// A purge on a node whose shared tier does not answer: its own copies go, and the client
/// hears that the fleet may not have (503), instead of a 200 that hides it.
@Suite("Purge without the shared tier")
struct PurgeWithoutSharedTierTests {
    @Test("PURGE answers 503 with the local count when Redis does not answer, and the node's copy is gone")
    func purgeReports503() async throws {
        let h = try await ProxyHarness.make { configuration in
            // Nothing listens on port 1: every shared operation fails at once.
            configuration.shared = SharedConfiguration(url: "redis://127.0.0.1:1", timeout: .milliseconds(200))
        }
        h.origin.route("/p") { _, count in h.origin.ok("p\(count)", [(.cacheControl, "max-age=600")]) }
        #expect(try await h.get("/p").body == "p1")
        #expect(try await h.get("/p").body == "p1")
        let purged = try await h.request(.RAW(value: "PURGE"), "/p")
        #expect(purged.status == 503)
        #expect(purged["Cachet-Purged"] == "1")
        #expect(purged.body.contains("Retry the purge"))
        #expect(try await h.get("/p").body == "p2")
        try await h.shutdown()
    }
}
