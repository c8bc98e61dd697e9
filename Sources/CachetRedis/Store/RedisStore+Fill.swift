import CachetStorage
import HTTPCachePolicy
import NIOCore

extension RedisStore {
    public func claimFill(of key: CacheKey, lease: Duration) async throws -> FillClaim {
        // A lease too short to count is still a lease of 1 ms: the claim must say something.
        let milliseconds = Self.milliseconds(lease) ?? 1
        let token = RedisEntryLayout.newVersionID() + RedisEntryLayout.newVersionID()
        let reply = try await client.evaluate(
            RedisStoreScripts.claimFill,
            keys: [layout.pointer(key), layout.fillLock(key)],
            arguments: [token, milliseconds, layout.versionPrefix(key)]
        )
        switch try Self.integer(reply, "claimFill") {
        case 2: return .stored
        case 1: return .claimed(FillClaim.Token(token))
        default: return .busy
        }
    }

    public func releaseFill(of key: CacheKey, claim: FillClaim.Token) async throws {
        try await client.evaluate(
            RedisStoreScripts.releaseFill,
            keys: [layout.fillLock(key)],
            arguments: [claim.value, layout.fillChannel, RedisEntryLayout.text(of: key)]
        )
    }
}
