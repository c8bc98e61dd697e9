import ArgumentParser
import Dispatch
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CachetProxy
import HTTPCachePolicy
import HTTPTypes
import NIOCore

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

    @Option(help: "A targeted cache-control field this cache obeys before CDN-Cache-Control (RFC 9213), e.g. Cachet-Cache-Control.")
    var cacheControlTarget: [String] = []

    @Flag(help: "Act as a private cache instead of a shared one.")
    var privateCache = false

    @Option(help: "Event loop threads (default: one per core).")
    var threads: Int?

    @Option(help: "Admin listener for /metrics (Prometheus) and the status page at /, as HOST:PORT, or 'off'.")
    var admin: String = "127.0.0.1:9091"

    @Option(help: "Log level: trace, debug, info, notice, warning, error or critical; info writes the access log, one line per request.")
    var logLevel: String = "info"

    func run() async throws {
        try Self.bootstrapLogging(level: logLevel)
        var configuration = ProxyConfiguration()
        configuration.admin = try Self.adminAddress(admin)
        let (host, port) = try Self.hostAndPort(listen)
        configuration.listenHost = host
        configuration.listenPort = port
        configuration.memoryLimit = try Self.bytes(memory)
        configuration.maximumObjectSize = try Self.bytes(maxObjectSize)
        configuration.originTimeouts = OriginTimeouts(
            connect: .seconds(connectTimeout), firstByte: .seconds(firstByteTimeout), idle: .seconds(idleTimeout)
        )
        configuration.threads = threads
        if let disk {
            configuration.disk = DiskConfiguration(path: disk, limit: try Self.bytes(diskSize ?? "10GiB"))
        } else if diskSize != nil {
            throw ValidationError("--disk-size needs --disk PATH")
        }
        var targets: [HTTPField.Name] = []
        for name in cacheControlTarget {
            guard let field = HTTPField.Name(name) else { throw ValidationError("invalid field name \(name)") }
            targets.append(field)
        }
        configuration.policyOptions = CachePolicyOptions(
            isShared: !privateCache,
            cacheControlTargets: targets + [HTTPField.Name("CDN-Cache-Control")!]
        )

        var exampleServer: SimpleOriginServer?
        if exampleOrigin {
            let server = SimpleOriginServer(handler: ExampleOrigin.handler())
            let examplePort = try await server.start(host: "127.0.0.1", port: 9000)
            exampleServer = server
            configuration.defaultOrigin = OriginAddress("http://127.0.0.1:\(examplePort)")
            print("example origin on http://127.0.0.1:\(examplePort)")
        }
        for spec in origins {
            if let equals = spec.firstIndex(of: "="), !spec[..<equals].contains("/") {
                let host = spec[..<equals].lowercased()
                guard let origin = OriginAddress(String(spec[spec.index(after: equals)...])) else {
                    throw ValidationError("invalid origin URL in \(spec)")
                }
                configuration.origins[host] = origin
            } else {
                guard let origin = OriginAddress(spec) else { throw ValidationError("invalid origin URL \(spec)") }
                configuration.defaultOrigin = origin
            }
        }
        guard configuration.defaultOrigin != nil || !configuration.origins.isEmpty else {
            throw ValidationError("give at least one --origin, or --example-origin")
        }

        let server = ProxyServer(configuration: configuration)
        let address: SocketAddress
        do {
            address = try await server.start()
        } catch let error as ProxyStartError {
            // One line saying why, and a failing exit status.
            var message = "cachet proxy: \(error)\n"
            message.withUTF8 { bytes in _ = write(STDERR_FILENO, bytes.baseAddress, bytes.count) }
            try? await server.shutdown()
            try? await exampleServer?.shutdown()
            throw ExitCode.failure
        }
        print("cachet proxy listening on http://\(host):\(address.port ?? port)")
        if let adminAddress = server.adminAddress, let adminPort = adminAddress.port, let admin = configuration.admin {
            print("admin on http://\(admin.host):\(adminPort)/   (status page; Prometheus metrics at /metrics)")
        }
        if exampleOrigin {
            print("try: curl -i http://\(host):\(address.port ?? port)/   (twice: MISS, then HIT)")
        }
        // Whoever started us (a supervisor, a test) may be waiting for the port on a pipe.
        fflush(nil)
        // SIGTERM and SIGINT drain: stop accepting, finish what is in flight, then exit.
        let signals = [SIGTERM, SIGINT].map { number in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number)
            source.setEventHandler {
                Task { try? await server.shutdown() }
            }
            source.resume()
            return source
        }
        try await server.run()
        try await server.shutdown()
        try await exampleServer?.shutdown()
        signals.forEach { $0.cancel() }
    }

    static func hostAndPort(_ value: String) throws -> (String, Int) {
        guard let colon = value.lastIndex(of: ":"), let port = Int(value[value.index(after: colon)...]) else {
            throw ValidationError("expected HOST:PORT, got \(value)")
        }
        var host = String(value[..<colon])
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        return (host, port)
    }

    /// Parses sizes like `256MiB`, `1GiB`, `512KiB`, `100MB` or a plain byte count.
    static func bytes(_ value: String) throws -> Int {
        let units: [(String, Int)] = [
            ("KiB", 1 << 10), ("MiB", 1 << 20), ("GiB", 1 << 30), ("KB", 1000), ("MB", 1_000_000), ("GB", 1_000_000_000), ("B", 1),
        ]
        for (suffix, factor) in units where value.hasSuffix(suffix) {
            if let number = Int(value.dropLast(suffix.count)) { return number * factor }
        }
        guard let number = Int(value) else { throw ValidationError("invalid size \(value)") }
        return number
    }
}
