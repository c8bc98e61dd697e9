import NIOCore

/// Reading origin bodies whole, for storage.
enum OriginBody {
    enum Failure: Error, Hashable {
        /// Longer than the most the cache stores.
        case tooLarge
        /// Shorter than the declared Content-Length: the origin cut it off.
        case truncated
    }

    /// The whole body, or an error when it is larger than `limit` or ends before its
    /// declared length (a truncated body is never stored).
    static func collect(_ response: OriginResponse, limit: Int) async throws -> ByteBuffer {
        var collected = ByteBuffer()
        if let declared = response.declaredLength {
            guard declared <= limit else { throw Failure.tooLarge }
            collected.reserveCapacity(declared)
        }
        for try await var chunk in response.body {
            guard collected.readableBytes + chunk.readableBytes <= limit else { throw Failure.tooLarge }
            collected.writeBuffer(&chunk)
        }
        if let declared = response.declaredLength, declared != collected.readableBytes {
            throw Failure.truncated
        }
        return collected
    }

    /// Reads and drops a body (a 304 has none, but the connection must be left clean).
    static func discard(_ response: OriginResponse) async throws {
        for try await _ in response.body {}
    }
}

extension Optional {
    /// The value, leaving `nil` behind, so a buffer can be appended to without a copy.
    mutating func take() -> Wrapped? {
        defer { self = nil }
        return self
    }
}
