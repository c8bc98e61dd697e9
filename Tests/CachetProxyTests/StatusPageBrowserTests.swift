import CachetTestSupport
import Foundation
import Testing

@testable import CachetProxy

/// The status page in a real headless browser (Chromium from Debian's packages): it renders,
/// its chart is there, and a screenshot is kept as a test artefact.
///
/// Runs when Chromium is installed, and always in CI (`CI=true`), where a missing Chromium
/// fails the test rather than skipping it: `.ci/run` installs it.
@Suite("Status page in Chromium")
struct StatusPageBrowserTests {
    static let chromium = Chromium.find()
    static let enabled = chromium != nil || ProcessInfo.processInfo.environment["CI"] == "true"

    @Test(
        "the status page renders the hit ratio and the outcome chart; screenshot in .build-artifacts/",
        .enabled(if: enabled, "Chromium is not installed (apt-get install -y chromium); CI=true runs this test regardless")
    )
    func renders() async throws {
        let browser = try #require(Self.chromium, "Chromium not found on PATH: CI must install it (apt-get install -y chromium)")
        let h = try await ProxyHarness.make()
        h.origin.route("/a") { _, _ in h.origin.ok("hello world", [(.cacheControl, "max-age=60"), (.eTag, "\"a1\"")]) }
        h.origin.route("/b") { _, _ in h.origin.ok(String(repeating: "b", count: 40_000), [(.cacheControl, "max-age=60")]) }
        h.origin.route("/p") { _, _ in h.origin.ok("posted", []) }
        h.origin.route("/r") { request, _ in
            request.headerFields[.ifNoneMatch] == "\"r1\""
                ? h.origin.reply(.notModified, [(.cacheControl, "max-age=1"), (.eTag, "\"r1\"")])
                : h.origin.ok(String(repeating: "r", count: 20_000), [(.cacheControl, "max-age=1"), (.eTag, "\"r1\"")])
        }
        // 3 misses, 7 hits (3 of them 304s), 1 revalidated with 304, 1 pass: hit ratio 8/11.
        _ = try await h.get("/r")
        h.advance(5)
        _ = try await h.get("/r")
        _ = try await h.get("/a")
        _ = try await h.get("/b")
        for _ in 0..<4 { _ = try await h.get("/b") }
        for _ in 0..<3 { _ = try await h.get("/a", [("If-None-Match", "\"a1\"")]) }
        _ = try await h.request(.POST, "/p", body: "x")
        let port = try #require(h.proxy.adminAddress?.port)
        let url = "http://127.0.0.1:\(port)/"

        let dom = try await browser.run(["--dump-dom", url])
        #expect(dom.status == 0, "\(dom.errors)")
        #expect(dom.output.contains("id=\"outcome-chart\""), "\(dom.output)")
        #expect(dom.output.contains("72.7\u{2009}%"), "hit ratio 8/11 not shown: \(dom.output)")
        #expect(dom.output.contains("data-outcome=\"hit\""))
        #expect(dom.output.contains("data-outcome=\"miss\""))

        let folder = Chromium.artefacts
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let path = folder + "/status-page.png"
        try? FileManager.default.removeItem(atPath: path)
        let shot = try await browser.run(["--screenshot=\(path)", "--window-size=1200,900", "--hide-scrollbars", url])
        #expect(shot.status == 0, "\(shot.errors)")
        let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
        // A blank 1200×900 PNG is a few kilobytes; a rendered page with text and a chart is far more.
        #expect(size > 20_000, "screenshot \(path) is \(size) bytes")
        print("status page screenshot: \(path) (\(size) bytes)")
        try await h.shutdown()
    }
}

/// Headless Chromium, run once per command with a profile of its own.
struct Chromium: Sendable {
    let executable: String

    /// Where test artefacts go: `.build-artifacts/` at the package root (ignored by git).
    static var artefacts: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent(".build-artifacts").path
    }

    static func find() -> Chromium? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for folder in path.split(separator: ":") {
            for name in ["chromium", "chromium-browser", "google-chrome"] {
                let candidate = "\(folder)/\(name)"
                if FileManager.default.isExecutableFile(atPath: candidate) { return Chromium(executable: candidate) }
            }
        }
        return nil
    }

    struct Run: Sendable {
        var status: Int32
        var output: String
        var errors: String
    }

    /// Runs Chromium headless with `arguments`, without blocking a cooperative thread;
    /// killed after `limit` so a hung browser cannot hang the tests.
    func run(_ arguments: [String], limit: Duration = .seconds(90)) async throws -> Run {
        let profile = FileManager.default.temporaryDirectory.appendingPathComponent("cachet-chromium-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: profile) }
        let process = try ChildProcess(
            executable,
            arguments: [
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run", "--user-data-dir=\(profile)",
            ] + arguments,
            standardOutput: .pipe, standardError: .pipe
        )
        let output = process.standardOutput!
        let errors = process.standardError!
        // Both pipes are drained as the browser writes, so it never blocks on a full one.
        let collected = Collected()
        output.readabilityHandler = { handle in collected.append(handle.availableData, error: false) }
        errors.readabilityHandler = { handle in collected.append(handle.availableData, error: true) }
        // A timeout, not a wait: the browser is killed if it has not finished by then.
        let watchdog = Task {
            try await Task.sleep(for: limit)
            process.terminate()
        }
        defer { watchdog.cancel() }
        let status = await process.exitStatus()
        output.readabilityHandler = nil
        errors.readabilityHandler = nil
        collected.append(output.readDataToEndOfFile(), error: false)
        collected.append(errors.readDataToEndOfFile(), error: true)
        return Run(status: status, output: collected.output, errors: collected.errors)
    }

    private final class Collected: @unchecked Sendable {
        private let lock = NSLock()
        private var out = Data()
        private var err = Data()

        func append(_ data: Data, error: Bool) {
            lock.lock()
            defer { lock.unlock() }
            if error { err.append(data) } else { out.append(data) }
        }

        var output: String { lock.withLock { String(decoding: out, as: UTF8.self) } }
        var errors: String { lock.withLock { String(decoding: err, as: UTF8.self) } }
    }
}
