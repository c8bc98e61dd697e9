import CachetStorage
import CachetTestSupport
import Foundation
import HTTPCachePolicy
import HTTPPreconditions
import HTTPTypes
import NIOConcurrencyHelpers
import NIOCore

@testable import CachetRedis

/// Entries and stores for the `RedisStore` tests.
enum StoreFixtures {
    static let now = HTTPDate(secondsSince1970: 1_795_000_000)

    /// Generous timeouts: the machine may be busy with builds.
    static let clientConfiguration = RedisConfiguration(connectTimeout: .seconds(10), commandTimeout: .seconds(10), initialReconnectDelay: .milliseconds(10), maximumReconnectDelay: .milliseconds(200))

    /// Chunks of 7 bytes, 3 chunks per command: a body of a few dozen bytes already takes
    /// several chunks and several round trips each way.
    static func store(_ client: RedisClient, namespace: String = "test") -> RedisStore {
        RedisStore(client: client, configuration: RedisStoreConfiguration(namespace: namespace, chunkSize: 7, bytesPerCommand: 21))
    }

    /// Runs `body` with a store (`store(_:)`) on a `redis-server` of its own, then shuts
    /// both down.
    static func withStore(_ body: (RedisStore, RedisServer) async throws -> Void) async throws {
        let server = try await RedisServer.start()
        defer { server.stop() }
        let client = try RedisClient(url: server.url, configuration: clientConfiguration)
        do {
            try await body(store(client), server)
        } catch {
            await client.shutdown()
            throw error
        }
        await client.shutdown()
    }

    /// A stored GET response for `http://example.com<path>`: its body is `body` bytes of a
    /// pattern that depends on `etag`, unless `content` is given.
    static func entry(
        _ path: String, body: Int = 50, content: ByteBuffer? = nil, vary: (String, String)? = nil, etag: String = "e",
        tags: String? = nil, maxAge: Int = 60, responseTime: HTTPDate = now
    ) -> StoredResponse {
        var request = HTTPRequest(method: .get, scheme: "http", authority: "example.com", path: path)
        var response = HTTPResponse(status: .ok)
        response.headerFields = [.date: responseTime.imfFixdate, .cacheControl: "max-age=\(maxAge)", .eTag: "\"\(etag)\""]
        if let tags { response.headerFields[SurrogateKeys.surrogateKey] = tags }
        if let (name, value) = vary {
            response.headerFields[.vary] = name
            request.headerFields[HTTPField.Name(name)!] = value
        }
        let policy = CachePolicy(request: request, response: response, requestTime: responseTime, responseTime: responseTime)
        return StoredResponse(key: CacheKey(request: request)!, policy: policy, body: content ?? patternBytes(body, seed: etag + path))
    }

    static func key(_ path: String) -> CacheKey {
        CacheKey(method: .get, normalizedURI: "http://example.com\(path)")
    }


    /// The policy as JSON with sorted keys: two policies with the same JSON are the same
    /// value (`CachePolicy` is not `Equatable`).
    static func json(_ policy: CachePolicy) throws -> Data {
        try DiskEntryFormat.policyJSON(policy)
    }

    /// The version id the pointer names for `response`'s variant.
    static func versionID(of response: StoredResponse, in store: RedisStore) async throws -> String? {
        let value = try await store.client.send(["HGET", store.layout.pointer(response.key), RedisEntryLayout.variantID(response.policy.varyKey)])
        return value.string.flatMap { RedisPointerValue(parsing: $0)?.version }
    }

    /// The name of the version hash holding `response`'s variant.
    static func versionKey(of response: StoredResponse, in store: RedisStore) async throws -> String {
        let id = try await versionID(of: response, in: store)
        return store.layout.version(response.key, id: try requireValue(id, "the version id"))
    }
}

/// `#require` for a value outside a test function's body.
func requireValue<T>(_ value: T?, _ what: String = "value") throws -> T {
    guard let value else { throw RedisServer.Failure(description: "\(what) is nil") }
    return value
}

/// What a store's `events()` delivered, recorded by a task of its own so that a test can wait
/// for an event with bounded polling.
final class EventRecorder: Sendable {
    private let recorded = NIOLockedValueBox<[SharedStorageEvent]>([])
    private let task: Task<Void, Never>

    init(_ store: RedisStore) {
        let events = store.events()
        let recorded = recorded
        task = Task {
            for await event in events { recorded.withLockedValue { $0.append(event) } }
        }
    }

    var events: [SharedStorageEvent] { recorded.withLockedValue { $0 } }

    /// Waits until an event satisfying `matches` was recorded, and returns its index.
    @discardableResult
    func wait(for what: String, within seconds: Double = 10, _ matches: @escaping (SharedStorageEvent) -> Bool) async throws -> Int {
        try await waitUntil(within: seconds, what) { self.events.contains(where: matches) }
        return events.firstIndex(where: matches)!
    }

    func waitUntilConnected() async throws {
        try await wait(for: "subscribed") { $0 == .connected }
    }

    func stop() { task.cancel() }
}
