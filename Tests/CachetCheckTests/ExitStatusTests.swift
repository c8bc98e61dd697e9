import CachetCheck
import CachetTestSupport
import HTTPTypes
import Testing

/// What `cachet check` prints and exits with: 0 without bad notes, 1 with, 2 when the URL
/// cannot be fetched; `--json` decodes back into the report.
@Suite("cachet check exit status and output")
struct ExitStatusTests {
    @Test("0 for a correct origin, with a readable report and the summary last")
    func zero() async throws {
        let run = try await withOrigin { url, _ in await CheckRun.run(url: url) }
        #expect(run.status == 0)
        #expect(run.errorOutput.isEmpty)
        #expect(run.output.hasPrefix("cachet check http://127.0.0.1:"))
        #expect(run.output.contains("If-None-Match\n"))
        #expect(!run.output.contains("\u{1B}["), "no colour unless asked")
        let last = run.output.split(separator: "\n").last.map(String.init) ?? ""
        #expect(last.hasSuffix("0 bad: no problems that break caching."))
    }

    @Test("1 when a note is bad")
    func one() async throws {
        let run = try await withOrigin([.ignoresValidators]) { url, _ in await CheckRun.run(url: url, colour: true) }
        #expect(run.status == 1)
        #expect(run.output.contains("inm-match-ignored"))
        #expect(run.output.contains("\u{1B}[31;1m"), "bad notes in red when colour is on")
    }

    @Test("2 with a clear message when nothing listens on the port")
    func two() async throws {
        let refusing = try RefusingPort()
        let url = "http://127.0.0.1:\(refusing.port)/resource"
        let run = await CheckRun.run(url: url, timeout: .seconds(5))
        withExtendedLifetime(refusing) {}
        #expect(run.status == 2)
        #expect(run.output.isEmpty)
        #expect(run.errorOutput.hasPrefix("cachet check: cannot fetch \(url): connection refused"), "\(run.errorOutput)")
    }

    @Test("2 for a URL that is not http(s)")
    func badURL() async {
        let run = await CheckRun.run(url: "ftp://127.0.0.1/file")
        #expect(run.status == 2)
        #expect(run.errorOutput.contains("only http and https"))
    }

    @Test("--json decodes into the report")
    func json() async throws {
        let run = try await withOrigin([.notModifiedWithoutVary]) { url, _ in await CheckRun.run(url: url, json: true) }
        #expect(run.status == 1)
        let report = try JSONReport.decode(run.output)
        #expect(report.exitStatus == 1)
        #expect(report.has("nm-missing-vary", .bad))
        #expect(report.summary.contains("1 bad"))
    }

    @Test("durations and header arguments parse")
    func arguments() throws {
        #expect(CheckRun.duration("10s") == .seconds(10))
        #expect(CheckRun.duration("500ms") == .milliseconds(500))
        #expect(CheckRun.duration("2m") == .seconds(120))
        #expect(CheckRun.duration("7") == .seconds(7))
        #expect(CheckRun.duration("soon") == nil)
        let fields = try CheckRun.fields(["Authorization: Bearer x", "X-Test:  y "])
        #expect(fields[.authorization] == "Bearer x")
        #expect(throws: CheckTarget.Invalid.self) { try CheckRun.fields(["no colon"]) }
        let target = try CheckTarget("https://[::1]:8443/a?b#c")
        #expect(target.host == "::1" && target.port == 8443 && target.pathAndQuery == "/a?b")
    }
}
