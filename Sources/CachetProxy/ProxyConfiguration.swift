import HTTPCachePolicy
import NIOCore

/// Everything `cachet proxy` is told on its command line.
public struct ProxyConfiguration: Sendable {
    /// Address to listen on.
    public var listenHost: String
    /// Port to listen on; 0 picks a free one.
    public var listenPort: Int
    /// Origins by the `Host` they serve (lowercased, without port); `defaultOrigin` takes the rest.
    public var origins: [String: OriginAddress]
    /// The origin for hosts not listed in `origins`, if any.
    public var defaultOrigin: OriginAddress?
    /// Bytes the memory store may hold (headers, bodies and bookkeeping).
    public var memoryLimit: Int
    /// Responses with bodies larger than this are passed through, never stored.
    public var maximumObjectSize: Int
    /// Request bodies larger than this are refused with 413.
    public var maximumRequestBodySize: Int
    /// Timeouts towards the origin.
    public var originTimeouts: OriginTimeouts
    /// The cache's name in `Cache-Status` (RFC 9211 §2) and `Via`.
    public var cacheName: String
    /// The cache's policy options: shared by default.
    public var policyOptions: CachePolicyOptions
    /// Event loop threads; `nil` for one per core.
    public var threads: Int?
    /// The persistent tier behind the memory store, if any (`--disk`).
    public var disk: DiskConfiguration?
    /// The tier several nodes share, if any (`--shared`).
    public var shared: SharedConfiguration?
    /// Who may send `PURGE` (loopback by default).
    public var purge: PurgeAccess = PurgeAccess()
    /// How long clients may take to send a request, and stay idle between requests.
    public var clientTimeouts: ClientTimeouts = ClientTimeouts()

    /// How long a shutdown waits for the requests in flight before it closes their
    /// connections (`--drain-timeout`); `nil` waits as long as they take.
    public var drainTimeout: Duration? = .seconds(30)

    /// Where the admin listener (`/metrics`, the status page) listens; `nil` for none
    /// (`--admin`). Port 0 picks a free one.
    public var admin: ListenAddress?

    public init(
        listenHost: String = "127.0.0.1",
        listenPort: Int = 8080,
        origins: [String: OriginAddress] = [:],
        defaultOrigin: OriginAddress? = nil,
        memoryLimit: Int = 256 << 20,
        maximumObjectSize: Int = 64 << 20,
        maximumRequestBodySize: Int = 16 << 20,
        originTimeouts: OriginTimeouts = OriginTimeouts(),
        cacheName: String = "cachet",
        policyOptions: CachePolicyOptions = CachePolicyOptions(),
        threads: Int? = nil,
        disk: DiskConfiguration? = nil,
        admin: ListenAddress? = ListenAddress(host: "127.0.0.1", port: 9091)
    ) {
        self.listenHost = listenHost
        self.listenPort = listenPort
        self.origins = origins
        self.defaultOrigin = defaultOrigin
        self.memoryLimit = memoryLimit
        self.maximumObjectSize = maximumObjectSize
        self.maximumRequestBodySize = maximumRequestBodySize
        self.originTimeouts = originTimeouts
        self.cacheName = cacheName
        self.policyOptions = policyOptions
        self.threads = threads
        self.disk = disk
        self.admin = admin
    }

    /// The origin that serves `authority` (a Host value, port ignored), if any.
    func origin(for authority: String?) -> OriginAddress? {
        guard let authority, !origins.isEmpty else { return defaultOrigin }
        var host = Substring(authority)
        if host.hasPrefix("[") {
            host = host.prefix { $0 != "]" }.dropFirst()
        } else if let colon = host.lastIndex(of: ":") {
            host = host[..<colon]
        }
        return origins[host.lowercased()] ?? defaultOrigin
    }
}

/// Where and how much the disk tier stores (`--disk PATH --disk-size SIZE`).
public struct DiskConfiguration: Sendable {
    /// The folder holding the entry files; created if missing.
    public var path: String
    /// The most bytes of entry files kept.
    public var limit: Int
    /// Writes are refused when they would leave less free space than this on the file system.
    public var minimumFreeBytes: Int
    /// Threads of the disk tier's own pool: its reads and fsyncs never wait behind other work,
    /// and other work never waits behind them.
    public var threads: Int
    /// Body bytes of writes waiting for the disk; when the disk falls this far behind, new
    /// responses are not written to it until it catches up (they stay in memory).
    public var maximumQueuedBytes: Int

    public init(
        path: String, limit: Int = 10 << 30, minimumFreeBytes: Int = 512 << 20, threads: Int = 2,
        maximumQueuedBytes: Int = 256 << 20
    ) {
        self.path = path
        self.limit = limit
        self.minimumFreeBytes = minimumFreeBytes
        self.threads = threads
        self.maximumQueuedBytes = maximumQueuedBytes
    }
}

/// A host and port to listen on.
public struct ListenAddress: Sendable, Hashable {
    public var host: String
    public var port: Int

    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }
}
