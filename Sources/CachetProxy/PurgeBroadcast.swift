import HTTPCachePolicy
import HTTPTypes
import NIOCore

/// A purge one node sends every other node over the shared tier, so that each drops (or
/// marks) its own copies at once; the shared entries themselves were purged by the sender.
///
/// The payload is lines of text, each `name value`:
///
/// ```
/// cachet-purge 1
/// node 6f1c…          the sender, which ignores its own broadcast
/// soft 0              1 for a soft purge (mark invalid, RFC 9111 §4.4)
/// url GET http://…    a URL purge, or one `tag` line per surrogate key
/// ```
///
/// Anything else (another version, a missing line, a payload of another program) does not
/// decode, and the receiver ignores it.
struct PurgeBroadcast: Sendable, Hashable {
    var node: String
    var purge: PurgeRequest

    private static let header = "cachet-purge 1"

    var payload: ByteBuffer {
        var lines = [Self.header, "node \(node)", "soft \(purge.soft ? 1 : 0)"]
        switch purge.target {
        case .url(let key):
            lines.append("url \(key.method) \(key.uri)")
        case .surrogateKeys(let tags):
            lines += tags.sorted().map { "tag \($0)" }
        }
        return ByteBuffer(string: lines.joined(separator: "\n"))
    }

    init(node: String, purge: PurgeRequest) {
        self.node = node
        self.purge = purge
    }

    init?(payload: ByteBuffer) {
        let lines = String(buffer: payload).split(separator: "\n", omittingEmptySubsequences: false)
        guard lines.first == Self.header[...] else { return nil }
        var node: Substring?
        var soft: Bool?
        var key: CacheKey?
        var tags = Set<String>()
        for line in lines.dropFirst() {
            guard let space = line.firstIndex(of: " ") else { return nil }
            let value = line[line.index(after: space)...]
            switch line[..<space] {
            case "node": node = value
            case "soft": soft = value == "1"
            case "url":
                guard let split = value.firstIndex(of: " "), let method = HTTPRequest.Method(String(value[..<split])) else { return nil }
                key = CacheKey(method: method, normalizedURI: String(value[value.index(after: split)...]))
            case "tag": tags.insert(String(value))
            default: return nil
            }
        }
        guard let node, !node.isEmpty, let soft, (key == nil) != tags.isEmpty else { return nil }
        self.node = String(node)
        self.purge = PurgeRequest(target: key.map { .url($0) } ?? .surrogateKeys(tags), soft: soft)
    }
}
