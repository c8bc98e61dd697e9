import CachetHummingbird
import HTTPPreconditions
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOConcurrencyHelpers
import NIOCore
import Testing

/// Counts how often handlers ran, to show that a 304 or 412 skipped them.
final class Counter: Sendable {
    let value = NIOLockedValueBox(0)
    func increment() { value.withLockedValue { $0 += 1 } }
    var count: Int { value.withLockedValue { $0 } }
}

/// A resource whose state can change (for PUT with If-Match).
final class Document: Sendable {
    let state = NIOLockedValueBox<String?>("version one\n")
    var text: String? { state.withLockedValue { $0 } }
    func replace(_ text: String) { state.withLockedValue { $0 = text } }
}

let helloBody = "hello, dynamic world\n"
let helloTag = Fixture.etag(Array(helloBody.utf8))

/// A router with the middleware installed router-wide and routes of every kind.
func dynamicRouter(
    configuration: ConditionalRequestMiddleware<BasicRequestContext>.Configuration = .init(),
    produced: Counter = Counter(),
    writes: Counter = Counter(),
    document: Document = Document(),
    wrapsRouter: Bool = false
) -> Router<BasicRequestContext> {
    let router = Router(options: .autoGenerateHeadEndpoints)
    if !wrapsRouter {
        router.add(middleware: ConditionalRequestMiddleware<BasicRequestContext>(configuration: configuration))
    }
    router.get("hello") { _, _ -> Response in
        produced.increment()
        return Response(status: .ok, headers: [.contentType: "text/plain; charset=utf-8", .cacheControl: "max-age=30", .vary: "Accept-Language"],
                        body: .init(byteBuffer: ByteBuffer(string: helloBody)))
    }
    router.get("tagged") { _, _ -> Response in
        Response(status: .ok, headers: [.eTag: "\"v7\"", .lastModified: "Wed, 01 May 2024 12:00:00 GMT"],
                 body: .init(byteBuffer: ByteBuffer(string: "tagged by the handler\n")))
    }
    router.get("stream") { _, _ -> Response in
        Response(status: .ok, body: .init(asyncSequence: [ByteBuffer(string: "a"), ByteBuffer(string: "b")].async))
    }
    router.get("stream-tagged") { _, _ -> Response in
        Response(status: .ok, headers: [.eTag: "\"s1\""], body: .init(asyncSequence: [ByteBuffer(string: "chunk")].async))
    }
    router.get("private") { _, _ -> Response in
        Response(status: .ok, body: .init(byteBuffer: ByteBuffer(string: "changes every time"))).withoutAutomaticETag()
    }
    router.get("large") { _, _ -> Response in
        Response(status: .ok, body: .init(byteBuffer: ByteBuffer(repeating: 0x61, count: 2 << 20)))
    }
    router.get("missing") { _, _ -> Response in
        Response(status: .notFound, body: .init(byteBuffer: ByteBuffer(string: "no such thing")))
    }
    router.get("known") { request, _ -> Response in
        // Validators known up front: no content is produced for a 304.
        let fields: HTTPFields = [.cacheControl: "max-age=5"]
        if let answer = request.evaluatePreconditions(etag: EntityTag(opaqueTag: "k1"), headers: fields) { return answer }
        produced.increment()
        var response = Response(status: .ok, headers: fields, body: .init(byteBuffer: ByteBuffer(string: "known")))
        response.headers[.eTag] = "\"k1\""
        return response
    }
    router.get("lazy") { request, _ -> Response in
        try await request.respondConditionally(etag: EntityTag(opaqueTag: "l1"), lastModified: HTTPDate(secondsSince1970: 1_714_564_800),
                                               headers: [.cacheControl: "no-cache"]) {
            produced.increment()
            return Response(status: .ok, body: .init(byteBuffer: ByteBuffer(string: "lazy")))
        }
    }
    router.get("doc") { _, _ -> Response in
        guard let text = document.text else { throw HTTPError(.notFound) }
        return Response(status: .ok, body: .init(byteBuffer: ByteBuffer(string: text)))
    }
    router.put("doc") { request, _ -> Response in
        writes.increment()
        let existed = document.text != nil
        let body = try await request.body.collect(upTo: 1 << 16)
        document.replace(String(buffer: body))
        return Response(status: existed ? .noContent : .created)
    }
    return router
}

func dynamicApp(
    configuration: ConditionalRequestMiddleware<BasicRequestContext>.Configuration = .init(),
    produced: Counter = Counter()
) -> some ApplicationProtocol {
    Application(router: dynamicRouter(configuration: configuration, produced: produced))
}

/// The same routes with the whole router wrapped by ConditionalRequests.
func wrappedApp(writes: Counter, document: Document) -> some ApplicationProtocol {
    Application(router: ConditionalRequests(dynamicRouter(writes: writes, document: document, wrapsRouter: true)))
}

extension Array where Element: Sendable {
    var async: AsyncStream<Element> {
        AsyncStream { continuation in
            for element in self { continuation.yield(element) }
            continuation.finish()
        }
    }
}

@Suite("ConditionalRequestMiddleware on dynamic routes over loopback")
struct ConditionalRequestMiddlewareTests {
    @Test("RFC 9110 §8.8.3: a strong ETag is derived from the content when the handler set none")
    func derivesETag() async throws {
        try await dynamicApp().test(.live) { client in
            try await client.execute(uri: "/hello", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.eTag] == helloTag)
                #expect(response.headers[.acceptRanges] == "bytes")
                #expect(String(buffer: response.body) == helloBody)
            }
        }
    }

    @Test("RFC 9110 §13.1.2, §15.4.5: matching If-None-Match gives a 304 with exactly the caching fields")
    func notModified() async throws {
        try await dynamicApp().test(.live) { client in
            try await client.execute(uri: "/hello", method: .get, headers: [.ifNoneMatch: helloTag]) { response in
                #expect(response.status == .notModified)
                #expect(response.headers[.eTag] == helloTag)
                #expect(response.headers[.cacheControl] == "max-age=30")
                #expect(response.headers[.vary] == "Accept-Language")
                #expect(response.headers[.date] != nil)
                #expect(response.headers[.contentType] == nil)
                #expect(response.headers[.contentLength] == nil)
                #expect(response.body.readableBytes == 0)
            }
        }
    }

    @Test("RFC 9110 §9.3.2: HEAD carries the GET's ETag and Content-Length, no content")
    func head() async throws {
        try await dynamicApp().test(.live) { client in
            try await client.execute(uri: "/hello", method: .head) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.eTag] == helloTag)
                #expect(response.headers[.contentLength] == String(helloBody.utf8.count))
                #expect(response.body.readableBytes == 0)
            }
            try await client.execute(uri: "/hello", method: .head, headers: [.ifNoneMatch: helloTag]) { response in
                #expect(response.status == .notModified)
            }
        }
    }

    @Test("RFC 9110 §13.1.1: GET with a failing If-Match gets 412 with the current ETag")
    func ifMatchOnGet() async throws {
        try await dynamicApp().test(.live) { client in
            try await client.execute(uri: "/hello", method: .get, headers: [.ifMatch: "\"stale\""]) { response in
                #expect(response.status == .preconditionFailed)
                #expect(response.headers[.eTag] == helloTag)
            }
        }
    }

    @Test("RFC 9110 §13.1.3: a handler's Last-Modified answers If-Modified-Since; its ETag is kept")
    func handlerValidators() async throws {
        try await dynamicApp().test(.live) { client in
            try await client.execute(uri: "/tagged", method: .get) { response in
                #expect(response.headers[.eTag] == "\"v7\"")
            }
            try await client.execute(uri: "/tagged", method: .get, headers: [.ifModifiedSince: "Wed, 01 May 2024 12:00:00 GMT"]) { response in
                #expect(response.status == .notModified)
                #expect(response.headers[.eTag] == "\"v7\"")
                #expect(response.headers[.lastModified] == nil)
            }
            try await client.execute(uri: "/tagged", method: .get, headers: [.ifNoneMatch: "W/\"v7\""]) { response in
                #expect(response.status == .notModified)
            }
        }
    }

    @Test("RFC 9110 §14.2, §15.3.7: a range of a buffered body gives 206; multipart for two ranges; 416 beyond the end")
    func ranges() async throws {
        try await dynamicApp().test(.live) { client in
            try await client.execute(uri: "/hello", method: .get, headers: [.range: "bytes=0-4"]) { response in
                #expect(response.status == .partialContent)
                #expect(response.headers[.contentRange] == "bytes 0-4/\(helloBody.utf8.count)")
                #expect(String(buffer: response.body) == "hello")
            }
            try await client.execute(uri: "/hello", method: .get, headers: [.range: "bytes=0-0,-2"]) { response in
                #expect(response.status == .partialContent)
                #expect(response.headers[.contentType]?.hasPrefix("multipart/byteranges") == true)
            }
            try await client.execute(uri: "/hello", method: .get, headers: [.range: "bytes=999-"]) { response in
                #expect(response.status == .rangeNotSatisfiable)
                #expect(response.headers[.contentRange] == "bytes */\(helloBody.utf8.count)")
            }
            try await client.execute(uri: "/hello", method: .get, headers: [.range: "bytes=0-4", .ifRange: "\"old\""]) { response in
                #expect(response.status == .ok)
            }
        }
    }

    @Test("streaming bodies are left alone without a handler validator, evaluated with one")
    func streaming() async throws {
        try await dynamicApp().test(.live) { client in
            try await client.execute(uri: "/stream", method: .get, headers: [.ifNoneMatch: "*"]) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.eTag] == nil)
                #expect(String(buffer: response.body) == "ab")
            }
            try await client.execute(uri: "/stream-tagged", method: .get, headers: [.ifNoneMatch: "\"s1\""]) { response in
                #expect(response.status == .notModified)
                #expect(response.headers[.eTag] == "\"s1\"")
            }
        }
    }

    @Test("opting out: withoutAutomaticETag, the generatesETag predicate, and bodies over the size limit")
    func optOut() async throws {
        try await dynamicApp().test(.live) { client in
            try await client.execute(uri: "/private", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.eTag] == nil)
                #expect(response.headers[HTTPField.Name("Cachet-No-Automatic-ETag")!] == nil)
            }
            try await client.execute(uri: "/large", method: .get) { response in
                #expect(response.headers[.eTag] == nil)
                #expect(response.body.readableBytes == 2 << 20)
            }
        }
        let configuration = ConditionalRequestMiddleware<BasicRequestContext>.Configuration(generatesETag: { request, _ in
            request.uri.path != "/hello"
        })
        try await dynamicApp(configuration: configuration).test(.live) { client in
            try await client.execute(uri: "/hello", method: .get) { response in
                #expect(response.headers[.eTag] == nil)
            }
        }
    }

    @Test("RFC 9110 §13.2.1: responses other than 2xx are not made conditional")
    func errorsUntouched() async throws {
        try await dynamicApp().test(.live) { client in
            try await client.execute(uri: "/missing", method: .get, headers: [.ifNoneMatch: "*"]) { response in
                #expect(response.status == .notFound)
                #expect(response.headers[.eTag] == nil)
            }
        }
    }

    @Test("RFC 9110 §13.1.1: under ConditionalRequests, PUT with a stale If-Match gets 412 and the handler never runs")
    func ifMatchOnPut() async throws {
        let writes = Counter()
        let document = Document()
        try await wrappedApp(writes: writes, document: document).test(.live) { client in
            let current = Fixture.etag(Array("version one\n".utf8))
            try await client.execute(uri: "/doc", method: .put, headers: [.ifMatch: "\"stale\""], body: ByteBuffer(string: "lost update")) { response in
                #expect(response.status == .preconditionFailed)
                #expect(response.headers[.eTag] == current)
            }
            #expect(writes.count == 0)
            #expect(document.text == "version one\n")
            try await client.execute(uri: "/doc", method: .put, headers: [.ifMatch: current], body: ByteBuffer(string: "version two\n")) { response in
                #expect(response.status == .noContent)
            }
            #expect(writes.count == 1)
            try await client.execute(uri: "/doc", method: .put, headers: [.ifMatch: current], body: ByteBuffer(string: "version three\n")) { response in
                #expect(response.status == .preconditionFailed)
            }
            #expect(document.text == "version two\n")
        }
    }

    @Test("RFC 9110 §13.1.2: under ConditionalRequests, If-None-Match: * creates only when absent, If-Match: * only when present")
    func createOnly() async throws {
        let writes = Counter()
        let document = Document()
        try await wrappedApp(writes: writes, document: document).test(.live) { client in
            try await client.execute(uri: "/doc", method: .put, headers: [.ifNoneMatch: "*"], body: ByteBuffer(string: "x")) { response in
                #expect(response.status == .preconditionFailed)
            }
            document.replace("")
            document.state.withLockedValue { $0 = nil }
            try await client.execute(uri: "/doc", method: .put, headers: [.ifNoneMatch: "*"], body: ByteBuffer(string: "new\n")) { response in
                #expect(response.status == .created)
            }
            try await client.execute(uri: "/doc", method: .put, headers: [.ifMatch: "*"], body: ByteBuffer(string: "again\n")) { response in
                #expect(response.status == .noContent)
            }
            #expect(writes.count == 2)
        }
    }

    @Test("request.evaluatePreconditions: a 304 produced without building the content")
    func helperSkipsContent() async throws {
        let produced = Counter()
        try await dynamicApp(produced: produced).test(.live) { client in
            try await client.execute(uri: "/known", method: .get, headers: [.ifNoneMatch: "\"k1\""]) { response in
                #expect(response.status == .notModified)
                #expect(response.headers[.cacheControl] == "max-age=5")
                #expect(response.headers[.eTag] == "\"k1\"")
            }
            #expect(produced.count == 0)
            try await client.execute(uri: "/lazy", method: .get, headers: [.ifModifiedSince: "Wed, 01 May 2024 12:00:00 GMT"]) { response in
                #expect(response.status == .notModified)
                #expect(response.headers[.cacheControl] == "no-cache")
            }
            #expect(produced.count == 0)
            try await client.execute(uri: "/lazy", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.eTag] == "\"l1\"")
                #expect(response.headers[.lastModified] == "Wed, 01 May 2024 12:00:00 GMT")
                #expect(response.headers[.cacheControl] == "no-cache")
            }
            #expect(produced.count == 1)
        }
    }
}
