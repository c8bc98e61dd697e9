/// One finding of `cachet check`: a stable id, a level, the probe that found it and one
/// sentence in plain words. Ids are the stable API (tests and scripts match on them); the
/// sentences may be reworded.
///
/// The shape follows REDbot / httplint, where every finding is a named note with a level.
public struct Note: Sendable, Hashable, Codable {
    /// How much a finding matters.
    public enum Level: String, Sendable, Hashable, Codable, CaseIterable, Comparable {
        /// Something done right.
        case good
        /// A fact worth knowing, neither right nor wrong.
        case info
        /// Allowed, but it costs caches or clients something.
        case warning
        /// A violation of RFC 9110 / RFC 9111 that breaks caching or conditional requests.
        case bad

        private var rank: Int {
            switch self {
            case .good: return 0
            case .info: return 1
            case .warning: return 2
            case .bad: return 3
            }
        }

        public static func < (lhs: Level, rhs: Level) -> Bool { lhs.rank < rhs.rank }
    }

    /// A stable, kebab-case identifier such as `inm-weak-match-ignored`.
    public var id: String
    public var level: Level
    /// The name of the probe that produced the note.
    public var probe: String
    /// One plain-words sentence.
    public var sentence: String
    /// Optional evidence: the values seen, the request sent.
    public var detail: String?

    public init(_ id: String, _ level: Level, probe: String, _ sentence: String, detail: String? = nil) {
        self.id = id
        self.level = level
        self.probe = probe
        self.sentence = sentence
        self.detail = detail
    }
}
