import Logging
import NIOConcurrencyHelpers
import NIOCore

/// A few connections to one node, opened lazily and spread over round robin.
///
/// A connection that closes leaves its slot empty and the next command through that slot
/// reconnects. A failed connect puts the whole node in backoff (`ReconnectBackoff`): until the
/// wait is over, commands fail at once with `RedisError.unavailable` instead of queueing behind
/// a dead node. The node's health is logged once per change (up, down, up again), never per
/// failed command.
final class RedisNodePool: Sendable {
    let address: RedisAddress
    private let configuration: RedisConfiguration
    private let group: any EventLoopGroup
    private let logger: Logger
    private let backoff: ReconnectBackoff
    private let state: NIOLockedValueBox<State>

    private enum Slot {
        case empty
        case connecting(EventLoopFuture<RedisConnection>)
        case ready(RedisConnection)
    }

    private enum Health {
        case unknown, up, down
    }

    private struct State {
        var slots: [Slot]
        var next = 0
        var health = Health.unknown
        var failures = 0
        var retryAt: NIODeadline?
        var lastFailure = ""
        var shutDown = false
    }

    init(address: RedisAddress, configuration: RedisConfiguration, group: any EventLoopGroup, logger: Logger) {
        self.address = address
        self.configuration = configuration
        self.group = group
        var logger = logger
        logger[metadataKey: "redis.node"] = "\(address)"
        self.logger = logger
        backoff = ReconnectBackoff(initial: configuration.initialReconnectDelay, maximum: configuration.maximumReconnectDelay)
        state = NIOLockedValueBox(State(slots: Array(repeating: .empty, count: configuration.connectionsPerNode)))
    }

    /// The raw reply to `command` (error replies included).
    func send(_ command: RESPCommand) async throws -> RESPValue {
        try await connection().send(command)
    }

    /// `commands` in one write on one connection, replies in order.
    func send(batch commands: [RESPCommand]) async throws -> [RESPValue] {
        try await connection().send(batch: commands)
    }

    /// An open connection: the next slot's, opened now if it is empty.
    func connection() async throws -> RedisConnection {
        enum Next {
            case ready(RedisConnection)
            case wait(EventLoopFuture<RedisConnection>)
            case connect(EventLoopFuture<RedisConnection>, slot: Int)
            case fail(RedisError)
        }
        let now = NIODeadline.now()
        let next: Next = state.withLockedValue { state in
            if state.shutDown { return .fail(.shutDown) }
            let index = state.next
            state.next = (index + 1) % state.slots.count
            switch state.slots[index] {
            case .ready(let connection) where connection.isActive:
                return .ready(connection)
            case .connecting(let future):
                return .wait(future)
            case .ready, .empty:
                if let retryAt = state.retryAt, now < retryAt {
                    return .fail(.unavailable(node: address, reason: state.lastFailure))
                }
                let future = RedisConnection.connect(to: address, configuration: configuration, group: group)
                state.slots[index] = .connecting(future)
                return .connect(future, slot: index)
            }
        }
        switch next {
        case .ready(let connection):
            return connection
        case .wait(let future):
            do {
                return try await future.get()
            } catch {
                throw RedisError.unavailable(node: address, reason: "\(error)")
            }
        case .fail(let error):
            throw error
        case .connect(let future, let slot):
            do {
                let connection = try await future.get()
                connected(connection, slot: slot)
                return connection
            } catch {
                failed(error, slot: slot)
                throw RedisError.unavailable(node: address, reason: "\(error)")
            }
        }
    }

    private func connected(_ connection: RedisConnection, slot: Int) {
        let (cameUp, shutDown) = state.withLockedValue { state in
            let wasUp = state.health == .up
            state.health = .up
            state.failures = 0
            state.retryAt = nil
            if !state.shutDown { state.slots[slot] = .ready(connection) }
            return (!wasUp, state.shutDown)
        }
        if shutDown {
            connection.channel.close(promise: nil)
            return
        }
        if cameUp { logger.info("Redis node up") }
        // A closed connection empties its slot; the next command through it reconnects.
        connection.closeFuture.whenComplete { [weak self] _ in
            self?.state.withLockedValue { state in
                if case .ready(let current) = state.slots[slot], current === connection {
                    state.slots[slot] = .empty
                }
            }
        }
    }

    private func failed(_ error: any Error, slot: Int) {
        let now = NIODeadline.now()
        let (wentDown, delay) = state.withLockedValue { state in
            state.slots[slot] = .empty
            state.failures += 1
            let delay = backoff.delay(afterFailures: state.failures)
            state.retryAt = now + delay
            state.lastFailure = "\(error)"
            let wasDown = state.health == .down
            state.health = .down
            return (!wasDown, delay)
        }
        if wentDown {
            logger.warning("Redis node down", metadata: ["error": "\(error)", "retry.ms": "\(delay.nanoseconds / 1_000_000)"])
        } else {
            logger.debug("Redis node still down", metadata: ["error": "\(error)", "retry.ms": "\(delay.nanoseconds / 1_000_000)"])
        }
    }

    /// Closes every connection; later commands fail with `RedisError.shutDown`.
    func shutdown() async {
        let slots = state.withLockedValue { state in
            state.shutDown = true
            defer { state.slots = state.slots.map { _ in .empty } }
            return state.slots
        }
        for slot in slots {
            switch slot {
            case .ready(let connection): await connection.close()
            case .connecting(let future): try? await future.get().close()
            case .empty: break
            }
        }
    }
}
