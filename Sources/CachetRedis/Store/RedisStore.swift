import CachetStorage
import HTTPCachePolicy
import NIOConcurrencyHelpers
import NIOCore

/// The shared tier in Redis, standalone or Cluster: several proxy nodes read and write one
/// cache through it (``SharedStorage``).
///
/// An entry is a pointer and versions (``RedisEntryLayout``): a publication writes the header
/// block and body chunks into a version hash no one reads yet, then one script points the
/// variant at it, so a reader sees the whole entry or none of it. A reader checks every
/// length and both checksums (``RedisEntryHeader``) and rejects what fails. Redis forgets an
/// entry when its lifetime runs out (`PEXPIRE`).
///
/// The client is the caller's: it shuts it down. Every Redis failure is thrown, within the
/// client's timeouts.
public final class RedisStore: SharedStorage {
    public let client: RedisClient
    public let configuration: RedisStoreConfiguration
    let layout: RedisEntryLayout
    private let rejected = NIOLockedValueBox(0)

    public init(client: RedisClient, configuration: RedisStoreConfiguration = .init()) {
        self.client = client
        self.configuration = configuration
        layout = RedisEntryLayout(namespace: configuration.namespace)
    }

    public var rejectedValues: Int { rejected.withLockedValue { $0 } }

    func countRejection() {
        rejected.withLockedValue { $0 += 1 }
    }

    /// A lifetime as `PEXPIRE` milliseconds, rounded up so that a sliver still stores
    /// something; nil when it is zero or negative (nothing to store). Capped at a century,
    /// which Redis accepts (it refuses an expiry time that overflows).
    static func milliseconds(_ lifetime: Duration) -> Int? {
        guard lifetime > .zero else { return nil }
        let (seconds, attoseconds) = lifetime.components
        let century: Int64 = 100 * 365 * 24 * 3600
        guard seconds < century else { return Int(century * 1000) }
        let milliseconds = seconds * 1000 + (attoseconds + 999_999_999_999_999) / 1_000_000_000_000_000
        return Int(max(1, milliseconds))
    }

    /// Throws the first error among a transaction's replies (Redis runs the rest of a
    /// transaction after a failed command, and does not roll back).
    static func check(_ replies: [RESPValue], _ what: String) throws {
        if let message = replies.lazy.compactMap(\.errorMessage).first {
            throw RedisError.server("\(what): \(message)")
        }
    }

    /// A script's integer reply.
    static func integer(_ reply: RESPValue, _ what: String) throws -> Int {
        guard case .integer(let value) = reply, let int = Int(exactly: value) else {
            throw RedisError.unexpectedReply(command: what, reply: "\(reply)")
        }
        return int
    }
}
