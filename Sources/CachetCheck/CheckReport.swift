/// The outcome of a check: the notes in probe order, a one-line summary and the exit
/// status (0: no `bad` note, 1: at least one). Encoded as the `--json` output.
public struct CheckReport: Sendable, Hashable, Codable {
    public var url: String
    public var notes: [Note]
    public var summary: String
    public var exitStatus: Int32

    public init(url: String, notes: [Note]) {
        self.url = url
        self.notes = notes
        let count = { (level: Note.Level) in notes.filter { $0.level == level }.count }
        let bad = count(.bad)
        let verdict = bad == 0 ? "no problems that break caching" : bad == 1 ? "1 problem that breaks caching or conditional requests" : "\(bad) problems that break caching or conditional requests"
        self.summary = "\(count(.good)) good, \(count(.info)) info, \(count(.warning)) warning\(count(.warning) == 1 ? "" : "s"), \(bad) bad: \(verdict)."
        self.exitStatus = bad == 0 ? 0 : 1
    }

    /// The probes' names in the order they first appear.
    public var probes: [String] {
        var seen: [String] = []
        for note in notes where !seen.contains(note.probe) { seen.append(note.probe) }
        return seen
    }

    /// The note with the id, if any (the first when a probe repeats one).
    public func note(_ id: String) -> Note? { notes.first { $0.id == id } }
}
