import CachetStorage
import HTTPCachePolicy
import HTTPPreconditions
import HTTPTypes
import Logging
import NIOConcurrencyHelpers
import NIOCore

/// The proxy's request flow, top to bottom (see DESIGN.md):
///
/// ```
/// receive → key → lookup ─┬─ fresh hit ─────────────────→ deliver (200/206, or 304 if the client's conditions say so)
///                         ├─ stale, may serve stale (SWR) → deliver stale + revalidate in background
///                         ├─ stale → revalidate ─┬─ 304 → freshen (RFC 9111 §4.3.4, §3.2) → deliver
///                         │                      ├─ 200 → replace → deliver
///                         │                      └─ error/5xx → stale-if-error if allowed, else 502/504
///                         └─ miss → fetch (coalesced, across nodes too) → store if storable → deliver
/// lookup: memory → disk → shared tier (what a lower tier has is promoted into the ones above)
/// unsafe method → forward → invalidate target URI, Location, Content-Location (RFC 9111 §4.4)
/// PURGE → allowed client? → remove (or mark invalid) by URL or surrogate key, in every tier → tell the other nodes
/// ```
///
/// Every decision is a call into `HTTPCachePolicy`; this type only moves requests, responses
/// and bytes between the client, the store and the origin.
///
/// With `--disk`, lookup asks the disk when memory misses and promotes what it finds; what is
/// stored, freshened or removed in memory is written behind to disk (``DiskTier``). With
/// `--shared`, the shared tier comes after the disk in the same way (``SharedTier``), a miss
/// everywhere is filled by one node of the fleet while the others wait, and purges reach
/// every node.
final class RequestFlow: Sendable {
    let configuration: ProxyConfiguration
    let store: MemoryStore
    let origin: OriginClient
    let clock: any ProxyClock
    let logger: Logger
    let coalescer = Coalescer()
    let headers: DeliveryHeaders
    /// The persistent tier behind `store`, with `--disk`.
    let disk: DiskTier?
    /// The tier several nodes share, behind memory and disk, with `--shared`.
    let shared: SharedTier?
    /// Background revalidations.
    let background = TaskRegistry()
    /// Requests being answered off the event loop.
    let requests = TaskRegistry()

    init(
        configuration: ProxyConfiguration, store: MemoryStore, disk: DiskTier? = nil, shared: SharedTier? = nil, origin: OriginClient,
        clock: any ProxyClock, logger: Logger
    ) {
        self.configuration = configuration
        self.store = store
        self.disk = disk
        self.shared = shared
        self.origin = origin
        self.clock = clock
        self.logger = logger
        self.headers = DeliveryHeaders(cacheName: configuration.cacheName, dates: DateFieldCache(clock: clock))
    }

    // MARK: - Receive

    /// The fast path, run on the event loop: a fresh stored response answers the request
    /// with no task, no origin and no lock held beyond the store's lookup. `prepared` says
    /// whether the connection takes an entry's prepared head (HTTP/1.1, kept alive).
    func answerFromMemory(_ request: HTTPRequest, prepared: Bool) -> FreshHit? {
        guard request.method == .get || request.method == .head else { return nil }
        // One pass over the request's fields decides both whether the cache may answer and how.
        let adaptation = Self.adaptation(request)
        guard adaptation != .originOnly, configuration.origin(for: request.authority) != nil, let key = Self.key(for: request)
        else { return nil }
        return Self.freshHit(request, key: key, adaptation: adaptation, store: store, headers: headers, now: clock.now(), prepared: prepared)
    }

    /// A fresh hit's answer: the bytes of its head from the entry's prepared heads for a
    /// plain request or a conditional one answered 304, else the delivery built for the
    /// request (ranges, HTTP/1.0, closing connections). `status` and `replaced` (the body
    /// length a 304 stands in for) are for the metrics and the access log.
    enum FreshHit {
        case prepared(head: ByteBuffer, body: ByteBuffer?, status: Int, replaced: Int)
        case delivery(Delivery)
    }

    /// The answer of a fresh stored response for `request`, or `nil` when there is none:
    /// the whole fast path after the request's checks (also driven by the benchmarks' probe).
    static func freshHit(
        _ request: HTTPRequest, key: CacheKey, adaptation: Adaptation, store: MemoryStore, headers: DeliveryHeaders, now: HTTPDate,
        prepared: Bool
    ) -> FreshHit? {
        let variants = store.variants(for: key)
        guard !variants.isEmpty, let index = select(variants, for: request) else { return nil }
        let stored = variants[index]
        guard case .fresh = stored.policy.evaluate(request: request, now: now) else { return nil }
        if prepared, let heads = stored.prepared {
            switch adaptation {
            case .none:
                return .prepared(
                    head: headers.hitHead(heads.full, policy: stored.policy, now: now, allocator: DeliveryHeaders.allocator), body: stored.body,
                    status: stored.policy.response.status.code, replaced: 0
                )
            case .conditional:
                // The client's own conditional, answered from the cache (RFC 9111 §4.3.2).
                if let notModified = heads.notModified,
                    case .notModified = request.evaluatePreconditions(
                        for: stored.policy.validators, now: now, role: .cache, unconditionalStatus: stored.policy.response.status
                    )
                {
                    return .prepared(
                        head: headers.hitHead(notModified, policy: stored.policy, now: now, allocator: DeliveryHeaders.allocator), body: nil,
                        status: 304, replaced: stored.body.readableBytes
                    )
                }
            case .range, .originOnly:
                break
            }
        }
        return .delivery(headers.deliver(stored, to: request, now: now, status: .hit))
    }

    enum Adaptation {
        /// If-Match or If-Unmodified-Since: for the origin alone (RFC 9111 §4.3.2).
        case originOnly
        case none
        /// If-None-Match or If-Modified-Since, which the cache answers itself (RFC 9111 §4.3.2).
        case conditional
        /// A range of the stored response (RFC 9110 §14.2).
        case range
    }

    /// What the stored response must be adapted to for this request.
    static func adaptation(_ request: HTTPRequest) -> Adaptation {
        var adaptation = Adaptation.none
        for field in request.headerFields {
            let name = field.name
            if name == .ifMatch || name == .ifUnmodifiedSince { return .originOnly }
            if name == .range { adaptation = .range }
            if adaptation == .none, name == .ifNoneMatch || name == .ifModifiedSince { adaptation = .conditional }
        }
        return adaptation
    }

    /// Everything that is not a fresh hit from memory.
    func handle(_ request: HTTPRequest, body: ByteBuffer?, client: SocketAddress?, writer: ChannelResponseWriter) async {
        // A purge is for this cache alone: it never reaches an origin.
        if request.method == PurgeRequest.method {
            return await purge(request, client: client, writer: writer)
        }
        guard let origin = configuration.origin(for: request.authority) else {
            return await writer.writeError(.unknownHost(request.authority ?? ""), headers: headers)
        }
        if !Invalidation.isSafe(request.method) {
            return await forwardUnsafe(request, body: body, to: origin, writer: writer)
        }
        // Only GET and HEAD are served from the cache. If-Match and If-Unmodified-Since are
        // for the origin alone (RFC 9111 §4.3.2), so such requests go there as they are.
        guard request.method == .get || request.method == .head, Self.adaptation(request) != .originOnly,
            let key = Self.key(for: request)
        else {
            return await pass(request, body: body, to: origin, writer: writer)
        }
        await lookup(request, key: key, origin: origin, writer: writer, attempts: 0)
    }

    // MARK: - Lookup

    private func lookup(_ request: HTTPRequest, key: CacheKey, origin: OriginAddress, writer: ChannelResponseWriter, attempts: Int) async {
        // Memory first, then disk: a disk hit is promoted into memory for the next requests.
        let (variants, tier) = await storedVariants(for: key)
        let now = clock.now()
        var missReason = CacheStatusValue.ForwardReason.uriMiss
        if !variants.isEmpty {
            missReason = .varyMiss
            if let index = Self.select(variants, for: request) {
                let stored = variants[index]
                switch stored.policy.evaluate(request: request, now: now) {
                case .fresh:
                    metrics.hit(from: tier)
                    return await writer.write(headers.deliver(stored, to: request, now: now, status: CacheStatusValue.hit(from: tier)))
                case .usableStale(let use, let revalidation):
                    if use == .staleWhileRevalidate, let revalidation {
                        revalidateInBackground(stored, with: revalidation, key: key, origin: origin)
                    }
                    return await writer.write(headers.deliver(stored, to: request, now: now, status: .staleHit(use)))
                case .mustRevalidate(let conditional, _):
                    return await revalidate(
                        stored, with: conditional, for: request, key: key, origin: origin, writer: writer, attempts: attempts,
                        askShared: tier != .shared
                    )
                case .onlyIfCachedUnsatisfied:
                    return await writer.writeError(.notCached, headers: headers)
                case .mismatch:
                    break
                }
            }
        }
        if CacheControl(requestFields: request.headerFields).onlyIfCached {
            return await writer.writeError(.notCached, headers: headers)
        }
        await fetch(request, key: key, origin: origin, writer: writer, reason: missReason, attempts: attempts)
    }

    // MARK: - Miss

    /// Fetches the response for a miss, one origin request per key: concurrent requests for
    /// the key wait for this one and are served from what it stored.
    private func fetch(
        _ request: HTTPRequest, key: CacheKey, origin: OriginAddress, writer: ChannelResponseWriter,
        reason: CacheStatusValue.ForwardReason, attempts: Int
    ) async {
        guard let settleHere = await flight(key, for: request, origin: origin, writer: writer, attempts: attempts) else { return }
        var claim: FillClaim.Token?
        if let shared, attempts < 2 {
            switch await shared.startFill(key) {
            case .claimed(let token):
                claim = token
            case .lookAgain:
                if await answerFromShared(request, key: key, origin: origin, writer: writer, attempts: attempts, settle: settleHere) { return }
            case .fetch:
                break
            }
        }
        // A claim is released once the response is published (or known not to be), which
        // wakes the other nodes' requests waiting for it.
        let settle: @Sendable (Coalescer.Outcome) -> Void = { [shared, claim] outcome in
            settleHere(outcome)
            if let claim { shared?.endFill(key, claim: claim) }
        }
        // The client's own conditions are answered by the cache from what it stores, so the
        // origin is asked for the whole response (as a revalidation-free miss).
        let outbound = OriginRequests.miss(request, via: headers.via)
        let requestTime = clock.now()
        let response: OriginResponse
        do {
            response = try await self.origin.send(outbound, body: nil, to: origin)
        } catch {
            let proxyError = ProxyError(error)
            settle(.failed(proxyError))
            return await writer.writeError(proxyError, headers: headers, forward: reason)
        }
        let policy = CachePolicy(
            request: outbound, response: response.head, requestTime: requestTime, responseTime: clock.now(),
            options: configuration.policyOptions
        )
        await deliverAndStore(response, policy: policy, key: key, request: request, writer: writer, reason: reason) { stored in
            settle(stored.map { .shareable($0) } ?? .notShareable)
        }
    }

    /// Joins the flight for `key`. Returns `nil` when another request was already fetching
    /// it and this one has been answered from its outcome; otherwise the function that hands
    /// this request's outcome to the requests coalesced behind it. After two attempts a
    /// request stops coalescing and goes to the origin on its own.
    private func flight(
        _ key: CacheKey, for request: HTTPRequest, origin: OriginAddress, writer: ChannelResponseWriter, attempts: Int
    ) async -> (@Sendable (Coalescer.Outcome) -> Void)? {
        if attempts < 2, let outcome = await coalescer.join(key) {
            await followLeader(outcome, request: request, key: key, origin: origin, writer: writer, attempts: attempts)
            return nil
        }
        let isLeader = attempts < 2
        return { [coalescer] outcome in
            if isLeader { coalescer.finish(key, with: outcome) }
        }
    }

    /// After another node filled `key` (or while it could not be waited for longer): answers
    /// from what the shared tier holds now. Returns false, having done nothing, when it holds
    /// nothing, so that this node fetches itself.
    private func answerFromShared(
        _ request: HTTPRequest, key: CacheKey, origin: OriginAddress, writer: ChannelResponseWriter, attempts: Int,
        settle: @escaping @Sendable (Coalescer.Outcome) -> Void
    ) async -> Bool {
        let found = await promoteShared(key)
        guard !found.isEmpty else { return false }
        let now = clock.now()
        if let index = Self.select(found, for: request), case .fresh = found[index].policy.evaluate(request: request, now: now) {
            settle(.shareable(found[index]))
            metrics.hit(from: .shared)
            await writer.write(headers.deliver(found[index], to: request, now: now, status: .sharedHit))
        } else {
            // Another variant, or already stale: the usual way, with what is now stored here.
            settle(.retry)
            await lookup(request, key: key, origin: origin, writer: writer, attempts: attempts + 1)
        }
        return true
    }

    private func followLeader(
        _ outcome: Coalescer.Outcome, request: HTTPRequest, key: CacheKey, origin: OriginAddress,
        writer: ChannelResponseWriter, attempts: Int
    ) async {
        switch outcome {
        case .shareable(let stored):
            let now = clock.now()
            if stored.policy.varyKey.matches(request.headerFields), stored.policy.varyKey.varyAll == false {
                return await writer.write(headers.deliver(stored, to: request, now: now, status: .collapsed))
            }
            await lookup(request, key: key, origin: origin, writer: writer, attempts: attempts + 1)
        case .notShareable:
            // Not shareable: each waiter asks the origin itself, without coalescing.
            await fetch(request, key: key, origin: origin, writer: writer, reason: .uriMiss, attempts: 2)
        case .failed(let error):
            let stale = store.variants(for: key)
            await answerError(error, with: Self.select(stale, for: request).map { stale[$0] }, for: request, writer: writer)
        case .retry:
            await lookup(request, key: key, origin: origin, writer: writer, attempts: attempts + 1)
        }
    }

    /// An origin failure: the stale entry where stale-if-error allows it, else 502/504.
    private func answerError(_ error: ProxyError, with stored: StoredResponse?, for request: HTTPRequest, writer: ChannelResponseWriter) async {
        let now = clock.now()
        if let stored, stored.policy.allowsStaleIfError(request: request, now: now) {
            return await writer.write(headers.deliver(stored, to: request, now: now, status: .staleHit(.staleIfError)))
        }
        await writer.writeError(error, headers: headers, forward: stored == nil ? .uriMiss : .stale)
    }

    // MARK: - Revalidation

    private func revalidate(
        _ stored: StoredResponse, with conditional: HTTPRequest, for request: HTTPRequest, key: CacheKey,
        origin: OriginAddress, writer: ChannelResponseWriter, attempts: Int, askShared: Bool
    ) async {
        guard let settle = await flight(key, for: request, origin: origin, writer: writer, attempts: attempts) else { return }
        // Another node may have revalidated it already (RFC 9111 §4.3.4 on its side): one read
        // of the shared tier per key, by the request the others wait for.
        if askShared, let fresher = await fresherShared(for: request, key: key, now: clock.now()) {
            settle(.shareable(fresher))
            metrics.hit(from: .shared)
            return await writer.write(headers.deliver(fresher, to: request, now: clock.now(), status: .sharedHit))
        }
        let outbound = OriginRequests.validation(conditional, via: headers.via)
        // A purge from here on wins over what this validation's answer would publish.
        let mark = shared?.purgeMark()
        let requestTime = clock.now()
        let response: OriginResponse
        do {
            response = try await self.origin.send(outbound, body: nil, to: origin)
        } catch {
            // Each request, this one and those coalesced behind it, decides for itself whether
            // its stale-if-error allows the stale entry (RFC 5861 §4).
            let proxyError = ProxyError(error)
            settle(.failed(proxyError))
            return await answerError(proxyError, with: stored, for: request, writer: writer)
        }
        let responseTime = clock.now()
        switch stored.policy.revalidated(with: outbound, response: response.head, requestTime: requestTime, responseTime: responseTime) {
        case .notModified(let freshened):
            try? await OriginBody.discard(response)
            metrics.originNotModified(replacing: stored.body.readableBytes)
            let updated = headers.entry(key: key, policy: freshened, body: stored.body)
            // A 304 that makes the response unshareable (private, no-store) removes the
            // entry: this client alone gets it (RFC 9111 §3.2, §5.2.2.5, §5.2.2.7).
            settle(freshen(stored, to: updated, since: mark) ? .shareable(updated) : .notShareable)
            await writer.write(headers.deliver(updated, to: request, now: responseTime, status: .revalidated))
        case .serveStale(let use):
            try? await OriginBody.discard(response)
            settle(.shareable(stored))
            await writer.write(headers.deliver(stored, to: request, now: responseTime, status: .staleHit(use)))
        case .modified(let policy):
            // A server error does not replace what is stored: the stale entry stays for
            // stale-if-error and later revalidations; this client gets the error.
            let serverError = response.head.status.code >= 500
            await deliverAndStore(
                response, policy: serverError ? nil : policy, key: key, request: request, writer: writer, reason: .stale
            ) { replacement in
                if !serverError { self.replaced(stored, by: replacement) }
                settle(replacement.map { .shareable($0) } ?? .notShareable)
            }
        case .notModifiedForOtherResponse:
            // The 304 cannot be used for what we hold: ask again without conditions.
            try? await OriginBody.discard(response)
            forget(stored)
            settle(.retry)
            await fetch(request, key: key, origin: origin, writer: writer, reason: .stale, attempts: 2)
        }
    }

    /// stale-while-revalidate (RFC 5861 §3): one background revalidation per key.
    private func revalidateInBackground(_ stored: StoredResponse, with conditional: HTTPRequest, key: CacheKey, origin: OriginAddress) {
        guard coalescer.tryLead(key) else { return }
        background.spawn {
            await self.backgroundRevalidation(stored, with: conditional, key: key, origin: origin)
        }
    }

    private func backgroundRevalidation(_ stored: StoredResponse, with conditional: HTTPRequest, key: CacheKey, origin: OriginAddress) async {
        let outbound = OriginRequests.validation(conditional, via: headers.via)
        // A purge from here on wins over what this validation's answer would publish.
        let mark = shared?.purgeMark()
        let requestTime = clock.now()
        guard let response = try? await self.origin.send(outbound, body: nil, to: origin) else {
            coalescer.finish(key, with: .shareable(stored))
            return
        }
        let responseTime = clock.now()
        switch stored.policy.revalidated(with: outbound, response: response.head, requestTime: requestTime, responseTime: responseTime) {
        case .notModified(let freshened):
            try? await OriginBody.discard(response)
            metrics.originNotModified(replacing: stored.body.readableBytes)
            let updated = headers.entry(key: key, policy: freshened, body: stored.body)
            coalescer.finish(key, with: freshen(stored, to: updated, since: mark) ? .shareable(updated) : .retry)
        case .modified(let policy) where response.head.status.code < 500:
            // Only a complete response replaces the stored one; a failed read keeps it.
            if let body = try? await OriginBody.collect(response, limit: configuration.maximumObjectSize) {
                let replacement = policy.isStorable ? headers.entry(key: key, policy: policy, body: body) : nil
                if let replacement { keep(replacement) }
                replaced(stored, by: replacement)
            }
            coalescer.finish(key, with: .retry)
        case .modified, .serveStale, .notModifiedForOtherResponse:
            // A server error keeps the stale entry for stale-if-error (RFC 5861 §4).
            try? await OriginBody.discard(response)
            coalescer.finish(key, with: .retry)
        }
    }

    /// Stores the freshened entry when it may still be shared; otherwise removes the old one.
    private func freshen(_ stored: StoredResponse, to updated: StoredResponse, since mark: Int?) -> Bool {
        guard updated.policy.isStorable else {
            forget(stored)
            return false
        }
        keepFreshened(stored, as: updated, since: mark)
        return true
    }

    /// After a full response answered a revalidation: the old entry goes unless the new one
    /// took its place (same Vary key; the store replaces on insert).
    private func replaced(_ stored: StoredResponse, by replacement: StoredResponse?) {
        if replacement?.policy.varyKey != stored.policy.varyKey {
            forget(stored)
        }
    }

    /// Waits for requests in flight, background revalidations and the disk writes they
    /// queued to end (shutdown).
    func drain() async {
        await requests.drain()
        await background.drain()
        await disk?.writes.drain()
        await shared?.writes.drain()
    }

    // MARK: - Pass and unsafe methods

    private func pass(_ request: HTTPRequest, body: ByteBuffer?, to origin: OriginAddress, writer: ChannelResponseWriter) async {
        do {
            let response = try await self.origin.send(OriginRequests.forward(request, via: headers.via), body: body, to: origin)
            await passThrough(response, request: request, writer: writer, status: .forwarded(.bypass, stored: false, collapsed: false))
        } catch {
            await writer.writeError(ProxyError(error), headers: headers, forward: .bypass)
        }
    }

    /// Forwards an unsafe request and, when it succeeds, invalidates what it changed
    /// (RFC 9111 §4.4).
    private func forwardUnsafe(_ request: HTTPRequest, body: ByteBuffer?, to origin: OriginAddress, writer: ChannelResponseWriter) async {
        do {
            let response = try await self.origin.send(OriginRequests.forward(request, via: headers.via), body: body, to: origin)
            for uri in Invalidation.invalidatedURIs(request: request, response: response.head) {
                forget(CacheKey(method: .get, normalizedURI: uri))
            }
            await passThrough(response, request: request, writer: writer, status: .forwarded(.method, stored: false, collapsed: false))
        } catch {
            await writer.writeError(ProxyError(error), headers: headers, forward: .method)
        }
    }

    // MARK: - Keys

    /// The primary key: a HEAD is answered from the stored GET (RFC 9111 §4).
    static func key(for request: HTTPRequest) -> CacheKey? {
        guard let key = CacheKey(request: request) else { return nil }
        return request.method == .head ? key.with(method: .get) : key
    }

    static func select(_ variants: [StoredResponse], for request: HTTPRequest) -> Int? {
        var best: Int?
        for index in variants.indices where variants[index].policy.varyKey.matches(request.headerFields) {
            if let current = best, !Validation.isMoreRecent(variants[index].policy, than: variants[current].policy) { continue }
            best = index
        }
        return best
    }

    static func isConditionalOrRanged(_ request: HTTPRequest) -> Bool {
        let fields = request.headerFields
        return fields.contains(.ifNoneMatch) || fields.contains(.ifModifiedSince) || fields.contains(.range)
    }

}
