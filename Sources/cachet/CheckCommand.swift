import ArgumentParser
import CachetCheck

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `cachet check URL`: probes a URL as caches and browsers would and explains its
/// validators, conditional requests, ranges and caching in plain words.
struct CheckCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Explain a URL's validators, conditional requests (304/412), ranges and caching in plain words.",
        discussion: """
            Exit status: 0 when no note is bad, 1 when some are, 2 when the URL could not be fetched.

            Examples:
              cachet check https://example.com/app.js
              cachet check http://127.0.0.1:8080/ --header 'Authorization: Bearer …' --timeout 5s
              cachet check https://example.com/ --json | jq '.notes[] | select(.level == "bad")'
            """
    )

    @Argument(help: "The http:// or https:// URL to check.")
    var url: String

    @Option(name: .customLong("header"), help: ArgumentHelp("A field to add to every request (repeatable).", valueName: "Name: value"))
    var headers: [String] = []

    @Flag(help: "Print the report as JSON.")
    var json = false

    @Option(help: ArgumentHelp("Time allowed for each request: 10s, 500ms, 1m.", valueName: "duration"))
    var timeout: String = "10s"

    @Flag(help: "Also send a PUT whose If-Match / If-Unmodified-Since fail (with the current content, in case they are ignored).")
    var unsafe = false

    func run() async throws {
        guard let timeout = CheckRun.duration(timeout) else {
            throw ValidationError("--timeout expects a duration such as 10s, 500ms or 1m, got \(self.timeout)")
        }
        let run = await CheckRun.run(
            url: url, headers: headers, timeout: timeout, json: json,
            colour: !json && isatty(STDOUT_FILENO) == 1, allowsUnsafeMethods: unsafe
        )
        if !run.output.isEmpty { print(run.output, terminator: "") }
        if !run.errorOutput.isEmpty {
            var message = run.errorOutput
            message.withUTF8 { bytes in _ = write(STDERR_FILENO, bytes.baseAddress, bytes.count) }
        }
        if run.status != 0 { throw ExitCode(run.status) }
    }
}
