import CachetCheck
import HTTPPreconditions
import HTTPTypes

/// A fetcher that answers from a function of the request, for probes tested without a server.
struct StubFetcher: Fetcher {
    static let now = HTTPDate(secondsSince1970: 1_795_000_000)
    var answer: @Sendable (ProbeRequest) -> (Int, HTTPFields, String)

    func fetch(_ request: ProbeRequest) async throws -> FetchedResponse {
        let (status, fields, body) = answer(request)
        return FetchedResponse(
            status: HTTPResponse.Status(code: status), fields: fields, body: Array(body.utf8),
            requestTime: Self.now, responseTime: Self.now
        )
    }

    /// Runs one probe with the stub's answer to a plain GET as the baseline.
    func run(_ probe: some Probe) async throws -> [Note] {
        let baseline = try await fetch(ProbeRequest(.get))
        return await probe.run(in: ProbeContext(fetcher: self, baseline: baseline))
    }
}

extension Array where Element == Note {
    func has(_ id: String, _ level: Note.Level) -> Bool { contains { $0.id == id && $0.level == level } }
}
