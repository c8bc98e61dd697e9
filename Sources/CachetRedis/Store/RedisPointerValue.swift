import CachetStorage
import HTTPCachePolicy

/// The value of a variant's field in its key's pointer hash: lines separated by line feeds
/// (which no version id, identity or surrogate key holds):
///
/// ```
/// <version id>
/// <identity: 16 hex digits of DiskEntryFormat.identity(of: policy)>
/// <surrogate key>        (one line each, none when untagged)
/// ```
///
/// The scripts read the first line to find the version hash, compare the whole value to
/// check that a variant is still the one a node read (a freshening), and match the tag lines
/// against a purge's tags, all without reading the header block.
struct RedisPointerValue: Sendable, Hashable {
    var version: String
    var identity: String
    var tags: [String]

    init(version: String, policy: CachePolicy, tags: [String]) {
        self.version = version
        identity = Self.identity(of: policy)
        self.tags = tags
    }

    /// What `StoredResponse.isSameResponse(as:)` compares besides the key and the Vary key.
    static func identity(of policy: CachePolicy) -> String {
        RedisEntryLayout.hex(DiskEntryFormat.identity(of: policy))
    }

    init?(parsing text: String) {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        guard lines.count >= 2, !lines[0].isEmpty, lines[1].utf8.count == 16, !lines.dropFirst(2).contains("") else { return nil }
        version = lines[0]
        identity = lines[1]
        tags = Array(lines.dropFirst(2))
    }

    var encoded: String {
        ([version, identity] + tags).joined(separator: "\n")
    }
}
