import HTTPPreconditions
import NIOConcurrencyHelpers

/// What identifies one version of a file's content without reading it: device, inode, size
/// and modification time to the nanosecond.
public struct FileIdentity: Sendable, Hashable {
    public var device: UInt64
    public var inode: UInt64
    public var size: Int64
    public var modificationSeconds: Int64
    public var modificationNanoseconds: Int64

    public init(device: UInt64, inode: UInt64, size: Int64, modificationSeconds: Int64, modificationNanoseconds: Int64) {
        self.device = device
        self.inode = inode
        self.size = size
        self.modificationSeconds = modificationSeconds
        self.modificationNanoseconds = modificationNanoseconds
    }
}

/// Content tags of files, computed once per file version and shared by every request.
///
/// Concurrent requests for a file not yet hashed wait for one computation. A file that is
/// touched gets a new identity and is hashed again, which gives it the same tag when its
/// bytes did not change. The cache holds at most `capacity` versions.
public final class FileDigestCache: Sendable {
    enum Entry {
        case ready(EntityTag)
        case pending(Task<EntityTag, any Error>)
    }

    struct State {
        var entries: [FileIdentity: Entry] = [:]
        var order: [FileIdentity] = []
        var head = 0
    }

    let capacity: Int
    let state = NIOLockedValueBox(State())

    public init(capacity: Int = 65_536) {
        precondition(capacity > 0)
        self.capacity = capacity
    }

    /// The tag of the file version `identity`, computed with `compute` when not cached.
    public func etag(for identity: FileIdentity, compute: @escaping @Sendable () async throws -> EntityTag) async throws -> EntityTag {
        let found: Entry = state.withLockedValue { state in
            if let entry = state.entries[identity] { return entry }
            let task = Task { try await compute() }
            state.entries[identity] = .pending(task)
            state.order.append(identity)
            Self.evict(&state, capacity: capacity)
            return .pending(task)
        }
        let task: Task<EntityTag, any Error>
        switch found {
        case .ready(let tag): return tag
        case .pending(let pending): task = pending
        }
        do {
            let tag = try await task.value
            state.withLockedValue { state in
                if case .pending? = state.entries[identity] { state.entries[identity] = .ready(tag) }
            }
            return tag
        } catch {
            state.withLockedValue { state in
                if case .pending? = state.entries[identity] { state.entries[identity] = nil }
            }
            throw error
        }
    }

    /// The tag of `identity` if it is already computed, without waiting.
    public func readyTag(for identity: FileIdentity) -> EntityTag? {
        state.withLockedValue { state in
            if case .ready(let tag)? = state.entries[identity] { return tag }
            return nil
        }
    }

    /// How many file versions are cached.
    public var count: Int { state.withLockedValue { $0.entries.count } }

    private static func evict(_ state: inout State, capacity: Int) {
        while state.entries.count > capacity, state.head < state.order.count {
            state.entries[state.order[state.head]] = nil
            state.head += 1
        }
        if state.head > capacity {
            state.order.removeFirst(state.head)
            state.head = 0
        }
    }
}

