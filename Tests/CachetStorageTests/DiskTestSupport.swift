import CachetStorage
import CachetTestSupport
import Foundation
import HTTPCachePolicy
import HTTPPreconditions
import HTTPTypes
import Logging
import NIOConcurrencyHelpers
import NIOCore

enum DiskFixtures {
    static let now = HTTPDate(secondsSince1970: 1_795_000_000)

    /// A stored GET response for `http://example.com<path>` whose body is `body` bytes of a
    /// pattern that depends on `etag`.
    static func entry(
        _ path: String, body: Int, vary: (String, String)? = nil, etag: String = "e", extraFields: HTTPFields = [:]
    ) -> StoredResponse {
        var request = HTTPRequest(method: .get, scheme: "http", authority: "example.com", path: path)
        var response = HTTPResponse(status: .ok)
        response.headerFields = [.date: now.imfFixdate, .cacheControl: "max-age=60", .eTag: "\"\(etag)\""]
        response.headerFields.append(contentsOf: extraFields)
        if let (name, value) = vary {
            response.headerFields[.vary] = name
            request.headerFields[HTTPField.Name(name)!] = value
        }
        let policy = CachePolicy(request: request, response: response, requestTime: now, responseTime: now)
        return StoredResponse(key: CacheKey(request: request)!, policy: policy, body: patternBytes(body, seed: etag))
    }

    /// The policy encoded as JSON with sorted keys: two policies with the same JSON are the
    /// same value (`CachePolicy` is not `Equatable`).
    static func json(_ policy: CachePolicy) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return try encoder.encode(policy)
    }
}

/// The torture executable's entries (Sources/cachet-disk-torture/main.swift): both sides
/// must build the same bytes.

/// A logger that drops everything.
let quietLogger = Logger(label: "test.disk") { _ in SwiftLogNoOpLogHandler() }

