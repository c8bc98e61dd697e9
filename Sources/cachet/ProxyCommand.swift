import ArgumentParser
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CachetProxy
import CachetRedis
import HTTPCachePolicy
import HTTPTypes
import Logging
import NIOCore
import ServiceLifecycle

/// `cachet proxy`: the caching reverse proxy.
struct ProxyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "proxy",
        abstract: "Run the caching reverse proxy (an RFC 9111 shared cache) in front of one or more origins.",
        discussion: """
            Examples:
              cachet proxy --example-origin
              cachet proxy --listen 127.0.0.1:8080 --origin http://127.0.0.1:9000
              cachet proxy --origin a.example=http://127.0.0.1:9001 --origin b.example=http://127.0.0.1:9002
              cachet proxy --origin http://127.0.0.1:9000 --disk ./cache --disk-size 20GiB
              cachet proxy --origin http://127.0.0.1:9000 --shared redis://127.0.0.1:6379

            SIGTERM or SIGINT stops accepting at once, closes idle connections and lets the
            requests in flight finish, for at most --drain-timeout seconds; then the disk
            index is flushed. Exit status: 0 after a complete drain, 2 when the bound cut
            connections, 1 when the proxy cannot start (--disk, --listen), 64 for an invalid
            flag value.
            """
    )

    @Option(help: "Address and port to listen on.")
    var listen: String = "127.0.0.1:8080"

    @Option(
        name: .customLong("origin"),
        help: ArgumentHelp(
            "Origin to forward to: URL for every host, or HOST=URL for one host (repeatable).",
            valueName: "[HOST=]URL"
        )
    )
    var origins: [String] = []

    @Flag(help: "Start the bundled example origin on 127.0.0.1:9000 and proxy to it.")
    var exampleOrigin = false

    @Option(help: "Memory the cache may use, e.g. 256MiB or 1GiB.")
    var memory: String = "256MiB"

    @Option(help: "Folder for the persistent cache behind memory; it survives restarts and kill -9.")
    var disk: String?

    @Option(help: "Bytes the --disk folder may hold, e.g. 500MiB or 20GiB (default: 10GiB).")
    var diskSize: String?

    @Option(help: "Largest response body the cache stores, e.g. 64MiB; larger ones pass through.")
    var maxObjectSize: String = "64MiB"

    @Option(help: "Seconds to wait for a connection to the origin.")
    var connectTimeout: Int64 = 5

    @Option(help: "Seconds to wait for the origin's response head.")
    var firstByteTimeout: Int64 = 30

    @Option(help: "Seconds the origin may stay silent while sending a body.")
    var idleTimeout: Int64 = 30

    @Option(help: "Seconds a client has to send a whole request head once it has begun (slowloris); then 408.")
    var requestHeadTimeout: Int64 = 10

    @Option(help: "Seconds a client connection may stay idle between requests (or within a request body) before it is closed.")
    var clientIdleTimeout: Int64 = 60

    @Option(help: "A targeted cache-control field this cache obeys before CDN-Cache-Control (RFC 9213), e.g. Cachet-Cache-Control.")
    var cacheControlTarget: [String] = []

    @Flag(help: "Act as a private cache instead of a shared one.")
    var privateCache = false

    @Option(help: "Event loop threads (default: one per core).")
    var threads: Int?

    @Option(help: "Admin listener for /metrics (Prometheus) and the status page at /, as HOST:PORT, or 'off'.")
    var admin: String = "127.0.0.1:9091"

    @Option(help: "Log level: trace, debug, info, notice, warning, error or critical; info adds the access log, one line per request (off by default: it costs hits about a quarter of their throughput).")
    var logLevel: String = "notice"

    @Option(help: "Seconds SIGTERM / SIGINT waits for requests in flight before closing their connections.")
    var drainTimeout: Double = 30

    @Option(
        name: .customLong("purge-allow"),
        help: ArgumentHelp("A client network allowed to PURGE, e.g. 10.0.0.0/8 (repeatable; default: loopback).", valueName: "CIDR")
    )
    var purgeAllow: [String] = []

    @Option(help: "A token that allows PURGE from any client sending 'Authorization: Bearer TOKEN'.")
    var purgeToken: String?

    @Option(
        help: ArgumentHelp(
            "A Redis the nodes of a fleet share as a cache tier behind memory and disk: redis://HOST:PORT, or redis-cluster://HOST:PORT,HOST:PORT for a Redis Cluster.",
            valueName: "URL"
        )
    )
    var shared: String?

    @Option(help: "Milliseconds to wait for one Redis reply before going on without the shared tier.")
    var sharedTimeout: Int64 = 500

    @Option(help: "Seconds a node waits for another node filling the same URL before fetching it itself.")
    var sharedFillWait: Double = 5

    @Option(help: "Seconds a shared entry with a validator is kept past its freshness, for revalidation with a 304.")
    var sharedKeep: Int64 = 3600

    func run() async throws {
        var configured: ProxyConfiguration
        do {
            // First: every logger made from here on (the access log's too) gets the level.
            try Self.bootstrapLogging(level: logLevel)
            configured = try makeConfiguration()
        } catch let error as InvalidFlag {
            throw ProxyExit.fail(error.description, ProxyExit.invalidFlag)
        }

        var exampleServer: SimpleOriginServer?
        if exampleOrigin {
            let server = SimpleOriginServer(handler: ExampleOrigin.handler())
            do {
                let examplePort = try await server.start(host: "127.0.0.1", port: 9000)
                // An --origin URL given too still takes the hosts without their own origin.
                if configured.defaultOrigin == nil {
                    configured.defaultOrigin = OriginAddress("http://127.0.0.1:\(examplePort)")
                }
                print("example origin on http://127.0.0.1:\(examplePort)")
            } catch {
                try? await server.shutdown()
                let reason = ProxyStartError.listenFailure(host: "127.0.0.1", port: 9000, error: error)
                throw ProxyExit.fail("example origin: \(reason)", ProxyExit.cannotStart)
            }
            exampleServer = server
        }

        let server = ProxyServer(configuration: configured)
        let address: SocketAddress
        do {
            address = try await server.start()
        } catch {
            // One line saying why, and a failing exit status.
            _ = try? await server.shutdown()
            try? await exampleServer?.shutdown()
            throw ProxyExit.fail("\(error)", ProxyExit.cannotStart)
        }
        let host = configured.listenHost
        let port = address.port ?? configured.listenPort
        let showsExample = exampleOrigin
        let adminURL = configured.admin.flatMap { admin in
            server.adminAddress?.port.map { "http://\(admin.host.contains(":") ? "[\(admin.host)]" : admin.host):\($0)/" }
        }
        let announce: @Sendable () -> Void = {
            print("cachet proxy listening on http://\(host.contains(":") ? "[\(host)]" : host):\(port)")
            if let adminURL {
                print("admin on \(adminURL)   (status page; Prometheus metrics at \(adminURL)metrics)")
            }
            if showsExample {
                print("try: curl -i http://\(host):\(port)/   (twice: MISS, then HIT)")
            }
            // Whoever started us (a supervisor, a test) may be waiting for the port on a pipe.
            fflush(nil)
        }

        // SIGTERM and SIGINT shut the group down gracefully, the proxy first (services stop in
        // reverse order): it drains while the example origin still answers its requests.
        var services: [any Service] = []
        if let exampleServer { services.append(ExampleOriginService(server: exampleServer)) }
        services.append(AnnouncedService(server, announce: announce))
        let group = ServiceGroup(
            configuration: ServiceGroupConfiguration(
                services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: Logger(label: "cachet.lifecycle")
            )
        )
        try await group.run()
        let outcome = try await server.shutdown()
        try await exampleServer?.shutdown()
        if case .cutShort(let connections) = outcome {
            throw ProxyExit.fail(
                "drain cut short after \(drainTimeout.formatted)s: \(connections) connection(s) closed with requests in flight",
                ProxyExit.drainCutShort
            )
        }
    }

    /// The configuration the flags describe, or the first flag that is wrong.
    func makeConfiguration() throws -> ProxyConfiguration {
        var configuration = ProxyConfiguration()
        configuration.admin = try Self.adminAddress(admin)
        let (host, port) = try Self.hostAndPort(listen)
        configuration.listenHost = host
        configuration.listenPort = port
        configuration.memoryLimit = try Self.bytes(memory, flag: "--memory")
        configuration.maximumObjectSize = try Self.bytes(maxObjectSize, flag: "--max-object-size")
        configuration.originTimeouts = OriginTimeouts(
            connect: .seconds(connectTimeout), firstByte: .seconds(firstByteTimeout), idle: .seconds(idleTimeout)
        )
        configuration.threads = threads
        if let threads, threads < 1 { throw InvalidFlag("invalid --threads \(threads): at least 1") }
        guard drainTimeout.isFinite, drainTimeout >= 0, drainTimeout < 1e9 else {
            throw InvalidFlag("invalid --drain-timeout \(drainTimeout.formatted): seconds, 0 or more")
        }
        configuration.drainTimeout = .milliseconds(Int64(drainTimeout * 1000))
        guard requestHeadTimeout > 0, clientIdleTimeout > 0 else {
            throw InvalidFlag("invalid --request-head-timeout or --client-idle-timeout: seconds, more than 0")
        }
        configuration.clientTimeouts = ClientTimeouts(requestHead: .seconds(requestHeadTimeout), idle: .seconds(clientIdleTimeout))
        var networks: [ClientNetwork] = []
        for text in purgeAllow {
            guard let network = ClientNetwork(text) else { throw InvalidFlag("invalid --purge-allow \(text): expected a network such as 10.0.0.0/8") }
            networks.append(network)
        }
        configuration.purge = PurgeAccess(allowedNetworks: purgeAllow.isEmpty ? ClientNetwork.loopback : networks, token: purgeToken)
        if let disk {
            guard !disk.isEmpty else { throw InvalidFlag("invalid --disk: an empty path") }
            configuration.disk = DiskConfiguration(path: disk, limit: try Self.bytes(diskSize ?? "10GiB", flag: "--disk-size"))
        } else if diskSize != nil {
            throw InvalidFlag("--disk-size needs --disk PATH")
        }
        if let shared {
            guard (try? RedisEndpoint(url: shared)) != nil else {
                throw InvalidFlag("invalid --shared \(shared): expected redis://HOST:PORT or redis-cluster://HOST:PORT,HOST:PORT")
            }
            guard sharedTimeout > 0, sharedKeep >= 0, sharedFillWait.isFinite, sharedFillWait >= 0, sharedFillWait < 1e6 else {
                throw InvalidFlag("invalid --shared-timeout, --shared-fill-wait or --shared-keep: more than 0 ms; 0 or more seconds")
            }
            configuration.shared = SharedConfiguration(
                url: shared, timeout: .milliseconds(sharedTimeout), fillWait: .milliseconds(Int64(sharedFillWait * 1000)), keep: sharedKeep
            )
        }
        var targets: [HTTPField.Name] = []
        for name in cacheControlTarget {
            guard let field = HTTPField.Name(name) else { throw InvalidFlag("invalid --cache-control-target \(name): not a field name") }
            targets.append(field)
        }
        configuration.policyOptions = CachePolicyOptions(
            isShared: !privateCache,
            cacheControlTargets: targets + [HTTPField.Name("CDN-Cache-Control")!]
        )

        let expected = "expected http://HOST[:PORT] or https://HOST[:PORT]"
        for spec in origins {
            if let equals = spec.firstIndex(of: "="), !spec[..<equals].contains("/") {
                let host = spec[..<equals].lowercased()
                guard !host.isEmpty, let origin = OriginAddress(String(spec[spec.index(after: equals)...])) else {
                    throw InvalidFlag("invalid --origin \(spec): \(expected), or HOST=URL")
                }
                configuration.origins[host] = origin
            } else {
                guard let origin = OriginAddress(spec) else { throw InvalidFlag("invalid --origin \(spec): \(expected)") }
                configuration.defaultOrigin = origin
            }
        }
        guard configuration.defaultOrigin != nil || !configuration.origins.isEmpty || exampleOrigin else {
            throw InvalidFlag("give at least one --origin, or --example-origin")
        }
        return configuration
    }

    static func hostAndPort(_ value: String) throws -> (String, Int) {
        guard let colon = value.lastIndex(of: ":"), let port = Int(value[value.index(after: colon)...]), (0...65535).contains(port)
        else {
            throw InvalidFlag("invalid --listen \(value): expected HOST:PORT with a port from 0 to 65535")
        }
        var host = String(value[..<colon])
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard !host.isEmpty else { throw InvalidFlag("invalid --listen \(value): expected HOST:PORT, e.g. 127.0.0.1:8080") }
        return (host, port)
    }

    /// Parses sizes like `256MiB`, `1GiB`, `512KiB`, `100MB` or a plain byte count.
    static func bytes(_ value: String, flag: String) throws -> Int {
        let invalid = InvalidFlag("invalid \(flag) \(value): expected a size such as 256MiB, 1GiB or a byte count")
        let units: [(String, Int)] = [
            ("KiB", 1 << 10), ("MiB", 1 << 20), ("GiB", 1 << 30), ("KB", 1000), ("MB", 1_000_000), ("GB", 1_000_000_000), ("B", 1),
        ]
        for (suffix, factor) in units where value.hasSuffix(suffix) {
            if let number = Int(value.dropLast(suffix.count)), number >= 0 {
                let (product, overflow) = number.multipliedReportingOverflow(by: factor)
                if !overflow { return product }
            }
            throw invalid
        }
        guard let number = Int(value), number >= 0 else { throw invalid }
        return number
    }
}

extension Double {
    /// `1` for 1.0, `0.5` for 0.5: seconds as an operator wrote them.
    fileprivate var formatted: String {
        rounded() == self && abs(self) < 1e15 ? "\(Int(self))" : "\(self)"
    }
}
