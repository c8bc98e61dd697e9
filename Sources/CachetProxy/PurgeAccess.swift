#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import HTTPTypes
import NIOCore

/// Who may purge: clients from the listed networks (loopback by default), or any client that
/// sends `Authorization: Bearer <token>` when a token is configured. Everyone else gets 403
/// and nothing is removed.
public struct PurgeAccess: Sendable {
    public var allowedNetworks: [ClientNetwork]
    public var token: String?

    public init(allowedNetworks: [ClientNetwork] = ClientNetwork.loopback, token: String? = nil) {
        self.allowedNetworks = allowedNetworks
        self.token = token
    }

    /// Whether a purge from `client` carrying `fields` is allowed.
    public func allows(client: SocketAddress?, fields: HTTPFields) -> Bool {
        if let token, !token.isEmpty, let authorization = fields[.authorization], Self.bearer(authorization, matches: token) {
            return true
        }
        guard let bytes = client.flatMap(ClientNetwork.addressBytes) else { return false }
        return allowedNetworks.contains { $0.contains(bytes) }
    }

    /// Compares in time independent of where the values differ, so that the token cannot be
    /// guessed byte by byte from response times.
    static func bearer(_ authorization: String, matches token: String) -> Bool {
        let value = Array(authorization.utf8)
        let scheme = Array("bearer ".utf8)
        guard value.count > scheme.count,
            zip(value.prefix(scheme.count), scheme).allSatisfy({ $0 | 0x20 == $1 | 0x20 })
        else { return false }
        let given = value.dropFirst(scheme.count).drop { $0 == 0x20 }
        let expected = Array(token.utf8)
        var difference = UInt8(truncatingIfNeeded: given.count ^ expected.count)
        for (index, byte) in expected.enumerated() {
            let other = index < given.count ? given[given.startIndex + index] : 0
            difference |= byte ^ other
        }
        return difference == 0
    }
}

/// An IPv4 or IPv6 network in CIDR form (`10.0.0.0/8`, `::1`, `192.168.1.7`).
public struct ClientNetwork: Sendable, Hashable, CustomStringConvertible {
    /// 4 bytes for IPv4, 16 for IPv6.
    public let address: [UInt8]
    public let prefixLength: Int

    public static let loopback = [ClientNetwork("127.0.0.0/8")!, ClientNetwork("::1")!]

    public init?(_ text: String) {
        var addressText = Substring(text)
        var prefix: Int?
        if let slash = text.firstIndex(of: "/") {
            addressText = text[..<slash]
            guard let length = Int(text[text.index(after: slash)...]) else { return nil }
            prefix = length
        }
        guard let bytes = Self.parse(String(addressText)) else { return nil }
        let bits = bytes.count * 8
        let length = prefix ?? bits
        guard (0...bits).contains(length) else { return nil }
        self.address = bytes
        self.prefixLength = length
    }

    public var description: String {
        let text: String
        if address.count == 4 {
            text = address.map(String.init).joined(separator: ".")
        } else {
            text = stride(from: 0, to: 16, by: 2).map { String(UInt16(address[$0]) << 8 | UInt16(address[$0 + 1]), radix: 16) }.joined(separator: ":")
        }
        return "\(text)/\(prefixLength)"
    }

    /// Whether `bytes` (as ``addressBytes(_:)`` gives them) is in this network.
    func contains(_ bytes: [UInt8]) -> Bool {
        guard bytes.count == address.count else { return false }
        var remaining = prefixLength
        for index in 0..<bytes.count where remaining > 0 {
            let bits = min(8, remaining)
            let mask = UInt8(truncatingIfNeeded: 0xFF << (8 - bits))
            if bytes[index] & mask != address[index] & mask { return false }
            remaining -= bits
        }
        return true
    }

    /// A client's address as bytes; an IPv4-mapped IPv6 address (`::ffff:a.b.c.d`) as the
    /// IPv4 address it maps, so that IPv4 networks match it.
    static func addressBytes(_ address: SocketAddress) -> [UInt8]? {
        guard let text = address.ipAddress, let bytes = parse(text) else { return nil }
        if bytes.count == 16, bytes.prefix(10).allSatisfy({ $0 == 0 }), bytes[10] == 0xFF, bytes[11] == 0xFF {
            return Array(bytes.suffix(4))
        }
        return bytes
    }

    static func parse(_ text: String) -> [UInt8]? {
        var v4 = in_addr()
        if inet_pton(AF_INET, text, &v4) == 1 {
            return withUnsafeBytes(of: &v4) { Array($0) }
        }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, text, &v6) == 1 {
            return withUnsafeBytes(of: &v6) { Array($0) }
        }
        return nil
    }
}
