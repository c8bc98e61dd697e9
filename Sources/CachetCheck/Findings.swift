import HTTPPreconditions
import HTTPTypes

/// The notes a probe is collecting, all stamped with its name.
struct Findings {
    let probe: String
    let context: ProbeContext
    var notes: [Note] = []

    init(_ probe: String, _ context: ProbeContext) {
        self.probe = probe
        self.context = context
    }

    mutating func add(_ id: String, _ level: Note.Level, _ sentence: String, detail: String? = nil) {
        notes.append(Note(id, level, probe: probe, sentence, detail: detail))
    }

    /// Sends a request; a transport failure becomes a `request-failed` warning and `nil`.
    mutating func send(_ method: HTTPRequest.Method = .get, _ fields: HTTPFields = [:], body: [UInt8]? = nil) async -> FetchedResponse? {
        let request = ProbeRequest(method, fields, body: body)
        do {
            return try await context.fetcher.fetch(request)
        } catch {
            add(
                "request-failed", .warning,
                "The request \(request.summary) could not be completed, so what it would show is unknown.",
                detail: "\(error)"
            )
            return nil
        }
    }

    /// Records `good` when the response has the expected status, else `bad` with what came.
    mutating func expect(
        _ response: FetchedResponse?, status expected: Int,
        good: (String, String), bad: (String, Note.Level, String), request: String
    ) {
        guard let response else { return }
        if response.status.code == expected {
            add(good.0, .good, good.1, detail: "\(request) → \(response.status.code)")
        } else {
            add(bad.0, bad.1, bad.2, detail: "\(request) → \(response.status.code), expected \(expected)")
        }
    }
}

extension HTTPField.Name {
    /// RFC 9211.
    static let checkCacheStatus = HTTPField.Name("Cache-Status")!
    /// The de facto hit / miss field of Varnish, Squid, CDNs and `cachet proxy`.
    static let checkXCache = HTTPField.Name("X-Cache")!
}

/// An entity tag no server will have: the non-matching case of every condition.
let unmatchedTag = "\"cachet-check-no-such-tag\""
