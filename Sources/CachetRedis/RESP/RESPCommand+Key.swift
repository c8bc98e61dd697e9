import NIOCore

extension RESPCommand {
    /// The key that decides which Cluster node serves the command (Redis Cluster spec, "Key
    /// distribution model"), or nil for a command that any node serves.
    ///
    /// A small table, not the server's `COMMAND` metadata: the client sends a known set of
    /// commands. Keyless: connection, server and pub/sub commands (`PUBLISH` is broadcast on
    /// the cluster bus, so any node takes it). Scripts (`EVAL`, `EVALSHA`, `FCALL`) name their
    /// keys after `numkeys`; everything else has its first key right after its name.
    public var routingKey: ByteBuffer? {
        let name = self.name
        if Self.keyless.contains(name) { return nil }
        if Self.scripts.contains(name) {
            // EVAL script numkeys key [key ...] arg [arg ...]
            guard arguments.count > 3, let count = Int(String(buffer: arguments[2])), count > 0 else { return nil }
            return arguments[3]
        }
        return arguments.count > 1 ? arguments[1] : nil
    }

    private static let keyless: Set<String> = [
        "PING", "ECHO", "AUTH", "HELLO", "SELECT", "QUIT", "RESET", "CLIENT", "CONFIG", "INFO", "TIME",
        "DBSIZE", "FLUSHALL", "FLUSHDB", "DEBUG", "CLUSTER", "ASKING", "READONLY", "READWRITE",
        "MULTI", "EXEC", "DISCARD", "UNWATCH", "SCRIPT", "FUNCTION", "PUBLISH", "SUBSCRIBE",
        "UNSUBSCRIBE", "PSUBSCRIBE", "PUNSUBSCRIBE", "PUBSUB", "COMMAND", "WAIT", "LASTSAVE",
        "ROLE", "MEMORY", "SLOWLOG", "LATENCY", "SHUTDOWN", "SAVE", "BGSAVE", "BGREWRITEAOF",
    ]

    private static let scripts: Set<String> = ["EVAL", "EVALSHA", "EVAL_RO", "EVALSHA_RO", "FCALL", "FCALL_RO"]
}
