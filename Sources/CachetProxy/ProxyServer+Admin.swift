import NIOCore

/// The admin side of the server: its metrics and the listener that serves them.
extension ProxyServer {
    /// The counters and the stores as they are now.
    public func metricsSnapshot() -> MetricsSnapshot {
        let memory = store.statistics
        var tiers = [
            MetricsSnapshot.Tier(
                name: "memory", bytes: memory.bytes, entries: memory.entries, limit: configuration.memoryLimit, evictions: memory.evictions
            )
        ]
        if let disk = diskStore?.statistics, let limit = configuration.disk?.limit {
            tiers.append(MetricsSnapshot.Tier(name: "disk", bytes: disk.bytes, entries: disk.entries, limit: limit, evictions: disk.evictions))
        }
        var snapshot = metrics.snapshot(tiers: tiers, coalescedRequests: coalescedRequests, coalescedWaiting: coalescedWaiters)
        if let shared = sharedTier {
            let counts = shared.counters.current
            snapshot.counts.sharedMisses = counts.misses
            snapshot.counts.sharedErrors = counts.errors
            snapshot.counts.sharedRejected = shared.storage.rejectedValues
            snapshot.counts.sharedBytesRead = counts.bytesRead
            snapshot.counts.sharedBytesWritten = counts.bytesWritten
            snapshot.counts.sharedDroppedWrites = counts.droppedWrites
            snapshot.counts.broadcastsSent = counts.broadcastsSent
            snapshot.counts.broadcastsReceived = counts.broadcastsReceived
            snapshot.sharedAvailable = shared.isAvailable
        }
        return snapshot
    }

    /// What `GET /metrics` answers: the Prometheus text format, version 0.0.4.
    public func metricsExposition() -> [UInt8] {
        metrics.exposition { metricsSnapshot() }
    }

    /// Binds the admin listener when the configuration asks for one.
    func startAdmin() async throws {
        guard let address = configuration.admin else { return }
        let pages = AdminServer.Pages(
            metrics: { [self] in metricsExposition() },
            status: { [self] in StatusPage(snapshot: metricsSnapshot(), cacheName: configuration.cacheName).html }
        )
        do {
            let channel = try await AdminServer.bind(host: address.host, port: address.port, group: eventLoopGroup, pages: pages)
            adminChannel.withLockedValue { $0 = channel }
        } catch {
            // The system's words for the failure, as for --listen.
            guard case .cannotListen(let where_, let reason) = ProxyStartError.listenFailure(host: address.host, port: address.port, error: error)
            else { throw error }
            throw ProxyStartError.adminUnavailable(address: where_, reason: reason)
        }
    }
}
