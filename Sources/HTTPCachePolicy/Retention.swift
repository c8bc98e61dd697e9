import HTTPPreconditions

extension CachePolicy {
    /// Seconds a stored response may still be of use at `now`, so a store can forget it
    /// afterwards by itself (a shared tier's TTL):
    ///
    /// - what is left of its freshness (RFC 9111 §4.2),
    /// - then, unless it forbids serving stale (§4.2.4), the longer of its
    ///   `stale-while-revalidate` and `stale-if-error` windows (RFC 5861 §3, §4),
    /// - then `keep` more when it has a validator, so a revalidation can still freshen it
    ///   with a 304 instead of fetching the body again (§4.3.1).
    ///
    /// Zero when the response is of no further use.
    public func retention(now: HTTPDate, keep: Int64) -> Int64 {
        var seconds = max(0, timeToLive(now: now))
        if !forbidsStale {
            // A window runs from the moment the response became stale, which may be past.
            let staleness = max(0, -timeToLive(now: now))
            let window = max(directives.staleWhileRevalidate ?? 0, directives.staleIfError ?? 0)
            seconds = DeltaSeconds.add(seconds, max(0, window - staleness))
        }
        if etag != nil || lastModified != nil {
            seconds = DeltaSeconds.add(seconds, max(0, keep))
        }
        return seconds
    }
}
