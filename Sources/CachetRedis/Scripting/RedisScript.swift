/// A Lua script, known to the server by its SHA-1 (Redis docs, "Scripting with Lua"). The
/// shared tier flips an entry's pointer with one: a script runs atomically and, unlike
/// `MULTI`, can be sent after `ASKING` while its slot migrates.
public struct RedisScript: Sendable, Hashable {
    public let source: String
    /// What `SCRIPT LOAD` returns for `source`.
    public let sha1: String

    public init(_ source: String) {
        self.source = source
        sha1 = SHA1.hexDigest(Array(source.utf8))
    }
}
