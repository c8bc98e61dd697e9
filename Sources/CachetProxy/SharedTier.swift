import CachetStorage
import HTTPCachePolicy
import HTTPPreconditions
import Logging
import NIOConcurrencyHelpers
import NIOCore

/// The tier several nodes share (`--shared`), behind the node's memory and disk: a
/// ``SharedStorage`` (Redis) reached only from here.
///
/// - It is a cache, never a dependency: every failure is counted, logged once when the tier
///   goes from available to failing (and once when it comes back), and turned into a miss
///   or a write not made. No client ever gets a 5xx because of it.
/// - Reads wait for the key's queued writes, so a node sees what its own requests did.
/// - Writes (publish, freshen, remove) go behind the client's response, in order per key
///   (``KeySerialQueue``); the queue is bounded by the body bytes it holds, beyond which new
///   publications are dropped, never removals.
/// - Purges are awaited, then broadcast to the other nodes (``PurgeBroadcast``).
/// - Fills are coordinated across nodes (SharedTier+Fill.swift).
final class SharedTier: Sendable {
    let configuration: SharedConfiguration
    let storage: any SharedStorage
    /// This node's name in broadcasts: random, so a restarted node is another sender.
    let node: String
    let counters = SharedTierCounters()
    /// Writes, removals and fill releases on their way to the shared tier; drained at shutdown.
    let writes = TaskRegistry()
    let logger: Logger
    private let queue: KeySerialQueue
    private let closeStorage: @Sendable () async -> Void
    let state = NIOLockedValueBox(State())

    struct State: Sendable {
        var available = true
        var lastFailure: ContinuousClock.Instant?
        var lastProbe: ContinuousClock.Instant?
        var consecutiveFailures = 0
        var broadcastPurges: Task<Void, Never>?
        var queuedBytes = 0
        var backlogReported = false
        var waiters: [CacheKey: [Int: FillWaiter]] = [:]
        var nextWaiter = 0
        var events: Task<Void, Never>?
        var purges = PurgeLog()
    }

    init(
        configuration: SharedConfiguration, storage: any SharedStorage, logger: Logger,
        close: @escaping @Sendable () async -> Void = {}
    ) {
        self.configuration = configuration
        self.storage = storage
        self.logger = logger
        self.closeStorage = close
        self.queue = KeySerialQueue(registry: writes)
        self.node = (0..<2).map { _ in String(UInt64.random(in: .min ... .max), radix: 16) }.joined()
    }

    /// Stops listening, waits for the queued writes, and closes the connections.
    func close() async {
        let events = state.withLockedValue { state in
            defer { state.events = nil }
            return state.events
        }
        events?.cancel()
        await events?.value
        await writes.drain()
        await closeStorage()
    }

    // MARK: - Reads

    /// The variants of `key` in the shared tier, after this node's queued writes to it; empty
    /// on a miss and when the tier fails. Leaves out what a purge since `mark` (by default,
    /// since this read began) names.
    func variants(for key: CacheKey, since mark: Int? = nil) async -> [StoredResponse] {
        let mark = mark ?? purgeMark()
        // Before waiting for the key's writes: while the tier fails, they may wait out timeouts.
        guard mayTry() else { return [] }
        await queue.settled(key)
        do {
            let found = try await storage.variants(for: key).filter { !isPurged($0, since: mark) }
            succeeded()
            if found.isEmpty {
                counters.count(\.misses)
            } else {
                counters.count(\.bytesRead, by: found.reduce(0) { $0 + $1.body.readableBytes })
            }
            return found
        } catch {
            failed(error)
            return []
        }
    }

    // MARK: - Writes

    /// Publishes `stored` for the other nodes, for as long as it may be of use.
    func publish(_ stored: StoredResponse, now: HTTPDate) {
        let lifetime = stored.policy.retention(now: now, keep: configuration.keep)
        let bytes = stored.body.readableBytes
        guard lifetime > 0, admit(bytes) else { return }
        let mark = purgeMark()
        publishQueued(stored)
        queue.enqueue(stored.key) { [self] in
            if mayTry() {
                await write(stored, lifetime: lifetime, unlessPurgedSince: mark)
            } else {
                counters.count(\.droppedWrites)
            }
            publishEnded(stored.key)
            settle(bytes)
        }
    }

    /// Replaces the shared copy of `old` with its freshened `updated` policy (RFC 9111
    /// §4.3.4): the other nodes see the new freshness; the body stays where it is. When the
    /// shared tier holds another version than `old` (or none), `updated` is published whole:
    /// the origin has just vouched for it. `mark` is the purge mark taken before the
    /// validation request went out: a purge since then wins over its answer.
    func freshen(_ old: StoredResponse, to updated: StoredResponse, now: HTTPDate, since mark: Int? = nil) {
        let lifetime = updated.policy.retention(now: now, keep: configuration.keep)
        let mark = mark ?? purgeMark()
        publishQueued(updated)
        queue.enqueue(updated.key) { [self] in
            defer { publishEnded(updated.key) }
            guard lifetime > 0 else {
                await attempt { _ = try await storage.remove(updated.key, taggedWithAnyOf: nil) }
                return
            }
            guard !isPurged(updated, since: mark) else { return }
            guard mayTry() else { return counters.count(\.droppedWrites) }
            let freshened = await attempt { try await storage.freshen(old, to: updated, lifetime: .seconds(lifetime)) }
            let bytes = updated.body.readableBytes
            if freshened == false, admit(bytes) {
                await write(updated, lifetime: lifetime, unlessPurgedSince: mark)
                settle(bytes)
            }
        }
    }

    /// One publication, unless a purge heard of since it was queued names it.
    private func write(_ stored: StoredResponse, lifetime: Int64, unlessPurgedSince mark: Int) async {
        guard !isPurged(stored, since: mark) else { return }
        if await attempt({ try await storage.publish(stored, lifetime: .seconds(lifetime)) }) != nil {
            counters.count(\.bytesWritten, by: stored.body.readableBytes)
        }
    }

    /// Removes every shared variant of `key` (an invalidation, RFC 9111 §4.4), and tells the
    /// other nodes to drop theirs.
    func invalidate(_ key: CacheKey, now: HTTPDate) {
        let purge = PurgeRequest(target: .url(key), soft: false)
        let number = beginPurge(purge, heard: false, now: now)
        queue.enqueue(key) { [self] in
            await attempt { _ = try await storage.remove(key, taggedWithAnyOf: nil) }
            await broadcast(purge)
            endPurge(number)
        }
    }

    /// Runs a purge on the shared entries, in order with the keys' queued writes, and
    /// returns how many it removed or marked; `nil` when the shared tier failed on some of it.
    func purge(_ purge: PurgeRequest, now: HTTPDate) async -> Int? {
        let keys: [CacheKey]
        let tags: Set<String>?
        switch purge.target {
        case .url(let key):
            keys = [key]
            tags = nil
        case .surrogateKeys(let names):
            tags = names
            guard let found = await attempt({ try await storage.keys(taggedWith: names) }) else { return nil }
            keys = found
        }
        let count = NIOLockedValueBox<Int?>(0)
        for key in keys {
            await queue.enqueue(key) { [self] in
                let touched = await attempt {
                    purge.soft ? try await markInvalid(key, taggedWithAnyOf: tags, now: now) : try await storage.remove(key, taggedWithAnyOf: tags)
                }
                count.withLockedValue { count in count = touched.flatMap { touched in count.map { $0 + touched } } }
            }.value
        }
        return count.withLockedValue { $0 }
    }

    /// A soft purge of one key's shared variants (RFC 9111 §4.4): each is freshened into a
    /// copy marked invalid now, so every node revalidates it before using it.
    func markInvalid(_ key: CacheKey, taggedWithAnyOf tags: Set<String>?, now: HTTPDate) async throws -> Int {
        var marked = 0
        for stored in try await storage.variants(for: key) where tags.map(stored.isTagged(withAnyOf:)) ?? true {
            let invalid = StoredResponse(key: key, policy: stored.policy.markedInvalid(now: now), body: stored.body)
            let lifetime = invalid.policy.retention(now: now, keep: configuration.keep)
            if try await storage.freshen(stored, to: invalid, lifetime: .seconds(max(1, lifetime))) { marked += 1 }
        }
        return marked
    }

    /// Tells the other nodes to run `purge` on their own tiers. Returns whether it went out.
    @discardableResult
    func broadcast(_ purge: PurgeRequest) async -> Bool {
        let payload = PurgeBroadcast(node: node, purge: purge).payload
        guard await attempt({ try await storage.broadcast(payload) }) != nil else { return false }
        counters.count(\.broadcastsSent)
        return true
    }

    // MARK: - Health

    /// Runs one operation on the shared tier: its result, or `nil` when it failed (counted,
    /// and logged if the tier was available until now).
    @discardableResult
    func attempt<Result: Sendable>(_ operation: () async throws -> Result) async -> Result? {
        do {
            let result = try await operation()
            succeeded()
            return result
        } catch {
            failed(error)
            return nil
        }
    }

    /// Back to available once operations have succeeded for ``SharedConfiguration/recovery``
    /// with none failing: a cluster with one master down answers for some keys and not for
    /// others, and that is one state, not a change per request.
    func succeeded() {
        let recovered = state.withLockedValue { state in
            state.consecutiveFailures = 0
            guard !state.available else { return false }
            if let last = state.lastFailure, ContinuousClock.now - last < configuration.recovery { return false }
            state.available = true
            return true
        }
        if recovered { logger.notice("shared tier available again", metadata: ["shared": "\(configuration.url)"]) }
    }

    func failed(_ error: any Error) {
        counters.count(\.errors)
        let lost = state.withLockedValue { state in
            defer {
                state.available = false
                state.lastFailure = .now
                state.consecutiveFailures += 1
            }
            return state.available
        }
        if lost {
            logger.warning(
                "shared tier failing; this node serves from its own tiers and the origin until it answers again",
                metadata: ["shared": "\(configuration.url)", "error": "\(error)"]
            )
        }
    }

    /// After ``breakerFailures`` failures in a row, what a client waits for (reads, fill
    /// claims) and publications go to the tier only as a probe, one per
    /// ``SharedConfiguration/probeInterval``: a Redis that answers nothing costs the clients
    /// its timeout once per interval, not once per request. Failures mixed with successes (a
    /// Cluster with one master down) do not trip it, so the masters that answer are still
    /// used. Removals and purges always go: they must not be lost to a tier that is half up.
    func mayTry() -> Bool {
        state.withLockedValue { state in
            if state.consecutiveFailures < Self.breakerFailures { return true }
            let now = ContinuousClock.now
            if let last = state.lastProbe, now - last < configuration.probeInterval { return false }
            state.lastProbe = now
            return true
        }
    }

    static let breakerFailures = 3

    /// Whether the shared tier answered the last operation.
    var isAvailable: Bool { state.withLockedValue { $0.available } }

    // MARK: - Backlog

    /// Whether a write of `bytes` of body may be queued; counts and reports one that may not.
    private func admit(_ bytes: Int) -> Bool {
        let limit = configuration.maximumQueuedBytes
        let (admitted, report) = state.withLockedValue { state -> (Bool, Bool) in
            // A write always goes when nothing is queued, so one larger than the bound is not starved.
            if state.queuedBytes > 0, state.queuedBytes + bytes > limit {
                defer { state.backlogReported = true }
                return (false, !state.backlogReported)
            }
            state.queuedBytes += bytes
            return (true, false)
        }
        if !admitted { counters.count(\.droppedWrites) }
        if report {
            logger.warning(
                "shared tier: writes are behind; new responses are not published until they catch up",
                metadata: ["maximumQueuedBytes": "\(limit)"]
            )
        }
        return admitted
    }

    private func settle(_ bytes: Int) {
        state.withLockedValue { state in
            state.queuedBytes -= bytes
            if state.queuedBytes == 0 { state.backlogReported = false }
        }
    }

    // MARK: - Queue

    /// Queues `operation` in `key`'s order (after its publications and removals).
    @discardableResult
    func enqueue(_ key: CacheKey, _ operation: @escaping @Sendable () async -> Void) -> Task<Void, Never> {
        queue.enqueue(key, operation)
    }
}
