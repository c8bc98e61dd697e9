import CachetRedis
import Foundation
import Logging
import NIOCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A `redis-server` started by a test on a loopback port of its own, with no persistence,
/// killed when the test is done (`stop()`, or at the latest when the value goes away). Never a
/// system Redis.
public final class RedisServer: @unchecked Sendable {
    public let port: Int
    public let directory: URL
    public let clusterEnabled: Bool
    private var process: ChildProcess?

    public struct Failure: Error, CustomStringConvertible {
        public var description: String
        public init(description: String) { self.description = description }
    }

    private init(port: Int, directory: URL, clusterEnabled: Bool) {
        self.port = port
        self.directory = directory
        self.clusterEnabled = clusterEnabled
    }

    /// Starts a server on a free port (a cluster node also needs port + 10000 for its bus),
    /// trying other ports when one is taken between the check and the server's bind.
    public static func start(cluster: Bool = false) async throws -> RedisServer {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("cachet-redis-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        var lastError: any Error = Failure(description: "no free port found")
        for _ in 0..<20 {
            // Below Linux's ephemeral range (32768 and up), bus port included: an outgoing
            // connection cannot take the port while a killed node waits to be restarted on it.
            let port = Int.random(in: 12000..<22000)
            guard portIsFree(port), !cluster || portIsFree(port + 10000) else { continue }
            let server = RedisServer(port: port, directory: directory, clusterEnabled: cluster)
            do {
                try await server.launch()
                return server
            } catch {
                server.crash()
                lastError = error
            }
        }
        throw lastError
    }

    /// Starts the server again on the same port, as after a crash.
    public func restart() async throws {
        try await launch()
    }

    private func launch() async throws {
        guard let path = RedisAvailability.serverPath else { throw Failure(description: "redis-server is not installed") }
        var arguments = [
            "--port", "\(port)", "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--daemonize", "no",
            "--dir", directory.path, "--logfile", directory.appendingPathComponent("redis-\(port).log").path,
            "--enable-debug-command", "local",
        ]
        if clusterEnabled {
            arguments += ["--cluster-enabled", "yes", "--cluster-config-file", directory.appendingPathComponent("nodes-\(port).conf").path]
        }
        let process = try ChildProcess(path, arguments: arguments)
        self.process = process
        // Ready when it answers PING; gone if it exited (port taken).
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline {
            guard process.isRunning else { throw Failure(description: "redis-server on \(port) exited: \(log.suffix(500))") }
            if await answersPing() { return }
            try await Task.sleep(for: .milliseconds(20))
        }
        crash()
        throw Failure(description: "redis-server on \(port) did not answer PING within 10 s")
    }

    /// Whether the server answers PING, asked by a client of our own (`RedisClient.ping`)
    /// rather than by redis-cli: polling with a process launch every 20 ms made hundreds of
    /// launches, and launches are serialised across the whole test run. A new client each
    /// time, since a client waits out a backoff after a refused connection.
    private func answersPing() async -> Bool {
        let client = RedisClient(
            endpoint: .standalone(RedisAddress(host: "127.0.0.1", port: port)),
            configuration: RedisConfiguration(connectionsPerNode: 1, connectTimeout: .seconds(2), commandTimeout: .seconds(2)),
            logger: Logger(label: "test.redis-ready") { _ in SwiftLogNoOpLogHandler() }
        )
        let reply = try? await client.ping()
        await client.shutdown()
        return reply == "PONG"
    }

    /// SIGKILL, as a crash: no goodbye to clients.
    public func crash() {
        guard let process else { return }
        process.signal(SIGKILL)
        process.waitUntilExit()
    }

    /// SIGSTOP: the server keeps its connections but answers nothing, as a Redis stuck on a
    /// slow disk or a full CPU would; ``resume()`` lets it go on.
    public func pause() {
        process?.signal(SIGSTOP)
    }

    public func resume() {
        process?.signal(SIGCONT)
    }

    /// Kills the server and removes its folder.
    public func stop() {
        crash()
        try? FileManager.default.removeItem(at: directory)
    }

    deinit { stop() }

    public var log: String {
        (try? String(contentsOf: directory.appendingPathComponent("redis-\(port).log"), encoding: .utf8)) ?? ""
    }

    /// `redis-cli -p PORT args...`, its output without the final newline.
    @discardableResult
    public func cli(_ arguments: String...) async throws -> String {
        try await Self.cli(["-p", "\(port)"] + arguments)
    }

    /// Runs redis-cli on a thread of its own: waiting for a process must not hold one of the
    /// few threads that run the tests' tasks (other tests' timers would fire late).
    @discardableResult
    public static func cli(_ arguments: [String]) async throws -> String {
        try await withCheckedThrowingContinuation { continuation in
            let thread = Thread {
                continuation.resume(with: Result { try runCLI(arguments) })
            }
            thread.start()
        }
    }

    private static func runCLI(_ arguments: [String]) throws -> String {
        guard let path = RedisAvailability.cliPath else { throw Failure(description: "redis-cli is not installed") }
        let process = try ChildProcess(path, arguments: ["-h", "127.0.0.1"] + arguments, standardOutput: .pipe, standardError: .standardOutput)
        let data = process.standardOutput!.readDataToEndOfFile()
        process.waitUntilExit()
        var text = String(decoding: data, as: UTF8.self)
        while text.hasSuffix("\n") { text.removeLast() }
        return text
    }

    public var url: String { "redis://127.0.0.1:\(port)" }

    private static func portIsFree(_ port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
    }
}
