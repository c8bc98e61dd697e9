import NIOConcurrencyHelpers
import NIOCore
import Synchronization

/// What a request path resolved to on disk, remembered for a short while so that repeated
/// requests for a file skip the path resolution and `stat` calls (like nginx's
/// `open_file_cache_valid`). A change to a file shows within `validity`; the content itself
/// is always checked against the file's identity before it is sent.
final class FileSelectionCache: Sendable {
    struct Key: Hashable, Sendable {
        var path: Substring
        var endsWithSlash: Bool
    }

    private struct Entry {
        var outcome: FileLookup.Outcome
        var expires: NIODeadline
    }

    let validity: TimeAmount
    let capacity: Int
    private let entries = NIOLockedValueBox([Key: Entry]())
    private let clears = Atomic<Int>(0)

    /// Changes whenever entries are dropped before they expire: an answer worked out from an
    /// earlier generation may come from a file version a newer lookup no longer sees.
    var generation: Int { clears.load(ordering: .acquiring) }

    init(validity: TimeAmount, capacity: Int = 16_384) {
        self.validity = validity
        self.capacity = capacity
    }

    /// The remembered outcome for `key`, if it is still valid.
    func outcome(for key: Key, now: NIODeadline = .now()) -> FileLookup.Outcome? {
        remembered(key, now: now)?.outcome
    }

    /// The remembered outcome for `key` and until when it holds, if it is still valid.
    func remembered(_ key: Key, now: NIODeadline = .now()) -> (outcome: FileLookup.Outcome, expires: NIODeadline)? {
        entries.withLockedValue { entries in
            guard let entry = entries[key] else { return nil }
            guard entry.expires > now else {
                entries[key] = nil
                return nil
            }
            return (entry.outcome, entry.expires)
        }
    }

    func remember(_ outcome: FileLookup.Outcome, for key: Key, now: NIODeadline = .now()) {
        entries.withLockedValue { entries in
            // Bounded without bookkeeping: when full, start over (every entry is short-lived).
            if entries.count >= capacity {
                entries.removeAll(keepingCapacity: true)
                clears.add(1, ordering: .releasing)
            }
            entries[key] = Entry(outcome: outcome, expires: now + validity)
        }
    }
}
