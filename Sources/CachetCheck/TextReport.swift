/// The human-readable report: notes grouped by probe, each with its level, id and sentence,
/// and the summary line last. ANSI colour only when asked (the command asks when stdout is
/// a terminal).
public enum TextReport {
    public static func render(_ report: CheckReport, colour: Bool) -> String {
        var lines = ["cachet check \(report.url)"]
        let width = report.notes.map(\.id.count).max() ?? 0
        for probe in report.probes {
            lines.append("")
            lines.append(colour ? "\u{1B}[1m\(probe)\u{1B}[0m" : probe)
            for note in report.notes where note.probe == probe {
                let level = note.level.rawValue.padded(to: 7)
                let id = note.id.padded(to: width)
                let tag = "\(symbol(note.level)) \(level)"
                lines.append("  \(colour ? paint(tag, note.level) : tag) \(id)  \(note.sentence)")
                if let detail = note.detail {
                    let indent = String(repeating: " ", count: 14 + width)
                    lines.append(colour ? "\(indent)\u{1B}[2m\(detail)\u{1B}[0m" : "\(indent)\(detail)")
                }
            }
        }
        lines.append("")
        lines.append(report.summary)
        return lines.joined(separator: "\n") + "\n"
    }

    static func symbol(_ level: Note.Level) -> String {
        switch level {
        case .good: return "✓"
        case .info: return "·"
        case .warning: return "!"
        case .bad: return "✗"
        }
    }

    static func paint(_ text: String, _ level: Note.Level) -> String {
        let code: String
        switch level {
        case .good: code = "32"
        case .info: code = "36"
        case .warning: code = "33"
        case .bad: code = "31;1"
        }
        return "\u{1B}[\(code)m\(text)\u{1B}[0m"
    }
}

extension String {
    /// Foundation-free left-aligned padding.
    func padded(to length: Int) -> String {
        count >= length ? self : self + String(repeating: " ", count: length - count)
    }
}
