import CachetTestSupport
import Foundation
import NIOCore
import Testing

@testable import CachetRedis

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Whether the tests against a real server run: when `redis-server` is installed, or on CI
/// (`CI=true`), where a missing server must fail the run rather than skip it.
enum RedisAvailability {
    static let serverPath = executable("redis-server")
    static let cliPath = executable("redis-cli")
    static let enabled = serverPath != nil || ProcessInfo.processInfo.environment["CI"] == "true"
    static let reason: Comment = "redis-server is not installed (apt-get install redis-server); with CI=true these tests run and fail instead of being skipped"

    static func executable(_ name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        let folders = path.split(separator: ":").map(String.init) + ["/usr/sbin", "/usr/local/bin"]
        return folders
            .map { "\($0)/\(name)" }
            .first { FileManager.default.isExecutableFile(atPath: $0) }
    }
}

/// A `redis-server` started by a test on a loopback port of its own, with no persistence,
/// killed when the test is done (`stop()`, or at the latest when the value goes away). Never a
/// system Redis.
final class RedisServer: @unchecked Sendable {
    let port: Int
    let directory: URL
    let clusterEnabled: Bool
    private var process: Process?

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    private init(port: Int, directory: URL, clusterEnabled: Bool) {
        self.port = port
        self.directory = directory
        self.clusterEnabled = clusterEnabled
    }

    /// Starts a server on a free port (a cluster node also needs port + 10000 for its bus),
    /// trying other ports when one is taken between the check and the server's bind.
    static func start(cluster: Bool = false) async throws -> RedisServer {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("cachet-redis-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        var lastError: any Error = Failure(description: "no free port found")
        for _ in 0..<20 {
            let port = Int.random(in: 20000..<40000)
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
    func restart() async throws {
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
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try CachetTestSupport.launch(process)
        self.process = process
        // Ready when it answers PING; gone if it exited (port taken).
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline {
            guard kill(process.processIdentifier, 0) == 0 else { throw Failure(description: "redis-server on \(port) exited: \(log.suffix(500))") }
            if await answersPing() { return }
            try await Task.sleep(for: .milliseconds(20))
        }
        crash()
        throw Failure(description: "redis-server on \(port) did not answer PING within 10 s")
    }

    /// Whether the server answers PING, asked over a connection of the client under test
    /// rather than by redis-cli: polling with a process launch every 20 ms made hundreds of
    /// launches, and launches are serialised across the whole test run.
    private func answersPing() async -> Bool {
        guard let connection = try? await RedisConnection.connect(to: RedisAddress(host: "127.0.0.1", port: port)) else { return false }
        let reply = try? await connection.send(["PING"])
        await connection.close()
        if case .simpleString(let text)? = reply { return String(buffer: text) == "PONG" }
        return false
    }

    /// SIGKILL, as a crash: no goodbye to clients.
    func crash() {
        guard let process, process.processIdentifier > 0 else { return }
        // Whatever `isRunning` says: Foundation learns of an exit late, and a server it thought
        // gone must not outlive the test run.
        kill(process.processIdentifier, SIGKILL)
        if process.isRunning { process.waitUntilExit() }
    }

    /// Kills the server and removes its folder.
    func stop() {
        crash()
        try? FileManager.default.removeItem(at: directory)
    }

    deinit { stop() }

    var log: String {
        (try? String(contentsOf: directory.appendingPathComponent("redis-\(port).log"), encoding: .utf8)) ?? ""
    }

    /// `redis-cli -p PORT args...`, its output without the final newline.
    @discardableResult
    func cli(_ arguments: String...) async throws -> String {
        try await Self.cli(["-p", "\(port)"] + arguments)
    }

    /// Runs redis-cli on a thread of its own: waiting for a process must not hold one of the
    /// few threads that run the tests' tasks (other tests' timers would fire late).
    @discardableResult
    static func cli(_ arguments: [String]) async throws -> String {
        try await withCheckedThrowingContinuation { continuation in
            let thread = Thread {
                continuation.resume(with: Result { try runCLI(arguments) })
            }
            // Foundation's Process.run() lists /proc/self/fd on the stack of the thread that
            // calls it: with a few thousand descriptors open (every suite at once) a new
            // Thread's small default stack overflowed there and crashed the test run.
            thread.stackSize = 8 << 20
            thread.start()
        }
    }

    private static func runCLI(_ arguments: [String]) throws -> String {
        guard let path = RedisAvailability.cliPath else { throw Failure(description: "redis-cli is not installed") }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = ["-h", "127.0.0.1"] + arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try CachetTestSupport.launch(process)
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        var text = String(decoding: data, as: UTF8.self)
        while text.hasSuffix("\n") { text.removeLast() }
        return text
    }

    var url: String { "redis://127.0.0.1:\(port)" }

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

/// Polls `condition` every 20 ms until it holds, for at most `seconds`.
func eventually(within seconds: Double = 10, _ what: String = "condition", _ condition: () async throws -> Bool) async throws {
    let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
    while ContinuousClock.now < deadline {
        if (try? await condition()) == true { return }
        try await Task.sleep(for: .milliseconds(20))
    }
    throw RedisServer.Failure(description: "\(what) did not hold within \(seconds) s")
}
