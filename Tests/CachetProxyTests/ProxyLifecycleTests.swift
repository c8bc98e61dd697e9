import CachetTestSupport
import Foundation
import HTTPTypes
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import Testing

@testable import CachetProxy

/// `cachet proxy` as an operator runs it: SIGTERM drains (within `--drain-timeout`), flushes
/// the disk tier and exits 0; a configuration it cannot use is one line on stderr and a
/// failing exit status.
@Suite("cachet proxy lifecycle")
struct ProxyLifecycleTests {
    static func arguments(origin: Int, _ more: [String] = []) -> [String] {
        ["proxy", "--listen", "127.0.0.1:0", "--admin", "127.0.0.1:0", "--origin", "http://127.0.0.1:\(origin)", "--threads", "1"] + more
    }

    /// Polls until a connection to `port` is refused; bounded, so a proxy that keeps
    /// accepting fails the test instead of hanging it.
    static func waitUntilRefused(_ port: Int, attempts: Int = 500) async -> Bool {
        for _ in 0..<attempts {
            do {
                let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                    .connect(host: "127.0.0.1", port: port).get()
                try? await channel.close()
                // Still accepting: the signal may not have arrived yet. Poll again shortly.
                try? await Task.sleep(for: .milliseconds(10))
            } catch {
                return true
            }
        }
        return false
    }

    @Test("SIGTERM drains a slow in-flight request: new connections are refused, an idle keep-alive connection is closed, the request gets its whole 200, exit 0")
    func sigtermDrainsSlowRequest() async throws {
        let executable = try ProxyDiskTests.cachetExecutable()
        let arrived = Gate()
        let release = Gate()
        let content = ProxyDiskTests.body("slow", bytes: 20_000)
        let origin = SimpleOriginServer { request, _ in
            if request.path == "/fast" {
                return .init(head: HTTPResponse(status: .ok, headerFields: [.cacheControl: "no-store"]), body: ByteBuffer(string: "fast"))
            }
            arrived.open()
            await release.wait()
            var head = HTTPResponse(status: .ok)
            head.headerFields[.cacheControl] = "max-age=60"
            return .init(head: head, body: ByteBuffer(string: content))
        }
        let originPort = try await origin.start()
        let proxy = try await ChildProxy.launch(executable, arguments: Self.arguments(origin: originPort), keepErrors: true)
        defer { proxy.sigkill() }

        // An idle keep-alive connection: one request answered, then nothing.
        let idle = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connect(host: "127.0.0.1", port: proxy.port) { channel in
                channel.eventLoop.makeCompletedFuture { try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel) }
            }
        // A keep-alive client: the proxy must end the connection itself once it has answered.
        let client = ProxyDiskTests.client()
        let answer = Task { try await ProxyDiskTests.get(client, port: proxy.port, path: "/slow") }
        try await idle.executeThenClose { inbound, outbound in
            try await outbound.write(ByteBuffer(string: "GET /fast HTTP/1.1\r\nHost: drain.test\r\n\r\n"))
            var responses = inbound.makeAsyncIterator()
            var text = ""
            while !(text.hasSuffix("\r\n\r\nfast") || text.hasSuffix("fast\r\n0\r\n\r\n")) {
                guard let chunk = try await responses.next() else { break }
                text += String(buffer: chunk)
            }
            #expect(text.hasPrefix("HTTP/1.1 200 OK\r\n"), "\(text)")

            await arrived.wait()
            proxy.sigterm()
            // Closed by the proxy while the slow request is still held at the origin. Should it
            // stay open, a guard kills the proxy after 20 s so that the test ends.
            let killed = NIOLockedValueBox(false)
            let guardTask = Task {
                try await Task.sleep(for: .seconds(20))
                killed.withLockedValue { $0 = true }
                proxy.sigkill()
            }
            let after = try? await responses.next()
            guardTask.cancel()
            #expect(!killed.withLockedValue { $0 }, "the idle keep-alive connection stayed open after SIGTERM")
            #expect(after == nil, "the idle connection got more bytes: \(after.map { String(buffer: $0) } ?? "")")
        }
        let refused = await Self.waitUntilRefused(proxy.port)
        #expect(refused, "the proxy still accepts connections after SIGTERM")
        // Only now may the origin answer: the drain waited for it.
        release.open()
        let received = await answer.result
        let status = try await proxy.exitStatus()
        #expect(status == 0, "\(proxy.errorLines())")
        switch received {
        case .success(let response):
            #expect(response.status == 200)
            #expect(response["Connection"] == "close")
            #expect(response.body == content, "the body arrived cut: \(response.body.utf8.count) bytes")
        case .failure(let error):
            Issue.record("the drained request failed: \(error)")
        }
        try await client.shutdown()
        try await origin.shutdown()
    }

    @Test("the drain bound: an origin that never answers, --drain-timeout 1, SIGTERM → the connection is closed and the proxy exits 2")
    func drainBound() async throws {
        let executable = try ProxyDiskTests.cachetExecutable()
        let arrived = Gate()
        let never = Gate()
        let origin = SimpleOriginServer { _, _ in
            arrived.open()
            await never.wait()
            return .init(head: HTTPResponse(status: .ok))
        }
        let originPort = try await origin.start()
        let proxy = try await ChildProxy.launch(
            executable, arguments: Self.arguments(origin: originPort, ["--drain-timeout", "1"]), keepErrors: true
        )
        defer { proxy.sigkill() }

        let answer = Task {
            try await RawConnection.exchange(port: proxy.port, "GET /never HTTP/1.1\r\nHost: drain.test\r\n\r\n")
        }
        await arrived.wait()
        let signalled = ContinuousClock.now
        proxy.sigterm()
        // The connection ends without an answer: nothing was sent before the cut.
        let text = try await answer.value
        #expect(text.isEmpty, "\(text.prefix(200))")
        let status = try await proxy.exitStatus(within: .seconds(15))
        let took = ContinuousClock.now - signalled
        #expect(status == 2)
        #expect(took >= .seconds(1), "cut before the bound: \(took)")
        #expect(took < .seconds(10), "\(took)")
        let lines = proxy.errorLines()
        #expect(lines.last?.hasPrefix("cachet proxy: drain cut short after 1s: 1 connection(s)") == true, "\(lines)")
        never.open()
        try await origin.shutdown()
    }

    @Test("SIGINT with nothing in flight: exit 0 at once, even with --drain-timeout 0")
    func sigintIdle() async throws {
        let executable = try ProxyDiskTests.cachetExecutable()
        let proxy = try await ChildProxy.launch(executable, arguments: Self.arguments(origin: 1, ["--drain-timeout", "0"]), keepErrors: true)
        defer { proxy.sigkill() }
        _ = kill(proxy.process.processIdentifier, SIGINT)
        #expect(try await proxy.exitStatus() == 0)
        #expect(proxy.errorLines().isEmpty, "\(proxy.errorLines())")
    }

    @Test("with --disk: SIGTERM after some misses exits 0, and a restart on the folder answers them from disk")
    func sigtermFlushesDisk() async throws {
        let executable = try ProxyDiskTests.cachetExecutable()
        try await withTemporaryFolder { folder in
            let clock = ManualClock(SystemClock().now())
            let origin = ScriptedOrigin(clock: clock)
            try await origin.start()
            let paths = (0..<4).map { "/warm\($0)" }
            for path in paths {
                let content = ProxyDiskTests.body(path, bytes: 30_000)
                origin.route(path) { _, _ in origin.ok(content, [(.cacheControl, "max-age=3600"), (.eTag, "\"\(path)\"")]) }
            }
            let first = try await ChildProxy.launch(executable, arguments: Self.arguments(origin: origin.port, ["--disk", folder]))
            defer { first.sigkill() }
            let client = ProxyDiskTests.client()
            for path in paths {
                let received = try? await ProxyDiskTests.get(client, port: first.port, path: path)
                #expect(received?["X-Cache"] == "MISS")
            }
            // No waiting for the disk writes: SIGTERM must flush them itself.
            first.sigterm()
            #expect(try await first.exitStatus() == 0)
            try await client.shutdown()

            // On the same port: the Host, and so the cache keys, stay the same.
            let second = try await ChildProxy.launch(
                executable,
                arguments: [
                    "proxy", "--listen", "127.0.0.1:\(first.port)", "--admin", "127.0.0.1:0", "--origin", "http://127.0.0.1:\(origin.port)",
                    "--threads", "1", "--disk", folder,
                ]
            )
            defer { second.sigkill() }
            let verifier = ProxyDiskTests.client()
            for path in paths {
                let received = try? await ProxyDiskTests.get(verifier, port: second.port, path: path)
                #expect(received?.status == 200)
                #expect(received?["X-Cache"] == "HIT", "\(path)")
                #expect(received?.body == ProxyDiskTests.body(path, bytes: 30_000))
                #expect(origin.count(path) == 1)
            }
            second.sigterm()
            #expect(try await second.exitStatus() == 0)
            try await verifier.shutdown()
            try await origin.server.shutdown()
        }
    }

    /// A flag value `cachet proxy` cannot use, and what its one line must say.
    struct BadConfiguration: Sendable, CustomTestStringConvertible {
        var arguments: [String]
        var message: String
        var status: Int32
        var testDescription: String { arguments.joined(separator: " ") }
    }

    static let badConfigurations: [BadConfiguration] = [
        .init(arguments: ["--origin", "ftp://x"], message: "invalid --origin ftp://x: expected http://HOST[:PORT]", status: 64),
        .init(arguments: ["--origin", "http://"], message: "invalid --origin http://: expected http://HOST[:PORT]", status: 64),
        .init(arguments: ["--origin", "http://x", "--listen", "127.0.0.1"], message: "invalid --listen 127.0.0.1: expected HOST:PORT", status: 64),
        .init(arguments: ["--origin", "http://x", "--listen", "127.0.0.1:70000"], message: "invalid --listen 127.0.0.1:70000: expected HOST:PORT", status: 64),
        .init(arguments: ["--origin", "http://x", "--memory", "12XB"], message: "invalid --memory 12XB: expected a size", status: 64),
        .init(arguments: ["--origin", "http://x", "--disk-size", "1GiB"], message: "--disk-size needs --disk PATH", status: 64),
        .init(arguments: ["--origin", "http://x", "--drain-timeout=-1"], message: "invalid --drain-timeout -1: seconds, 0 or more", status: 64),
        .init(arguments: ["--disk", "/tmp"], message: "give at least one --origin, or --example-origin", status: 64),
        .init(arguments: ["--origin", "http://x", "--admin", "9091"], message: "invalid --admin 9091: expected HOST:PORT", status: 64),
        .init(arguments: ["--origin", "http://x", "--log-level", "loud"], message: "invalid --log-level loud: expected one of trace, debug", status: 64),
        // A folder below a device: unusable even for root, on every system.
        .init(
            arguments: ["--origin", "http://127.0.0.1:1", "--listen", "127.0.0.1:0", "--disk", "/dev/null/cache"],
            message: "cannot use --disk /dev/null/cache: cannot open the disk cache folder: ", status: 1
        ),
    ]

    /// Runs `cachet` with `arguments` to its end and returns its status and stderr lines.
    static func runToExit(_ arguments: [String]) throws -> (status: Int32, lines: [Substring]) {
        let process = try ChildProcess(try ProxyDiskTests.cachetExecutable().path, arguments: arguments, standardError: .pipe)
        // The child exits on its own; its few bytes of stderr fit in the pipe.
        let status = process.waitUntilExit()
        let text = String(decoding: process.standardError!.readDataToEndOfFile(), as: UTF8.self)
        return (status, text.split(separator: "\n"))
    }

    @Test("a flag value the proxy cannot use: one line on stderr naming it, exit 64 (1 for a disk folder it cannot use)", arguments: badConfigurations)
    func badFlag(_ bad: BadConfiguration) throws {
        let (status, lines) = try Self.runToExit(["proxy"] + bad.arguments)
        #expect(status == bad.status)
        #expect(lines.count == 1, "\(lines)")
        #expect(lines.first?.hasPrefix("cachet proxy: \(bad.message)") == true, "\(lines)")
    }

    @Test("a port in use: one line naming the address and the system's reason, exit 1")
    func portInUse() async throws {
        // A listening socket holds the port (a bound one that does not listen would not stop
        // a bind with SO_REUSEADDR).
        let holder = SimpleOriginServer { _, _ in .init(head: HTTPResponse(status: .ok)) }
        let port = try await holder.start()
        let (status, lines) = try Self.runToExit(["proxy", "--listen", "127.0.0.1:\(port)", "--origin", "http://127.0.0.1:1"])
        #expect(status == 1)
        #expect(lines == ["cachet proxy: cannot listen on 127.0.0.1:\(port): address already in use"], "\(lines)")
        try await holder.shutdown()
    }

    @Test("an admin port in use: one line naming --admin and the system's reason, exit 1")
    func adminPortInUse() async throws {
        let holder = SimpleOriginServer { _, _ in .init(head: HTTPResponse(status: .ok)) }
        let port = try await holder.start()
        let (status, lines) = try Self.runToExit([
            "proxy", "--listen", "127.0.0.1:0", "--admin", "127.0.0.1:\(port)", "--origin", "http://127.0.0.1:1",
        ])
        #expect(status == 1)
        #expect(lines == ["cachet proxy: cannot listen on --admin 127.0.0.1:\(port): address already in use"], "\(lines)")
        try await holder.shutdown()
    }
}
