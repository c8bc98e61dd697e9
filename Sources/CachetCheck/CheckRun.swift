import HTTPTypes

/// `cachet check` from parsed arguments to what is printed and the exit status, without
/// touching the process: the command prints `output` to stdout, `errorOutput` to stderr, and
/// exits with `status`. Exit statuses: 0 no `bad` note, 1 some, 2 the URL could not be fetched.
public struct CheckRun: Sendable {
    public var output = ""
    public var errorOutput = ""
    public var status: Int32 = 0

    /// Parses `--header 'Name: value'` arguments.
    public static func fields(_ headers: [String]) throws(CheckTarget.Invalid) -> HTTPFields {
        var fields = HTTPFields()
        for header in headers {
            guard let colon = header.firstIndex(of: ":"), let name = HTTPField.Name(String(header[..<colon]).trimmingWhitespace()) else {
                throw CheckTarget.Invalid(description: "expected --header 'Name: value', got \(header)")
            }
            fields.append(HTTPField(name: name, value: String(header[header.index(after: colon)...]).trimmingWhitespace()))
        }
        return fields
    }

    /// Parses `10s`, `500ms`, `2m` or a bare number of seconds.
    public static func duration(_ text: String) -> Duration? {
        let units: [(String, (Int) -> Duration)] = [("ms", { .milliseconds($0) }), ("s", { .seconds($0) }), ("m", { .seconds($0 * 60) })]
        for (suffix, make) in units where text.hasSuffix(suffix) {
            return Int(text.dropLast(suffix.count)).flatMap { $0 > 0 ? make($0) : nil }
        }
        return Int(text).flatMap { $0 > 0 ? Duration.seconds($0) : nil }
    }

    public static func run(
        url: String, headers: [String] = [], timeout: Duration = .seconds(10), json: Bool = false,
        colour: Bool = false, allowsUnsafeMethods: Bool = false
    ) async -> CheckRun {
        var run = CheckRun()
        let target: CheckTarget
        let fields: HTTPFields
        do {
            target = try CheckTarget(url)
            fields = try Self.fields(headers)
        } catch {
            run.errorOutput = "cachet check: \(error)\n"
            run.status = 2
            return run
        }
        let fetcher = HTTPClientFetcher(target: target, extraFields: fields, timeout: timeout)
        do {
            let report = try await Checker.check(url: target.url, fetcher: fetcher, allowsUnsafeMethods: allowsUnsafeMethods)
            run.output = json ? JSONReport.encode(report) : TextReport.render(report, colour: colour)
            run.status = report.exitStatus
        } catch {
            run.errorOutput = "cachet check: \(error)\n"
            run.status = 2
        }
        try? await fetcher.shutdown()
        return run
    }
}
