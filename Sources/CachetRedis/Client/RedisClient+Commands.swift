import NIOCore

/// Typed helpers for the commands the shared tier uses. Each is one `send`; the reply's shape
/// is checked and a surprising one thrown as `RedisError.unexpectedReply`.
extension RedisClient {
    /// `PING`: the server's `PONG`.
    public func ping() async throws -> String {
        let reply = try await send(["PING"])
        guard let text = reply.string else { throw unexpected("PING", reply) }
        return text
    }

    /// `GET key`: the value, or nil when the key does not exist.
    public func get(_ key: some RESPArgumentConvertible) async throws -> ByteBuffer? {
        let reply = try await send(["GET", key])
        if reply.isNull { return nil }
        guard let bytes = reply.bytes else { throw unexpected("GET", reply) }
        return bytes
    }

    /// When `SET` may write.
    public enum SetCondition: Sendable {
        /// `NX`: only if the key does not exist (a lock, a first writer).
        case ifNotExists
        /// `XX`: only if it exists.
        case ifExists
    }

    /// How long a key lives.
    public enum Expiration: Sendable, Hashable {
        case seconds(Int)
        case milliseconds(Int)
    }

    /// `SET key value [EX s | PX ms] [NX | XX]`: true when written, false when the condition
    /// kept it from being written.
    @discardableResult
    public func set(_ key: some RESPArgumentConvertible, to value: some RESPArgumentConvertible, expiration: Expiration? = nil, condition: SetCondition? = nil) async throws -> Bool {
        var arguments: [any RESPArgumentConvertible] = ["SET", key, value]
        switch expiration {
        case .seconds(let seconds)?: arguments += ["EX", seconds]
        case .milliseconds(let milliseconds)?: arguments += ["PX", milliseconds]
        case nil: break
        }
        switch condition {
        case .ifNotExists?: arguments.append("NX")
        case .ifExists?: arguments.append("XX")
        case nil: break
        }
        let reply = try await send(arguments)
        if reply.isNull { return false }
        guard reply.string == "OK" else { throw unexpected("SET", reply) }
        return true
    }

    /// `DEL key [key ...]`: how many existed.
    @discardableResult
    public func delete(_ keys: [any RESPArgumentConvertible]) async throws -> Int {
        try await integer(["DEL"] + keys, "DEL")
    }

    /// `EXPIRE key seconds`: false when the key does not exist.
    @discardableResult
    public func expire(_ key: some RESPArgumentConvertible, seconds: Int) async throws -> Bool {
        try await integer(["EXPIRE", key, seconds], "EXPIRE") == 1
    }

    /// `PEXPIRE key milliseconds`: false when the key does not exist.
    @discardableResult
    public func pexpire(_ key: some RESPArgumentConvertible, milliseconds: Int) async throws -> Bool {
        try await integer(["PEXPIRE", key, milliseconds], "PEXPIRE") == 1
    }

    /// `PTTL key`: milliseconds left, -1 without expiry, -2 when the key does not exist.
    public func pttl(_ key: some RESPArgumentConvertible) async throws -> Int {
        try await integer(["PTTL", key], "PTTL")
    }

    /// `SADD key member [member ...]`: how many were new.
    @discardableResult
    public func sadd(_ key: some RESPArgumentConvertible, members: [any RESPArgumentConvertible]) async throws -> Int {
        try await integer(["SADD", key] + members, "SADD")
    }

    /// `SREM key member [member ...]`: how many were there.
    @discardableResult
    public func srem(_ key: some RESPArgumentConvertible, members: [any RESPArgumentConvertible]) async throws -> Int {
        try await integer(["SREM", key] + members, "SREM")
    }

    /// `SMEMBERS key`: the members, in no particular order.
    public func smembers(_ key: some RESPArgumentConvertible) async throws -> [ByteBuffer] {
        let reply = try await send(["SMEMBERS", key])
        guard let members = reply.array?.compactMap(\.bytes), members.count == reply.array?.count else { throw unexpected("SMEMBERS", reply) }
        return members
    }

    /// `PUBLISH channel message`: how many subscribers received it (in a Cluster, those of
    /// the node that took it).
    @discardableResult
    public func publish(_ message: some RESPArgumentConvertible, to channel: String) async throws -> Int {
        try await integer(["PUBLISH", channel, message], "PUBLISH")
    }

    private func integer(_ arguments: [any RESPArgumentConvertible], _ name: String) async throws -> Int {
        let reply = try await send(arguments)
        guard case .integer(let value) = reply, let int = Int(exactly: value) else { throw unexpected(name, reply) }
        return int
    }

    func unexpected(_ command: String, _ reply: RESPValue) -> RedisError {
        .unexpectedReply(command: command, reply: "\(reply)")
    }
}
