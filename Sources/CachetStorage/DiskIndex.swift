import HTTPCachePolicy

/// The in-memory index of the disk store: which entry files exist, for which keys, how big
/// they are, and in what order they were last used. It does no I/O: the store decides,
/// under its lock, what the index says, and acts on the files the index hands back.
struct DiskIndex: @unchecked Sendable {
    /// One entry file.
    struct Entry: Sendable, Hashable {
        /// The file name (``DiskEntryFormat/fileName(key:varyKey:)``).
        let name: String
        let key: CacheKey
        /// The file's size in bytes.
        let size: Int
        /// ``DiskEntryFormat/identity(of:)`` of the stored response.
        let identity: UInt64
        /// The response's surrogate keys.
        var tags: [String] = []
    }

    private final class Node {
        var entry: Entry
        var newer: Node?
        var older: Node?

        init(_ entry: Entry) {
            self.entry = entry
        }
    }

    /// The most bytes of entry files kept.
    let limit: Int
    /// The most Vary variants kept per key.
    let maximumVariants: Int
    private var nodes: [String: Node] = [:]
    /// The names of each key's variants, most recently stored first.
    private var variants: [CacheKey: [String]] = [:]
    /// Surrogate key → the names of the entries carrying it.
    private var tagged: [String: Set<String>] = [:]
    private var head: Node?
    private var tail: Node?
    private(set) var bytes = 0
    private(set) var evictions = 0

    init(limit: Int, maximumVariants: Int) {
        self.limit = limit
        self.maximumVariants = maximumVariants
    }

    var entries: Int { nodes.count }
    var keys: Int { variants.count }

    func entry(named name: String) -> Entry? { nodes[name]?.entry }

    /// The names of `key`'s variants, most recently stored first; marks them as used.
    mutating func use(_ key: CacheKey) -> [String] {
        guard let names = variants[key] else { return [] }
        for name in names.reversed() {
            if let node = nodes[name] { moveToFront(node) }
        }
        return names
    }

    /// The names of `key`'s variants, without marking them as used.
    func names(for key: CacheKey) -> [String] { variants[key] ?? [] }

    /// The keys with an entry carrying surrogate key `tag`.
    func keys(taggedWith tag: String) -> Set<CacheKey> {
        Set((tagged[tag] ?? []).compactMap { nodes[$0]?.entry.key })
    }

    /// Adds (or replaces) an entry as the most recently used, and returns the entries that
    /// must go to stay within the limits: the least recently used ones, and the oldest
    /// variants beyond the cap. The new entry itself is never returned.
    mutating func insert(_ entry: Entry) -> [Entry] {
        if let existing = nodes[entry.name] {
            detach(existing)
        }
        let node = Node(entry)
        nodes[entry.name] = node
        pushFront(node)
        tag(entry)
        bytes += entry.size
        variants[entry.key, default: []].insert(entry.name, at: 0)
        var evicted: [Entry] = []
        if let names = variants[entry.key], names.count > maximumVariants {
            for name in names[maximumVariants...] {
                if let removed = remove(named: name) { evicted.append(removed) }
            }
        }
        while bytes > limit, let oldest = tail, oldest !== node {
            evicted.append(oldest.entry)
            detach(oldest)
        }
        evictions += evicted.count
        return evicted
    }

    /// Adds an entry found at start-up as the least recently used so far: entries are found
    /// newest first. Returns false (and adds nothing) when it would not fit.
    mutating func appendOldest(_ entry: Entry) -> Bool {
        guard nodes[entry.name] == nil, bytes + entry.size <= limit,
            variants[entry.key, default: []].count < maximumVariants
        else { return false }
        let node = Node(entry)
        nodes[entry.name] = node
        tag(entry)
        node.newer = tail
        tail?.older = node
        tail = node
        if head == nil { head = node }
        bytes += entry.size
        variants[entry.key, default: []].append(entry.name)
        return true
    }

    /// Removes an entry. Returns it, or nil when there was none of that name.
    @discardableResult
    mutating func remove(named name: String) -> Entry? {
        guard let node = nodes[name] else { return nil }
        detach(node)
        return node.entry
    }

    private mutating func tag(_ entry: Entry) {
        for tag in entry.tags { tagged[tag, default: []].insert(entry.name) }
    }

    private mutating func detach(_ node: Node) {
        for tag in node.entry.tags {
            tagged[tag]?.remove(node.entry.name)
            if tagged[tag]?.isEmpty == true { tagged[tag] = nil }
        }
        unlink(node)
        nodes[node.entry.name] = nil
        bytes -= node.entry.size
        if var names = variants[node.entry.key] {
            names.removeAll { $0 == node.entry.name }
            variants[node.entry.key] = names.isEmpty ? nil : names
        }
    }

    private mutating func pushFront(_ node: Node) {
        node.older = head
        node.newer = nil
        head?.newer = node
        head = node
        if tail == nil { tail = node }
    }

    private mutating func unlink(_ node: Node) {
        if let newer = node.newer { newer.older = node.older } else { head = node.older }
        if let older = node.older { older.newer = node.newer } else { tail = node.newer }
        node.newer = nil
        node.older = nil
    }

    private mutating func moveToFront(_ node: Node) {
        guard head !== node else { return }
        unlink(node)
        pushFront(node)
    }
}
