import Crypto
import HTTPPreconditions
import NIOCore

/// Strong entity tags derived from content: the first 128 bits of the content's SHA-256,
/// in unpadded base64url (22 characters).
///
/// The tag is a pure function of the bytes, so two servers holding the same bytes send the
/// same tag, and content that is rewritten unchanged keeps its tag (RFC 9110 §8.8.3: a strong
/// validator changes whenever the representation data changes, and only then).
public enum ContentETag {
    /// The strong entity tag of `bytes`.
    public static func strong(for bytes: some Sequence<UInt8>) -> EntityTag {
        var hasher = Hasher()
        hasher.update(bytes)
        return hasher.finalize()
    }

    /// The strong entity tag of a buffer's readable bytes.
    public static func strong(for buffer: ByteBuffer) -> EntityTag {
        var hasher = Hasher()
        hasher.update(buffer)
        return hasher.finalize()
    }

    /// Computes a content tag piece by piece, for content read in chunks.
    public struct Hasher {
        var sha = SHA256()

        public init() {}

        public mutating func update(_ bytes: some Sequence<UInt8>) {
            let done: Void? = bytes.withContiguousStorageIfAvailable { sha.update(bufferPointer: UnsafeRawBufferPointer($0)) }
            if done == nil { sha.update(data: Array(bytes)) }
        }

        public mutating func update(_ buffer: ByteBuffer) {
            buffer.withUnsafeReadableBytes { sha.update(bufferPointer: $0) }
        }

        public mutating func update(_ bytes: UnsafeRawBufferPointer) {
            sha.update(bufferPointer: bytes)
        }

        public func finalize() -> EntityTag {
            let digest = sha.finalize()
            let opaque = digest.withUnsafeBytes { Base64URL.encode(UnsafeRawBufferPointer(rebasing: $0.prefix(16))) }
            return EntityTag(opaqueTag: opaque)!
        }
    }
}

/// Unpadded base64url (RFC 4648 §5): every character is valid inside an entity tag.
enum Base64URL {
    static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)

    static func encode(_ bytes: UnsafeRawBufferPointer) -> String {
        var out: [UInt8] = []
        out.reserveCapacity((bytes.count * 4 + 2) / 3)
        var index = 0
        while index + 3 <= bytes.count {
            let n = UInt32(bytes[index]) << 16 | UInt32(bytes[index + 1]) << 8 | UInt32(bytes[index + 2])
            out.append(alphabet[Int(n >> 18 & 63)])
            out.append(alphabet[Int(n >> 12 & 63)])
            out.append(alphabet[Int(n >> 6 & 63)])
            out.append(alphabet[Int(n & 63)])
            index += 3
        }
        let rest = bytes.count - index
        if rest == 1 {
            let n = UInt32(bytes[index]) << 16
            out.append(alphabet[Int(n >> 18 & 63)])
            out.append(alphabet[Int(n >> 12 & 63)])
        } else if rest == 2 {
            let n = UInt32(bytes[index]) << 16 | UInt32(bytes[index + 1]) << 8
            out.append(alphabet[Int(n >> 18 & 63)])
            out.append(alphabet[Int(n >> 12 & 63)])
            out.append(alphabet[Int(n >> 6 & 63)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
