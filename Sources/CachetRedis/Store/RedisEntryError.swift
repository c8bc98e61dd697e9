/// Why what a version hash holds is not a valid entry (``RedisEntryHeader``). A reader that
/// meets one rejects the entry: it is never returned, and counted in
/// `RedisStore.rejectedValues`.
enum RedisEntryError: Error, Sendable, Hashable {
    /// Fewer bytes than the header block's fixed part, or than the lengths it declares.
    case truncated
    /// More bytes than the lengths the header block declares.
    case trailingBytes
    case badMagic
    case unsupportedVersion
    case unsupportedFlags
    /// A length beyond the format's limits, or a chunk count that does not match the body
    /// length and chunk size.
    case lengthOutOfRange
    case headerChecksumMismatch
    case malformedKey
    case malformedPolicy
    /// The header block names another key, Vary key or response than the pointer that led
    /// to it.
    case wrongEntry
    /// The version hash has body chunks but no header block.
    case missingHeader
    /// A body chunk is missing.
    case missingChunk(Int)
    /// A body chunk is longer or shorter than the header block says.
    case wrongChunkLength(Int)
    /// A chunk past the last one the header block declares.
    case extraChunk(Int)
    /// The body's bytes do not have the checksum the header block declares.
    case bodyChecksumMismatch
    /// The pointer's value does not parse.
    case malformedPointer
}
