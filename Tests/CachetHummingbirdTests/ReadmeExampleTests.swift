import CachetHummingbird
import HTTPPreconditions
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

/// The README's Hummingbird example, compiled and run.
@Suite("README example")
struct ReadmeExampleTests {
    struct Item: Sendable {
        var version: String
        var updated: HTTPDate
        func json() throws -> ByteBuffer { ByteBuffer(string: "{\"version\":\"\(version)\"}") }
    }

    struct Store: Sendable {
        func item(_ id: String) async throws -> Item {
            Item(version: "v-\(id)", updated: HTTPDate(secondsSince1970: 1_714_564_800))
        }
    }

    func router(store: Store) throws -> Router<BasicRequestContext> {
        let router = Router(options: .autoGenerateHeadEndpoints)
        router.add(middleware: ConditionalRequestMiddleware())
        router.add(middleware: try ConditionalFileMiddleware(
            Fixture.root,
            configuration: .init(
                cacheControl: CacheControlRules([.init("*.html", "no-cache")], default: "max-age=60"),
                servesIndex: true
            )
        ))
        router.get("hello") { _, _ in "Hello!" }
        router.get("report") { _, _ in
            Response(status: .ok, body: .init(byteBuffer: ByteBuffer(string: "changes every time")))
                .withoutAutomaticETag()
        }
        router.get("items/:id") { request, context in
            let item = try await store.item(context.parameters.require("id"))
            return try await request.respondConditionally(
                etag: EntityTag(opaqueTag: item.version), lastModified: item.updated,
                headers: [.cacheControl: "no-cache"]
            ) {
                Response(status: .ok, body: .init(byteBuffer: try item.json()))
            }
        }
        router.put("items/:id") { request, context in
            let item = try await store.item(context.parameters.require("id"))
            if let refusal = request.evaluatePreconditions(etag: EntityTag(opaqueTag: item.version)) {
                return refusal
            }
            return Response(status: .noContent)
        }
        return router
    }

    @Test("RFC 9110 §13.1.1, §13.1.2: the example answers 200, 304 and 412 as the README says")
    func example() async throws {
        try await Application(router: router(store: Store())).test(.live) { client in
            let tag = try await client.execute(uri: "/hello", method: .get) { response in
                #expect(response.status == .ok)
                return response.headers[.eTag]
            }
            #expect(tag == Fixture.etag(Array("Hello!".utf8)))
            try await client.execute(uri: "/hello", method: .get, headers: [.ifNoneMatch: tag!]) { #expect($0.status == .notModified) }
            try await client.execute(uri: "/report", method: .get) { #expect($0.headers[.eTag] == nil) }
            try await client.execute(uri: "/items/7", method: .get, headers: [.ifNoneMatch: "\"v-7\""]) { #expect($0.status == .notModified) }
            try await client.execute(uri: "/items/7", method: .put, headers: [.ifMatch: "\"v-6\""]) { #expect($0.status == .preconditionFailed) }
            try await client.execute(uri: "/items/7", method: .put, headers: [.ifMatch: "\"v-7\""]) { #expect($0.status == .noContent) }
            try await client.execute(uri: "/small.txt", method: .get) { #expect($0.headers[.eTag] == smallTag) }
        }
    }
}
