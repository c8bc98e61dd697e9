import CachetStorage
import HTTPCachePolicy
import HTTPPreconditions
import HTTPTypes
import NIOCore

/// Moving an origin response to the client, and into the store when it may be kept.
extension RequestFlow {
    /// Delivers a response fetched for a miss or a revalidation, storing it when `policy`
    /// allows and the body fits.
    ///
    /// A storable body is read at the origin's pace, whatever the client's: the client's
    /// copy is queued on its connection without waiting for it to drain (the stored copy
    /// bounds what that costs), so neither a slow client nor the requests coalesced behind
    /// it are held up, and an idle client does not trip the origin's idle timeout. `settle`
    /// hears the outcome — the stored response, or `nil` — as soon as it is known.
    ///
    /// A body that ends early or disagrees with its Content-Length is never stored; the
    /// client gets a 502 if nothing was sent yet, else its connection is cut so that it
    /// cannot take the part for the whole.
    func deliverAndStore(
        _ response: OriginResponse, policy: CachePolicy?, key: CacheKey, request: HTTPRequest,
        writer: ChannelResponseWriter, reason: CacheStatus.ForwardReason,
        settle: @escaping @Sendable (StoredResponse?) -> Void
    ) async {
        let limit = configuration.maximumObjectSize
        guard let policy, policy.isStorable, (response.declaredLength ?? 0) <= limit else {
            settle(nil)
            return await passThrough(response, request: request, writer: writer, status: .forwarded(reason, stored: false, collapsed: false))
        }
        // The client's own conditions, a range, or a HEAD are answered from the stored copy
        // once it is complete; a plain GET streams as the body arrives.
        let streams = request.method == .get && !Self.isConditionalOrRanged(request)
        let status = CacheStatusValue.forwarded(reason, stored: response.declaredLength != nil, collapsed: false)
        let head = headers.forwarded(response.head, status: status)
        let outcome = RequestOutcome(status)
        var body = response.declaredLength.map { ByteBufferAllocator().buffer(capacity: $0) } ?? ByteBuffer()
        var iterator = response.body.makeAsyncIterator()
        var headQueued = false
        do {
            while let chunk = try await iterator.next() {
                guard body.readableBytes + chunk.readableBytes <= limit else {
                    // Larger than we keep after all: the rest passes through.
                    settle(nil)
                    if !headQueued { writer.queue(head: head, bodyFollows: request.method != .head, outcome: outcome) }
                    if request.method != .head {
                        if !streams { writer.queue(body: body) }
                        writer.queue(body: chunk)
                        try await writer.flushed()
                        while let next = try await iterator.next() { try await writer.writeBody(next) }
                    }
                    try await writer.end()
                    return
                }
                body.writeImmutableBuffer(chunk)
                if streams && chunk.readableBytes > 0 {
                    if !headQueued {
                        writer.queue(head: head, bodyFollows: true, outcome: outcome)
                        headQueued = true
                    }
                    writer.queue(body: chunk)
                }
            }
            if let declared = response.declaredLength, declared != body.readableBytes { throw OriginBody.Failure.truncated }
        } catch {
            settle(nil)
            if headQueued {
                await writer.abort()
            } else {
                await writer.writeError(ProxyError(error), headers: headers, forward: reason)
            }
            return
        }
        let stored = headers.entry(key: key, policy: policy, body: body)
        keep(stored)
        settle(stored)
        if headQueued {
            try? await writer.end()
        } else {
            let status = CacheStatusValue.forwarded(reason, stored: true, collapsed: false)
            await writer.write(headers.deliver(stored, to: request, now: clock.now(), status: status))
        }
    }

    /// Passes a response the cache does not keep straight through, with backpressure. A
    /// client's own `If-None-Match` / `If-Modified-Since` is still answered with 304 when
    /// the response's validators say so (the origin was asked without them).
    func passThrough(_ response: OriginResponse, request: HTTPRequest, writer: ChannelResponseWriter, status: CacheStatusValue) async {
        let code = response.head.status.code
        // A 304 answers a conditional request only (RFC 9110 §15.4.5): one the client did not
        // ask for is the origin's error, never passed on as if the client held a copy.
        if code == 304, !request.headerFields.contains(.ifNoneMatch), !request.headerFields.contains(.ifModifiedSince) {
            try? await OriginBody.discard(response)
            return await writer.writeError(.badGateway("a 304 to a request without conditions"), headers: headers, forward: status.forwardReason)
        }
        var head = headers.forwarded(response.head, status: status)
        var bodyFollows = request.method != .head && code != 304 && code != 204 && code >= 200
        // What a 304 to the client stands in for: the stored body when the cache holds one
        // (the client's copy is presumably the same), or the 200 it replaces below.
        var replaced = code == 304 ? storedLength(for: request) : 0
        if code == 200, request.method == .get || request.method == .head, Self.isConditionalOrRanged(request) {
            let validators = RepresentationValidators(responseFields: response.head.headerFields, now: clock.now())
            if case .notModified = request.evaluatePreconditions(for: validators, now: clock.now(), role: .cache) {
                var notModified = response.head.notModified()
                notModified.headerFields.append(contentsOf: head.headerFields.filter { $0.name == .via || $0.name == CacheStatus.fieldName || $0.name.rawName == "X-Cache" })
                head = notModified
                bodyFollows = false
                replaced = response.declaredLength ?? 0
            }
        }
        do {
            try await writer.writeHead(head, bodyFollows: bodyFollows, outcome: RequestOutcome(status), replaced: replaced)
            if bodyFollows {
                var received = 0
                for try await chunk in response.body {
                    received += chunk.readableBytes
                    try await writer.writeBody(chunk)
                }
                if let declared = response.declaredLength, declared != received { throw OriginBody.Failure.truncated }
            } else {
                try await OriginBody.discard(response)
            }
            try await writer.end()
        } catch {
            await writer.abort()
        }
    }

    /// The body length of the stored response that `request` would select from memory, if
    /// there is one.
    private func storedLength(for request: HTTPRequest) -> Int {
        guard let key = Self.key(for: request) else { return 0 }
        let variants = store.variants(for: key)
        return Self.select(variants, for: request).map { variants[$0].body.readableBytes } ?? 0
    }
}
