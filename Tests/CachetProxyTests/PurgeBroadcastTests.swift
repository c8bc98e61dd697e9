import HTTPCachePolicy
import NIOCore
import Testing

@testable import CachetProxy

/// The purge a node sends the others: what it encodes decodes to the same purge, and any
/// other payload is ignored rather than misread.
@Suite("Purge broadcast payload")
struct PurgeBroadcastTests {
    static let purges: [PurgeRequest] = [
        PurgeRequest(target: .url(CacheKey(method: .get, normalizedURI: "http://fleet.test/a%20b?x=1")), soft: false),
        PurgeRequest(target: .url(CacheKey(method: .get, normalizedURI: "http://fleet.test/")), soft: true),
        PurgeRequest(target: .surrogateKeys(["one"]), soft: false),
        PurgeRequest(target: .surrogateKeys(["one", "two", "a:b/c"]), soft: true),
    ]

    @Test("round trip", arguments: purges)
    func roundTrip(_ purge: PurgeRequest) {
        let sent = PurgeBroadcast(node: "n1", purge: purge)
        #expect(PurgeBroadcast(payload: sent.payload) == sent)
    }

    @Test("payloads that are not a purge of this version are ignored", arguments: [
        "",
        "hello",
        "cachet-purge 2\nnode n\nsoft 0\nurl GET http://x/",
        "cachet-purge 1\nsoft 0\nurl GET http://x/",
        "cachet-purge 1\nnode n\nurl GET http://x/",
        "cachet-purge 1\nnode n\nsoft 0",
        "cachet-purge 1\nnode n\nsoft 0\nurl GET http://x/\ntag a",
        "cachet-purge 1\nnode n\nsoft 0\nurl GEThttp://x/",
        "cachet-purge 1\nnode n\nsoft 0\nurl G\u{1}T http://x/",
        "cachet-purge 1\nnode n\nsoft 0\nwhat ever",
        "cachet-purge 1\nnode n\nsoft 0\nnoseparator",
        "cachet-purge 1\nnode \nsoft 0\ntag a",
    ])
    func ignored(_ text: String) {
        #expect(PurgeBroadcast(payload: ByteBuffer(string: text)) == nil)
    }
}
