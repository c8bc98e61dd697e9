import Logging
import NIOConcurrencyHelpers
import NIOCore

/// Sends each command to the master that serves its key's slot, and keeps the slot map true
/// (Redis Cluster spec, "Client first connection and handling of redirections", "Redirection
/// and resharding").
///
/// The map is fetched with `CLUSTER SLOTS` on first use from any known node or seed. A `MOVED`
/// reply moves that slot in the map at once, the command is sent again to the new owner, and a
/// full refresh is started in the background (one resharding usually moves many slots). An
/// `ASK` reply sends `ASKING` and the command, in one write on one connection, to the node
/// named, and changes nothing in the map. A connection failure or `CLUSTERDOWN` also starts a
/// refresh, since a failover changes masters. At most `maximumRedirects` redirects per command.
final class RedisClusterRouter: Sendable {
    private let seeds: [RedisAddress]
    private let configuration: RedisConfiguration
    private let group: any EventLoopGroup
    private let logger: Logger
    private let state: NIOLockedValueBox<State>

    private struct State {
        var map: ClusterSlotMap?
        var pools: [RedisAddress: RedisNodePool] = [:]
        var refresh: Task<ClusterSlotMap, any Error>?
        var lastRefresh: NIODeadline?
        var nextKeyless = 0
        var shutDown = false
        var statistics = RedisClientStatistics()
    }

    var statistics: RedisClientStatistics {
        state.withLockedValue { $0.statistics }
    }

    init(seeds: [RedisAddress], configuration: RedisConfiguration, group: any EventLoopGroup, logger: Logger) {
        precondition(!seeds.isEmpty)
        self.seeds = seeds
        self.configuration = configuration
        self.group = group
        self.logger = logger
        state = NIOLockedValueBox(State())
    }

    /// The current map, fetched first if there is none yet.
    var slotMap: ClusterSlotMap {
        get async throws {
            if let map = state.withLockedValue({ $0.map }) { return map }
            return try await refreshedMap()
        }
    }

    /// The raw reply to `command` from the node that serves its key, redirects followed.
    func send(_ command: RESPCommand) async throws -> RESPValue {
        let slot = command.routingKey.map { HashSlot.slot(forKey: $0) }
        var target = try await address(forSlot: slot)
        var asking = false
        for _ in 0...configuration.maximumRedirects {
            let reply: RESPValue
            do {
                let pool = try pool(for: target)
                reply = asking ? try await pool.send(batch: [["ASKING"], command])[1] : try await pool.send(command)
            } catch {
                scheduleRefresh()
                throw error
            }
            guard case .error(let message) = reply else { return reply }
            let text = String(buffer: message)
            guard let redirect = ClusterRedirect(errorMessage: text, answeringHost: target.host) else {
                if text.hasPrefix("CLUSTERDOWN") { scheduleRefresh() }
                return reply
            }
            switch redirect {
            case .moved(let slot, let owner):
                state.withLockedValue {
                    $0.map?.assign(slot: slot, to: owner)
                    $0.statistics.movedRedirects += 1
                }
                scheduleRefresh()
                target = owner
                asking = false
            case .ask(_, let node):
                state.withLockedValue { $0.statistics.askRedirects += 1 }
                target = node
                asking = true
            }
        }
        throw RedisError.tooManyRedirects
    }

    /// `commands` in one write on the node that serves `slot`'s key (a transaction: every key
    /// in it must hash to one slot, which hash tags arrange). A `MOVED` at queueing time
    /// aborts the transaction on the old node (`EXECABORT`), so the whole batch is sent again
    /// to the new owner. `ASK` cannot be followed inside `MULTI` (the `ASKING` flag does not
    /// survive queueing) and is returned as it is: use a script for atomic updates of a slot
    /// that may be migrating.
    func send(batch commands: [RESPCommand], slot: Int?, redirectIn: ([RESPValue]) -> String?) async throws -> [RESPValue] {
        var target = try await address(forSlot: slot)
        for _ in 0...configuration.maximumRedirects {
            let replies: [RESPValue]
            do {
                replies = try await pool(for: target).send(batch: commands)
            } catch {
                scheduleRefresh()
                throw error
            }
            guard let message = redirectIn(replies),
                case .moved(let slot, let owner) = ClusterRedirect(errorMessage: message, answeringHost: target.host)
            else { return replies }
            state.withLockedValue {
                $0.map?.assign(slot: slot, to: owner)
                $0.statistics.movedRedirects += 1
            }
            scheduleRefresh()
            target = owner
        }
        throw RedisError.tooManyRedirects
    }

    /// A node for a keyless command or a new subscriber: the masters in turn.
    func anyAddress() async throws -> RedisAddress {
        try await address(forSlot: nil)
    }

    private func address(forSlot slot: Int?) async throws -> RedisAddress {
        let map = try await slotMap
        if let slot, let owner = map.node(forSlot: slot) { return owner }
        // Keyless, or a slot no node serves yet: any master (it redirects if it must).
        return state.withLockedValue { state in
            let nodes = map.nodes.isEmpty ? seeds : map.nodes
            state.nextKeyless &+= 1
            return nodes[state.nextKeyless % nodes.count]
        }
    }

    private func pool(for address: RedisAddress) throws(RedisError) -> RedisNodePool {
        let pool: RedisNodePool? = state.withLockedValue { state in
            if state.shutDown { return nil }
            if let pool = state.pools[address] { return pool }
            let pool = RedisNodePool(address: address, configuration: configuration, group: group, logger: logger)
            state.pools[address] = pool
            return pool
        }
        guard let pool else { throw .shutDown }
        return pool
    }

    /// Fetches the map again, sharing a fetch already under way.
    @discardableResult
    func refreshedMap() async throws -> ClusterSlotMap {
        let task = state.withLockedValue { state in
            if let refresh = state.refresh { return refresh }
            let refresh = Task<ClusterSlotMap, any Error> {
                // The lock is held until `state.refresh` is set, so this cannot clear it first.
                defer { self.state.withLockedValue { $0.refresh = nil } }
                let map = try await self.fetchSlotMap()
                self.state.withLockedValue {
                    $0.map = map
                    $0.lastRefresh = .now()
                    $0.statistics.slotMapRefreshes += 1
                }
                return map
            }
            state.refresh = refresh
            return refresh
        }
        return try await task.value
    }

    /// A background refresh, unless one ran in the last 100 ms (a burst of `MOVED` replies
    /// during a resharding needs one, not one each).
    private func scheduleRefresh() {
        let now = NIODeadline.now()
        let recent = state.withLockedValue { state in
            state.shutDown || state.refresh != nil || state.lastRefresh.map { now - $0 < .milliseconds(100) } ?? false
        }
        guard !recent else { return }
        Task { _ = try? await self.refreshedMap() }
    }

    /// Asks the known masters, then the seeds, for `CLUSTER SLOTS` until one answers with a map.
    private func fetchSlotMap() async throws -> ClusterSlotMap {
        let known = state.withLockedValue { $0.map?.nodes ?? [] }
        var candidates: [RedisAddress] = []
        for address in known + seeds where !candidates.contains(address) { candidates.append(address) }
        var lastError = "no node to ask"
        for address in candidates {
            do {
                let reply = try await pool(for: address).send(["CLUSTER", "SLOTS"])
                if let message = reply.errorMessage {
                    lastError = "\(address): \(message)"
                    continue
                }
                let map = try ClusterSlotMap(slotsReply: reply, askedHost: address.host)
                guard map.coveredSlots > 0 else {
                    lastError = "\(address) serves no slots"
                    continue
                }
                if map.coveredSlots < HashSlot.count {
                    logger.debug("Redis Cluster slot map incomplete", metadata: ["covered": "\(map.coveredSlots)"])
                }
                return map
            } catch {
                lastError = "\(address): \(error)"
            }
        }
        throw RedisError.clusterMapUnavailable(lastError)
    }

    func shutdown() async {
        let (pools, refresh) = state.withLockedValue { state in
            state.shutDown = true
            return (Array(state.pools.values), state.refresh)
        }
        refresh?.cancel()
        for pool in pools { await pool.shutdown() }
    }
}
