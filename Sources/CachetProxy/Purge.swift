import CachetStorage
import HTTPCachePolicy
import HTTPPreconditions
import HTTPTypes
import NIOCore

/// What a `PURGE` request asks for.
///
/// - `PURGE /path` removes every stored variant of that URL (for GET and HEAD alike).
/// - `PURGE /` with `Surrogate-Key: a b` (or `Cache-Tag: a, b`) removes every response that
///   carries one of those keys, whatever its URL; the target is then ignored.
/// - `Cachet-Soft-Purge: 1` marks the responses invalid instead of removing them (RFC 9111
///   §4.4): the next request revalidates them with the origin, and meanwhile they remain
///   usable for `stale-if-error` and `stale-while-revalidate` (RFC 5861).
///
/// A purge never reaches the origin. It answers 200 with `Cachet-Purged: N`, the number of
/// stored responses it removed or marked (0 when there were none). With a shared tier that
/// does not answer, it answers 503 (with the same count): this node's copies are gone, but
/// the other nodes may not have heard, so the purge should be sent again.
struct PurgeRequest: Sendable, Hashable {
    enum Target: Sendable, Hashable {
        case url(CacheKey)
        case surrogateKeys(Set<String>)
    }

    var target: Target
    var soft: Bool

    static let method = HTTPRequest.Method("PURGE")!
    static let softField = HTTPField.Name("Cachet-Soft-Purge")!
    static let purgedField = HTTPField.Name("Cachet-Purged")!

    init(target: Target, soft: Bool) {
        self.target = target
        self.soft = soft
    }

    /// The purge `request` asks for; `nil` when it names neither a URL nor a key.
    init?(_ request: HTTPRequest) {
        var keys: [String] = []
        for field in request.headerFields where field.name == SurrogateKeys.surrogateKey || field.name == SurrogateKeys.cacheTag {
            keys += SurrogateKeys.parseList(field.value)
        }
        let softValue = request.headerFields[Self.softField].map { String($0.filter { $0 != " " && $0 != "\t" }).lowercased() }
        soft = softValue == "1" || softValue == "true" || softValue == "yes"
        if !keys.isEmpty {
            target = .surrogateKeys(Set(keys))
        } else if let key = CacheKey(request: request) {
            target = .url(key.with(method: .get))
        } else {
            return nil
        }
    }
}

extension RequestFlow {
    /// Answers a `PURGE`: 403 unless ``ProxyConfiguration/purge`` allows the client, 400 when
    /// it names nothing, else 200 once the responses are gone from every tier and the other
    /// nodes have been told.
    func purge(_ request: HTTPRequest, client: SocketAddress?, writer: ChannelResponseWriter) async {
        guard configuration.purge.allows(client: client, fields: request.headerFields) else {
            logger.notice("purge refused", metadata: ["client": "\(client.map { "\($0)" } ?? "unknown")", "target": "\(request.path ?? "")"])
            return await writer.writeError(.purgeForbidden, headers: headers)
        }
        guard let purge = PurgeRequest(request) else {
            return await writer.writeError(.badRequest("a purge needs a URL or a Surrogate-Key field"), headers: headers)
        }
        let (count, reachedFleet) = await perform(purge)
        logger.info("purged", metadata: ["target": "\(purge.target)", "soft": "\(purge.soft)", "responses": "\(count)", "fleet": "\(reachedFleet)"])
        var message = "\(purge.soft ? "Marked" : "Purged") \(count) stored response\(count == 1 ? "" : "s")"
        // The other nodes may still serve what this one dropped: the client is told to retry.
        message += reachedFleet ? ".\n" : " on this node; the shared tier did not answer, so other nodes may still hold them. Retry the purge.\n"
        var head = ProxyError.plainText(status: reachedFleet ? .ok : .serviceUnavailable, message: message)
        head.headerFields[.date] = headers.dates.current().1
        head.headerFields[PurgeRequest.purgedField] = String(count)
        await writer.write(head, body: ByteBuffer(string: message), outcome: .purge)
    }

    /// Removes or marks what `purge` names in every tier, then tells the other nodes to do
    /// the same with their own tiers. Returns how many stored responses it touched: here, or
    /// in the shared tier when that is more (a response held in several tiers counts once);
    /// and whether the shared tier took the purge and its broadcast.
    func perform(_ purge: PurgeRequest) async -> (count: Int, reachedFleet: Bool) {
        guard let shared else { return (await performLocally(purge), true) }
        // Recorded first, so that what this node's reads bring back meanwhile is not kept.
        let number = shared.beginPurge(purge, heard: false, now: clock.now())
        defer { shared.endPurge(number) }
        let here = await performLocally(purge)
        let inShared = await shared.purge(purge, now: clock.now())
        let broadcast = await shared.broadcast(purge)
        return (max(here, inShared ?? 0), inShared != nil && broadcast)
    }

    /// Removes or marks what `purge` names in this node's memory and disk. Returns how many
    /// stored responses it touched.
    func performLocally(_ purge: PurgeRequest) async -> Int {
        switch purge.target {
        case .url(let key):
            return await purgeKey(key, taggedWithAnyOf: nil, soft: purge.soft)
        case .surrogateKeys(let tags):
            var keys = Set<CacheKey>()
            for tag in tags {
                keys.formUnion(store.keys(taggedWith: tag))
                if let onDisk = disk?.store?.keys(taggedWith: tag) { keys.formUnion(onDisk) }
            }
            var count = 0
            for key in keys { count += await purgeKey(key, taggedWithAnyOf: tags, soft: purge.soft) }
            return count
        }
    }

    private func purgeKey(_ key: CacheKey, taggedWithAnyOf tags: Set<String>?, soft: Bool) async -> Int {
        if soft { return await markInvalid(key, taggedWithAnyOf: tags) }
        let store = self.store
        let removeFromMemory = { tags.map { store.remove(key, taggedWithAnyOf: $0) } ?? store.remove(key) }
        guard let disk else { return removeFromMemory() }
        return await disk.purge(key, taggedWithAnyOf: tags, removeFromMemory: removeFromMemory)
    }

    /// A soft purge of one key: each matching variant, in memory and on disk, is replaced by
    /// a copy marked invalid now (RFC 9111 §4.4).
    private func markInvalid(_ key: CacheKey, taggedWithAnyOf tags: Set<String>?) async -> Int {
        let now = clock.now()
        let matches = { (stored: StoredResponse) in tags.map { stored.isTagged(withAnyOf: $0) } ?? true }
        let inMemory = store.variants(for: key).filter(matches)
        for stored in inMemory {
            // The shared copies are marked by the purge itself (SharedTier.purge).
            keepFreshened(stored, as: headers.entry(key: key, policy: stored.policy.markedInvalid(now: now), body: stored.body), share: false)
        }
        var count = inMemory.count
        guard let disk else { return count }
        for stored in await disk.storedOnDisk(key) where matches(stored) && !inMemory.contains(where: { $0.isSameResponse(as: stored) }) {
            let marked = StoredResponse(key: key, policy: stored.policy.markedInvalid(now: now), body: stored.body)
            disk.replace(stored, with: marked, unlessRemovedSince: disk.mark(key))
            count += 1
        }
        return count
    }
}
