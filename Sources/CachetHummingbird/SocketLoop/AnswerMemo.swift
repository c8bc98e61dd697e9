#if os(Linux)
import NIOCore

/// The answers a ``SocketLoop`` gave lately, by bytes that decide them. A loop keeps two:
/// - by the exact bytes of the request head: a client that asks again with the same bytes (a
///   browser revalidating, a load balancer's probe, a benchmark) is answered without reading
///   the head. Byte-for-byte the same head is the same request, which ``SimpleRequestHead``
///   accepted;
/// - by the head's ``AnswerKey``: heads that differ only in fields the files do not read
///   (a request id, cookies) are read, but the files are not consulted again.
///
/// The answer depends on the clock only through the second (RFC 9110 §13.1.3 and §8.8.2.2
/// compare dates in seconds) and on the files only through a lookup that holds until
/// ``ImmediateAnswer/validUntil``: an entry is used within the second it was made, before
/// then, and while no lookup was dropped early (a generation), so the memo never answers
/// differently from the files.
///
/// Direct-mapped and owned by one loop: no locks, a fixed size, a collision replaces.
struct AnswerMemo {
    private struct Entry {
        var hash: UInt64
        var head: [UInt8]
        var wire: ImmediateAnswer.Wire
        var validUntil: NIODeadline
        var generation: Int
        var second: Int64
    }

    private var entries: [Entry?]
    private let mask: Int

    /// The longest head remembered.
    static let maximumHeadLength = 2048

    init(slots: Int = 1024) {
        precondition(slots > 0 && slots & (slots - 1) == 0)
        entries = Array(repeating: nil, count: slots)
        mask = slots - 1
    }

    /// What to send for the head `bytes`; `nil` unless it was remembered for these exact
    /// bytes, in the second `second`, and still holds at `now`.
    func answer(to bytes: UnsafeRawBufferPointer, second: Int64, now: NIODeadline, generation: Int) -> ImmediateAnswer.Wire? {
        guard bytes.count <= Self.maximumHeadLength else { return nil }
        let hash = Self.hash(bytes)
        guard let entry = entries[Int(truncatingIfNeeded: hash) & mask], entry.hash == hash, entry.second == second,
            entry.validUntil > now, entry.generation == generation, entry.head.count == bytes.count,
            entry.head.withUnsafeBytes({ $0.elementsEqual(bytes) })
        else { return nil }
        return entry.wire
    }

    /// Remembers what `answer` sends (`wire`) for the head `bytes`, unless the head is long or it carries a
    /// body larger than is copied next to its head: the memo holds at most
    /// `slots` × (``maximumHeadLength`` + ``ImmediateAnswer/copiedBodySize``) beyond the
    /// shared heads, and never keeps a large file's content alive after the content cache
    /// let it go.
    mutating func remember(_ wire: ImmediateAnswer.Wire, of answer: ImmediateAnswer, to bytes: UnsafeRawBufferPointer, second: Int64) {
        guard bytes.count <= Self.maximumHeadLength, (wire.body?.readableBytes ?? 0) <= ImmediateAnswer.copiedBodySize else { return }
        let hash = Self.hash(bytes)
        entries[Int(truncatingIfNeeded: hash) & mask] = Entry(
            hash: hash, head: Array(bytes), wire: wire, validUntil: answer.validUntil, generation: answer.lookupGeneration, second: second
        )
    }

    /// Eight bytes at a time, multiplied and folded; collisions only cost a miss.
    static func hash(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
        var hash: UInt64 = 0x9E37_79B9_7F4A_7C15 ^ UInt64(bytes.count)
        var index = 0
        while index + 8 <= bytes.count {
            let word = bytes.loadUnaligned(fromByteOffset: index, as: UInt64.self)
            hash = (hash ^ word) &* 0xFF51_AFD7_ED55_8CCD
            hash ^= hash >> 32
            index += 8
        }
        var last: UInt64 = 0
        var shift: UInt64 = 0
        while index < bytes.count {
            last |= UInt64(bytes[index]) << shift
            shift += 8
            index += 1
        }
        hash = (hash ^ last) &* 0xC4CE_B9FE_1A85_EC53
        return hash ^ (hash >> 29)
    }
}
#endif
