import CoreMetrics
import NIOConcurrencyHelpers
import Prometheus
import Synchronization

/// The proxy's counters, and their Prometheus exposition.
///
/// Each `ProxyServer` owns one, with its own registry: nothing goes through the global
/// `MetricsSystem`, so several servers in one process (the tests) never share a counter.
///
/// Counting is one relaxed atomic add per counter on the hot path (the fresh-hit fast path
/// runs on the event loop); the Prometheus counters and gauges are brought up to date when
/// `/metrics` is scraped, from these atomics and from the stores' statistics.
public final class ProxyMetrics: Sendable {
    private let hits = Atomic<Int>(0)
    private let misses = Atomic<Int>(0)
    private let stale = Atomic<Int>(0)
    private let revalidatedNotModified = Atomic<Int>(0)
    private let revalidatedModified = Atomic<Int>(0)
    private let passes = Atomic<Int>(0)
    private let errors = Atomic<Int>(0)
    private let purges = Atomic<Int>(0)
    private let notModifiedSent = Atomic<Int>(0)
    private let deliveredBytes = Atomic<Int>(0)
    private let originBytes = Atomic<Int>(0)
    private let clientBytesSaved = Atomic<Int>(0)
    private let originBytesSaved = Atomic<Int>(0)
    private let diskHits = Atomic<Int>(0)
    private let sharedHits = Atomic<Int>(0)

    /// The registry `/metrics` renders.
    public let registry: PrometheusCollectorRegistry
    /// Time from sending a request to the origin to its response head, through swift-metrics
    /// with this registry's factory (never the global one).
    let originLatency: CoreMetrics.Timer
    private let exported: Exported
    /// What the Prometheus counters were last brought up to (they only ever increase).
    private let published = NIOLockedValueBox(MetricsSnapshot.Counts())

    public init() {
        let registry = PrometheusCollectorRegistry()
        self.registry = registry
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.durationHistogramBuckets[Names.originLatency] = [
            .milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50),
            .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .milliseconds(2500), .seconds(5), .seconds(10),
            .seconds(30),
        ]
        self.originLatency = CoreMetrics.Timer(label: Names.originLatency, dimensions: [], factory: factory)
        self.exported = Exported(registry: registry)
    }

    // MARK: - Counting (hot path)

    /// A response has been started for a request answered as `outcome` with `status`; for
    /// a 304, `replaced` is the body length it stood in for (RFC 9110 §15.4.5), when known.
    @inline(__always)
    func responded(_ outcome: RequestOutcome, status: Int, replaced: Int) {
        count(outcome)
        if status == 304 {
            notModifiedSent.add(1, ordering: .relaxed)
            if replaced > 0 { clientBytesSaved.add(replaced, ordering: .relaxed) }
        }
    }

    /// Body bytes written to a client.
    @inline(__always)
    func delivered(_ bytes: Int) {
        if bytes > 0 { deliveredBytes.add(bytes, ordering: .relaxed) }
    }

    /// Body bytes read from the origin.
    func fetched(_ bytes: Int) {
        if bytes > 0 { originBytes.add(bytes, ordering: .relaxed) }
    }

    /// The origin's response head arrived `elapsed` after the request was sent.
    func originResponded(after elapsed: Duration) {
        let (seconds, attoseconds) = elapsed.components
        originLatency.recordNanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }

    /// The origin answered a revalidation with 304: the stored body of `length` bytes did
    /// not have to be fetched again (RFC 9111 §4.3.4).
    func originNotModified(replacing length: Int) {
        if length > 0 { originBytesSaved.add(length, ordering: .relaxed) }
    }

    /// A fresh hit came from `tier` (memory's are the rest of the hits).
    func hit(from tier: RequestFlow.Tier) {
        switch tier {
        case .memory: break
        case .disk: diskHits.add(1, ordering: .relaxed)
        case .shared: sharedHits.add(1, ordering: .relaxed)
        }
    }

    /// `Atomic` cannot be copied out of its property, so each outcome has its own switch arm.
    @inline(__always)
    private func count(_ outcome: RequestOutcome) {
        switch outcome {
        case .hit: hits.add(1, ordering: .relaxed)
        case .miss: misses.add(1, ordering: .relaxed)
        case .stale: stale.add(1, ordering: .relaxed)
        case .revalidatedNotModified: revalidatedNotModified.add(1, ordering: .relaxed)
        case .revalidatedModified: revalidatedModified.add(1, ordering: .relaxed)
        case .pass: passes.add(1, ordering: .relaxed)
        case .error: errors.add(1, ordering: .relaxed)
        case .purge: purges.add(1, ordering: .relaxed)
        }
    }

    private func load(_ outcome: RequestOutcome) -> Int {
        switch outcome {
        case .hit: hits.load(ordering: .relaxed)
        case .miss: misses.load(ordering: .relaxed)
        case .stale: stale.load(ordering: .relaxed)
        case .revalidatedNotModified: revalidatedNotModified.load(ordering: .relaxed)
        case .revalidatedModified: revalidatedModified.load(ordering: .relaxed)
        case .pass: passes.load(ordering: .relaxed)
        case .error: errors.load(ordering: .relaxed)
        case .purge: purges.load(ordering: .relaxed)
        }
    }

    // MARK: - Reading

    /// The counters as they are now, with the stores' figures as `tiers` reports them.
    func snapshot(tiers: [MetricsSnapshot.Tier], coalescedRequests: Int, coalescedWaiting: Int) -> MetricsSnapshot {
        var counts = MetricsSnapshot.Counts()
        for outcome in RequestOutcome.allCases {
            counts.requests[outcome] = load(outcome)
        }
        counts.notModifiedSent = notModifiedSent.load(ordering: .relaxed)
        counts.deliveredBytes = deliveredBytes.load(ordering: .relaxed)
        counts.originBytes = originBytes.load(ordering: .relaxed)
        counts.clientBytesSaved = clientBytesSaved.load(ordering: .relaxed)
        counts.originBytesSaved = originBytesSaved.load(ordering: .relaxed)
        counts.coalescedRequests = coalescedRequests
        counts.diskHits = diskHits.load(ordering: .relaxed)
        counts.sharedHits = sharedHits.load(ordering: .relaxed)
        counts.evictions = Dictionary(uniqueKeysWithValues: tiers.map { ($0.name, $0.evictions) })
        return MetricsSnapshot(counts: counts, tiers: tiers, coalescedWaiting: coalescedWaiting)
    }

    /// The Prometheus text exposition (format 0.0.4) of the snapshot `take` returns.
    ///
    /// The snapshot is taken under the lock: two scrapes at once must not publish an older
    /// snapshot after a newer one, or the next scrape would count the difference twice.
    func exposition(of take: () -> MetricsSnapshot) -> [UInt8] {
        published.withLockedValue { published in
            let snapshot = take()
            exported.publish(snapshot, since: published)
            published = snapshot.counts
        }
        return registry.emitToBuffer()
    }
}

extension ProxyMetrics {
    /// Metric names, as Prometheus naming conventions want them: `cachet_` and base units,
    /// `_total` for counters.
    enum Names {
        // Computed: the descriptor type is not Sendable, so it cannot be a static constant.
        static var requests: MetricNameDescriptor { metric("requests", "total", "Requests by how the cache answered them.") }
        static var notModifiedSent: MetricNameDescriptor { metric("not_modified_sent", "total", "304 Not Modified responses sent to clients.") }
        static var deliveredBytes: MetricNameDescriptor { metric("delivered_body_bytes", "total", "Response body bytes written to clients.") }
        static var originBytes: MetricNameDescriptor { metric("origin_body_bytes", "total", "Response body bytes read from origins.") }
        static var bytesSaved: MetricNameDescriptor { metric(
            "bytes_saved_by_304", "total",
            "Body bytes a 304 stood in for: sent to clients (side=client), fetched from origins (side=origin)."
        ) }
        static var storeBytes: MetricNameDescriptor { metric("store", "bytes", "Bytes the store holds.") }
        static var storeEntries: MetricNameDescriptor { metric("store_entries", "", "Responses the store holds.") }
        static var storeLimit: MetricNameDescriptor { metric("store_limit", "bytes", "Bytes the store may hold.") }
        static var evictions: MetricNameDescriptor { metric("store_evictions", "total", "Entries evicted to stay within the store's limit.") }
        static var coalesced: MetricNameDescriptor { metric("coalesced_requests", "total", "Requests that waited for another request's origin fetch.") }
        static var tierHits: MetricNameDescriptor { metric("hits_by_tier", "total", "Fresh hits by the tier that held the response.") }
        static var sharedLookups: MetricNameDescriptor { metric("shared_misses", "total", "Lookups the shared tier answered with nothing.") }
        static var sharedErrors: MetricNameDescriptor { metric("shared_errors", "total", "Shared tier operations that failed (unreachable, timed out, refused).") }
        static var sharedRejected: MetricNameDescriptor { metric("shared_rejected_values", "total", "Values read from the shared tier that failed verification; never served.") }
        static var sharedBytes: MetricNameDescriptor { metric("shared_body_bytes", "total", "Body bytes read from (direction=read) and written to (direction=written) the shared tier.") }
        static var sharedDropped: MetricNameDescriptor { metric("shared_dropped_writes", "total", "Responses not published because the shared tier's writes were behind.") }
        static var broadcasts: MetricNameDescriptor { metric("purge_broadcasts", "total", "Purges sent to (direction=sent) the other nodes, and received from them and applied here (direction=received).") }
        static var sharedUp: MetricNameDescriptor { metric("shared_up", "", "1 while the shared tier answers, 0 while it fails.") }
        static var coalescedWaiting: MetricNameDescriptor { metric("coalesced_waiting", "", "Requests waiting for another request's origin fetch now.") }
        /// A swift-metrics `Timer` label: the factory makes it a histogram in seconds.
        static let originLatency = "cachet_origin_response_seconds"

        private static func metric(_ name: String, _ unit: String, _ help: String) -> MetricNameDescriptor {
            MetricNameDescriptor(namespace: "cachet", metricName: name, unitName: unit, helpText: help)
        }
    }

    /// The Prometheus side: counters raised by what changed since the last scrape, gauges
    /// set to what the stores hold now.
    private struct Exported: Sendable {
        let registry: PrometheusCollectorRegistry
        let requests: [RequestOutcome: Prometheus.Counter]
        let notModifiedSent: Prometheus.Counter
        let deliveredBytes: Prometheus.Counter
        let originBytes: Prometheus.Counter
        let clientBytesSaved: Prometheus.Counter
        let originBytesSaved: Prometheus.Counter
        let coalesced: Prometheus.Counter
        let coalescedWaiting: Prometheus.Gauge

        init(registry: PrometheusCollectorRegistry) {
            self.registry = registry
            var requests: [RequestOutcome: Prometheus.Counter] = [:]
            for outcome in RequestOutcome.allCases {
                requests[outcome] = registry.makeCounter(descriptor: Names.requests, labels: [("outcome", outcome.rawValue)])
            }
            self.requests = requests
            notModifiedSent = registry.makeCounter(descriptor: Names.notModifiedSent)
            deliveredBytes = registry.makeCounter(descriptor: Names.deliveredBytes)
            originBytes = registry.makeCounter(descriptor: Names.originBytes)
            clientBytesSaved = registry.makeCounter(descriptor: Names.bytesSaved, labels: [("side", "client")])
            originBytesSaved = registry.makeCounter(descriptor: Names.bytesSaved, labels: [("side", "origin")])
            coalesced = registry.makeCounter(descriptor: Names.coalesced)
            coalescedWaiting = registry.makeGauge(descriptor: Names.coalescedWaiting)
        }

        func publish(_ snapshot: MetricsSnapshot, since last: MetricsSnapshot.Counts) {
            let now = snapshot.counts
            func raise(_ counter: Prometheus.Counter, _ value: Int, _ previous: Int) {
                if value > previous { counter.increment(by: Int64(value - previous)) }
            }
            for (outcome, counter) in requests {
                raise(counter, now.requests[outcome] ?? 0, last.requests[outcome] ?? 0)
            }
            raise(notModifiedSent, now.notModifiedSent, last.notModifiedSent)
            raise(deliveredBytes, now.deliveredBytes, last.deliveredBytes)
            raise(originBytes, now.originBytes, last.originBytes)
            raise(clientBytesSaved, now.clientBytesSaved, last.clientBytesSaved)
            raise(originBytesSaved, now.originBytesSaved, last.originBytesSaved)
            raise(coalesced, now.coalescedRequests, last.coalescedRequests)
            coalescedWaiting.set(to: Double(snapshot.coalescedWaiting))
            let memoryHits = max(0, (now.requests[.hit] ?? 0) - now.diskHits - now.sharedHits)
            let lastMemoryHits = max(0, (last.requests[.hit] ?? 0) - last.diskHits - last.sharedHits)
            raise(registry.makeCounter(descriptor: Names.tierHits, labels: [("tier", "memory")]), memoryHits, lastMemoryHits)
            raise(registry.makeCounter(descriptor: Names.tierHits, labels: [("tier", "disk")]), now.diskHits, last.diskHits)
            if let up = snapshot.sharedAvailable {
                raise(registry.makeCounter(descriptor: Names.tierHits, labels: [("tier", "shared")]), now.sharedHits, last.sharedHits)
                raise(registry.makeCounter(descriptor: Names.sharedLookups), now.sharedMisses, last.sharedMisses)
                raise(registry.makeCounter(descriptor: Names.sharedErrors), now.sharedErrors, last.sharedErrors)
                raise(registry.makeCounter(descriptor: Names.sharedRejected), now.sharedRejected, last.sharedRejected)
                raise(registry.makeCounter(descriptor: Names.sharedBytes, labels: [("direction", "read")]), now.sharedBytesRead, last.sharedBytesRead)
                raise(
                    registry.makeCounter(descriptor: Names.sharedBytes, labels: [("direction", "written")]), now.sharedBytesWritten,
                    last.sharedBytesWritten
                )
                raise(registry.makeCounter(descriptor: Names.sharedDropped), now.sharedDroppedWrites, last.sharedDroppedWrites)
                raise(registry.makeCounter(descriptor: Names.broadcasts, labels: [("direction", "sent")]), now.broadcastsSent, last.broadcastsSent)
                raise(
                    registry.makeCounter(descriptor: Names.broadcasts, labels: [("direction", "received")]), now.broadcastsReceived,
                    last.broadcastsReceived
                )
                registry.makeGauge(descriptor: Names.sharedUp).set(to: up ? 1 : 0)
            }
            for tier in snapshot.tiers {
                // The registry hands back the same metric for the same name and labels.
                let labels = [("tier", tier.name)]
                registry.makeGauge(descriptor: Names.storeBytes, labels: labels).set(to: Double(tier.bytes))
                registry.makeGauge(descriptor: Names.storeEntries, labels: labels).set(to: Double(tier.entries))
                registry.makeGauge(descriptor: Names.storeLimit, labels: labels).set(to: Double(tier.limit))
                raise(
                    registry.makeCounter(descriptor: Names.evictions, labels: labels),
                    tier.evictions, last.evictions[tier.name] ?? 0
                )
            }
        }
    }
}

extension RequestFlow {
    /// The proxy's metrics, which the flow reaches through its origin client.
    var metrics: ProxyMetrics { origin.metrics }
}
