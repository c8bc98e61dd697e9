import NIOCore
import Testing

@testable import CachetRedis

/// The Redis Cluster spec's key distribution model: CRC16 (XMODEM), hash tags, slot = crc16
/// mod 16384; the slot map and redirects.
@Suite("Redis Cluster slots")
struct ClusterSlotTests {
    @Test("CRC16 check value from the spec's Appendix A: \"123456789\" → 0x31C3")
    func crc16() {
        #expect(CRC16.checksum(Array("123456789".utf8)) == 0x31C3)
        #expect(CRC16.checksum([]) == 0)
    }

    @Test("hash tags as the spec's examples say", arguments: [
        ("{user1000}.following", "user1000"),
        ("{user1000}.followers", "user1000"),
        ("foo{}{bar}", "foo{}{bar}"),
        ("foo{{bar}}zap", "{bar"),
        ("foo{bar}{zap}", "bar"),
        ("nobraces", "nobraces"),
        ("open{only", "open{only"),
        ("}{x}", "x"),
    ])
    func hashTags(key: String, hashed: String) {
        let part = Array(key.utf8).withUnsafeBytes { Array(HashSlot.hashedPart(of: $0)) }
        #expect(part == Array(hashed.utf8))
        #expect(HashSlot.slot(forKey: key) == HashSlot.slot(forKey: hashed))
    }

    @Test("slot = CRC16 mod 16384; known slots of real keys")
    func slots() {
        #expect(HashSlot.slot(forKey: "123456789") == 0x31C3 % 16384)
        // As `CLUSTER KEYSLOT` answers on Redis 7.
        #expect(HashSlot.slot(forKey: "foo") == 12182)
        #expect(HashSlot.slot(forKey: "bar") == 5061)
        #expect(HashSlot.slot(forKey: "") == 0)
        #expect(HashSlot.slot(forKey: ByteBuffer(string: "{user1000}.following")) == HashSlot.slot(forKey: "user1000"))
    }

    @Test("CLUSTER SLOTS reply to a map: masters only, empty host means the node asked")
    func slotMap() throws {
        func node(_ host: String?, _ port: Int64) -> RESPValue {
            .array([host.map { .bulkString(ByteBuffer(string: $0)) } ?? .null, .integer(port), .bulkString(ByteBuffer(string: "id"))])
        }
        let reply = RESPValue.array([
            .array([.integer(0), .integer(5460), node("10.0.0.1", 7000), node("10.0.0.4", 7003)]),
            .array([.integer(5461), .integer(10922), node("", 7001)]),
            .array([.integer(10923), .integer(16382), node("10.0.0.3", 7002)]),
            .array([.integer(16383), .integer(16383), node(nil, 7009)]),
        ])
        let map = try ClusterSlotMap(slotsReply: reply, askedHost: "10.0.0.2")
        #expect(map.node(forSlot: 0) == RedisAddress(host: "10.0.0.1", port: 7000))
        #expect(map.node(forSlot: 5460) == RedisAddress(host: "10.0.0.1", port: 7000))
        #expect(map.node(forSlot: 5461) == RedisAddress(host: "10.0.0.2", port: 7001))
        #expect(map.node(forSlot: 16382) == RedisAddress(host: "10.0.0.3", port: 7002))
        #expect(map.node(forSlot: 16383) == nil)
        #expect(map.coveredSlots == 16383)
        #expect(map.nodes.count == 3)
        #expect(throws: RedisError.self) { try ClusterSlotMap(slotsReply: .array([.array([.integer(5), .integer(2), node("a", 1)])]), askedHost: "x") }
        #expect(throws: RedisError.self) { try ClusterSlotMap(slotsReply: .integer(1), askedHost: "x") }
    }

    @Test("MOVED and ASK replies")
    func redirects() {
        let address = RedisAddress(host: "127.0.0.1", port: 6381)
        #expect(ClusterRedirect(errorMessage: "MOVED 3999 127.0.0.1:6381", answeringHost: "h") == .moved(slot: 3999, to: address))
        #expect(ClusterRedirect(errorMessage: "ASK 3999 127.0.0.1:6381", answeringHost: "h") == .ask(slot: 3999, to: address))
        #expect(ClusterRedirect(errorMessage: "MOVED 3999 :6381", answeringHost: "127.0.0.1") == .moved(slot: 3999, to: address))
        #expect(ClusterRedirect(errorMessage: "MOVED 16384 a:1", answeringHost: "h") == nil)
        #expect(ClusterRedirect(errorMessage: "ERR MOVED", answeringHost: "h") == nil)
        #expect(ClusterRedirect(errorMessage: "CLUSTERDOWN Hash slot not served", answeringHost: "h") == nil)
    }
}
