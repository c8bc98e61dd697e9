import HTTPTypes
import NIOConcurrencyHelpers

/// The 200 and 304 heads of the file versions answered at once, built once per version
/// instead of once per request: building a head (media type, `Cache-Control` rule, dates,
/// field validation, the bytes of the status line and fields) costs more than evaluating
/// the request's conditions against it.
final class FileHeadCache: Sendable {
    struct Key: Hashable, Sendable {
        var urlPath: String
        var identity: FileIdentity
        var coding: ContentCoding?
        var hasVariants: Bool
    }

    struct Heads: Sendable {
        var full: ImmediateAnswer
        var notModified: ImmediateAnswer

        init(full: HTTPResponse, notModified: HTTPResponse) {
            self.full = ImmediateAnswer(full, encodedHead: ImmediateAnswer.encodedHead(full))
            self.notModified = ImmediateAnswer(notModified, encodedHead: ImmediateAnswer.encodedHead(notModified))
        }
    }

    let capacity: Int
    private let entries = NIOLockedValueBox([Key: Heads]())

    init(capacity: Int = 16_384) {
        self.capacity = capacity
    }

    func heads(for key: Key, build: () -> Heads) -> Heads {
        if let heads = entries.withLockedValue({ $0[key] }) { return heads }
        let heads = build()
        entries.withLockedValue { entries in
            // Bounded without bookkeeping: when full, start over.
            if entries.count >= capacity { entries.removeAll(keepingCapacity: true) }
            entries[key] = heads
        }
        return heads
    }
}
