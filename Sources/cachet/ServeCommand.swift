import ArgumentParser
import CachetHummingbird
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle

/// `cachet serve`: a static file server with strong validators, complete conditional
/// requests and ranges.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve the files of a folder with strong ETags, conditional requests (304/412) and ranges (206/416).",
        discussion: """
            Examples:
              cachet serve ./public
              cachet serve ./public --listen 127.0.0.1:8080 --max-age 60 --index
              cachet serve ./public --cache-control '/assets/**=public, max-age=31536000, immutable' --cache-control '*.html=no-cache'
            """
    )

    @Argument(help: "The folder to serve.")
    var root: String

    @Option(help: "Address and port to listen on.")
    var listen: String = "127.0.0.1:8080"

    @Option(help: "max-age, in seconds, of the default Cache-Control (omit for no Cache-Control).")
    var maxAge: Int?

    @Option(
        name: .customLong("cache-control"),
        help: ArgumentHelp("Cache-Control for paths matching a glob, first match wins (repeatable).", valueName: "PATTERN=VALUE")
    )
    var cacheControlRules: [String] = []

    @Flag(help: "Serve index.html for folders (and redirect /folder to /folder/).")
    var index = false

    @Flag(help: "Serve files and folders whose name starts with a dot.")
    var hidden = false

    @Flag(help: "Do not look for precompressed .br / .gz siblings.")
    var noPrecompressed = false

    @Option(help: "Threads serving connections (default: one per core).")
    var threads: Int?

    @Option(help: "Seconds a path's lookup on disk is reused; a changed file shows within this time (0: look on every request).")
    var fileCacheValidity: Double = 1

    @Option(help: "Memory for the contents of files up to 1 MiB, sent without opening them again (0 disables).")
    var memoryCache: String = "64MiB"

    @Option(help: "Seconds a client has to send a whole request head once it has begun (slowloris); then 408.")
    var requestHeadTimeout: Int64 = 10

    @Option(help: "Seconds a connection may stay without the client sending or reading anything before it is closed.")
    var clientIdleTimeout: Int64 = 60

    @Flag(help: "Also serve /_cachet/example, a dynamic route behind ConditionalRequestMiddleware.")
    var exampleRoute = false

    func run() async throws {
        let (host, port): (String, Int)
        let memory: Int
        do {
            (host, port) = try ProxyCommand.hostAndPort(listen)
            memory = try ProxyCommand.bytes(memoryCache, flag: "--memory-cache")
        } catch let error as InvalidFlag {
            throw ValidationError(error.description)
        }
        var rules: [CacheControlRules.Rule] = []
        for spec in cacheControlRules {
            guard let equals = spec.firstIndex(of: "="), equals != spec.startIndex else {
                throw ValidationError("expected PATTERN=VALUE for --cache-control, got \(spec)")
            }
            rules.append(.init(String(spec[..<equals]), String(spec[spec.index(after: equals)...])))
        }
        if let maxAge, maxAge < 0 { throw ValidationError("--max-age must not be negative") }
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1") }
        guard requestHeadTimeout > 0, clientIdleTimeout > 0 else {
            throw ValidationError("--request-head-timeout and --client-idle-timeout: seconds, more than 0")
        }
        guard fileCacheValidity >= 0, fileCacheValidity.isFinite else { throw ValidationError("--file-cache-validity must not be negative") }
        let configuration = ConditionalFileMiddleware<BasicRequestContext>.Configuration(
            cacheControl: CacheControlRules(rules, default: maxAge.map { "max-age=\($0)" }),
            servesIndex: index,
            precompressed: noPrecompressed ? [] : [.brotli, .gzip],
            servesHiddenFiles: hidden,
            metadataValidity: .milliseconds(Int64(fileCacheValidity * 1000)),
            memoryCachedFileSize: memory > 0 ? 1 << 20 : 0,
            memoryCacheCapacity: memory
        )
        let files: ConditionalFileMiddleware<BasicRequestContext>
        do {
            files = try ConditionalFileMiddleware(root, configuration: configuration)
        } catch let error as ConditionalFileMiddleware<BasicRequestContext>.RootError {
            throw ValidationError("cannot serve \(root): \(error)")
        }

        let router = Router(options: .autoGenerateHeadEndpoints)
        router.add(middleware: files)
        if exampleRoute {
            ExampleRoute.add(to: router, maxAge: maxAge ?? 60)
        }
        let serverName = "cachet/\(CachetVersion.current)"
        let eventLoopGroup: MultiThreadedEventLoopGroup = threads.map { MultiThreadedEventLoopGroup(numberOfThreads: $0) } ?? .singleton
        let announce: @Sendable (Int) async -> Void = { port in print("cachet serve: \(root) on http://\(host):\(port)") }
        #if os(Linux)
        // Requests that need no I/O are answered by our own socket loops, from raw bytes; a
        // connection with any other request goes on through Hummingbird (FileSocketServer).
        let server = FileSocketServer(
            files: files,
            router: router,
            configuration: .init(
                host: host, port: port, threads: threads ?? System.coreCount, serverName: serverName,
                requestHeadTimeout: .seconds(requestHeadTimeout), idleTimeout: .seconds(clientIdleTimeout)
            ),
            eventLoopGroup: eventLoopGroup,
            onRunning: announce
        )
        let logger = Logger(label: "cachet.serve")
        try await ServiceGroup(configuration: .init(services: [server], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)).run()
        #else
        let app = Application(
            router: router,
            // Requests that need no I/O are answered from raw bytes, before the HTTP/1 decoder
            // and the router (FileFastPath).
            server: .http1(answeringFirst: files, serverName: serverName),
            configuration: ApplicationConfiguration(address: .hostname(host, port: port), serverName: serverName),
            onServerRunning: { channel in await announce(channel.localAddress?.port ?? port) },
            eventLoopGroupProvider: .shared(eventLoopGroup)
        )
        try await app.runService()
        #endif
    }
}

/// A dynamic route behind ``ConditionalRequestMiddleware``: its ETag is derived from the
/// body, and it answers 304, 412 and ranges like the files do.
enum ExampleRoute {
    static func add(to router: Router<BasicRequestContext>, maxAge: Int) {
        let group = router.group("_cachet").add(middleware: ConditionalRequestMiddleware<BasicRequestContext>())
        group.get("example") { _, _ -> Response in
            let body = """
                {"message":"hello from a dynamic route","validator":"a strong ETag from the SHA-256 of this body",\
                "answers":["304 to If-None-Match and If-Modified-Since","412 to If-Match","206 and 416 to Range"]}

                """
            return Response(
                status: .ok,
                headers: [.contentType: "application/json; charset=utf-8", .cacheControl: "max-age=\(maxAge)"],
                body: ResponseBody(byteBuffer: ByteBuffer(string: body))
            )
        }
    }
}
