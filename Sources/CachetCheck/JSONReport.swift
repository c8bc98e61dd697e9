import Foundation

/// The `--json` output: the ``CheckReport`` as JSON, keys sorted so that output diffs well.
public enum JSONReport {
    public static func encode(_ report: CheckReport) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let data = (try? encoder.encode(report)) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self) + "\n"
    }

    public static func decode(_ text: String) throws -> CheckReport {
        try JSONDecoder().decode(CheckReport.self, from: Data(text.utf8))
    }
}
