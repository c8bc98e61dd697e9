import NIOCore

extension RedisClient {
    /// Runs `script` with `keys` and `arguments`: `EVALSHA` first, which sends 40 bytes instead
    /// of the script, then `EVAL` when the node answers `NOSCRIPT` (it has not seen the script:
    /// a restarted server, or a Cluster node that never ran it); `EVAL` caches it there. In a
    /// Cluster every key must hash to one slot; the first key routes the call.
    @discardableResult
    public func evaluate(_ script: RedisScript, keys: [any RESPArgumentConvertible] = [], arguments: [any RESPArgumentConvertible] = []) async throws -> RESPValue {
        let tail: [any RESPArgumentConvertible] = [keys.count] + keys + arguments
        do {
            return try await send(["EVALSHA", script.sha1] + tail)
        } catch RedisError.server(let message) where message.hasPrefix("NOSCRIPT") {
            return try await send(["EVAL", script.source] + tail)
        }
    }
}
