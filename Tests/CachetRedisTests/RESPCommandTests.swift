import NIOCore
import Testing

@testable import CachetRedis

@Suite("RESP commands")
struct RESPCommandTests {
    @Test("a command is an array of bulk strings; strings, integers and bytes as arguments")
    func encoding() {
        let value = ByteBuffer(bytes: [0x00, 0x0D, 0x0A])
        let command: RESPCommand = ["SET", "k", value, "PX", 1000, "NX"]
        var buffer = ByteBuffer()
        command.encode(into: &buffer)
        #expect(Array(buffer.readableBytesView) == Array("*6\r\n$3\r\nSET\r\n$1\r\nk\r\n$3\r\n".utf8) + [0x00, 0x0D, 0x0A] + Array("\r\n$2\r\nPX\r\n$4\r\n1000\r\n$2\r\nNX\r\n".utf8))
    }

    @Test("routing keys: first argument, scripts after numkeys, none for keyless commands")
    func routingKeys() {
        func key(_ command: RESPCommand) -> String? { command.routingKey.map { String(buffer: $0) } }
        #expect(key(["GET", "a"]) == "a")
        #expect(key(["set", "b", "v"]) == "b")
        #expect(key(["SADD", "s", "m"]) == "s")
        #expect(key(["EVALSHA", "abc", 2, "k1", "k2", "arg"]) == "k1")
        #expect(key(["EVAL", "return 1", 0]) == nil)
        #expect(key(["PING"]) == nil)
        #expect(key(["PUBLISH", "channel", "m"]) == nil)
        #expect(key(["CLUSTER", "SLOTS"]) == nil)
    }

    @Test("URLs: redis:// one node, redis-cluster:// seeds, default port, IPv6, errors")
    func endpoints() throws {
        #expect(try RedisEndpoint(url: "redis://127.0.0.1:6380") == .standalone(RedisAddress(host: "127.0.0.1", port: 6380)))
        #expect(try RedisEndpoint(url: "redis://localhost/") == .standalone(RedisAddress(host: "localhost", port: 6379)))
        #expect(try RedisEndpoint(url: "redis://[::1]:7000") == .standalone(RedisAddress(host: "::1", port: 7000)))
        #expect(try RedisEndpoint(url: "redis-cluster://127.0.0.1:7000,127.0.0.1:7001") == .cluster(seeds: [RedisAddress(host: "127.0.0.1", port: 7000), RedisAddress(host: "127.0.0.1", port: 7001)]))
        for bad in ["http://x", "redis://", "redis://a:b", "redis://a:70000", "redis://a:1,b:2", "redis-cluster://a:1,,b:2", "redis-cluster://"] {
            #expect(throws: RedisError.invalidURL(bad)) { try RedisEndpoint(url: bad) }
        }
    }

    @Test("script names are their SHA-1 in hex (FIPS 180-4 test vectors)")
    func sha1() {
        #expect(SHA1.hexDigest(Array("abc".utf8)) == "a9993e364706816aba3e25717850c26c9cd0d89d")
        #expect(SHA1.hexDigest([]) == "da39a3ee5e6b4b0d3255bfef95601890afd80709")
        #expect(SHA1.hexDigest(Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8)) == "84983e441c3bd26ebaae4aa1f95129e5e54670f1")
        #expect(RedisScript("return 1").sha1 == "e0e1f9fabfc9d4800c877a703b823ac0578ff8db")
    }

    @Test("reconnect backoff doubles, stays within its cap, and keeps at least half")
    func backoff() {
        let backoff = ReconnectBackoff(initial: .milliseconds(50), maximum: .seconds(5))
        #expect(backoff.delay(afterFailures: 1, random: 1) == .milliseconds(50))
        #expect(backoff.delay(afterFailures: 1, random: 0) == .milliseconds(25))
        #expect(backoff.delay(afterFailures: 3, random: 1) == .milliseconds(200))
        #expect(backoff.delay(afterFailures: 40, random: 1) == .seconds(5))
        #expect(backoff.delay(afterFailures: 1000, random: 0) == .milliseconds(2500))
    }
}
