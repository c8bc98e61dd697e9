import CachetHummingbird
import CachetTestSupport
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOConcurrencyHelpers
import NIOCore
import Testing

@Suite("cachet serve: requests answered before the router")
struct FileFastPathTests {
    /// Counts the requests that reach the router, so a test can tell which ones did not.
    struct Counting<Context: RequestContext>: RouterMiddleware {
        let count: NIOLockedValueBox<Int>
        func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
            count.withLockedValue { $0 += 1 }
            return try await next(request, context)
        }
    }

    /// The `cachet serve` stack: the file middleware behind a counter, and its fast path.
    func server(_ count: NIOLockedValueBox<Int>) throws -> some ApplicationProtocol {
        let files = try ConditionalFileMiddleware<BasicRequestContext>(
            Fixture.root,
            configuration: .init(
                cacheControl: CacheControlRules([], default: "max-age=60"), metadataValidity: .seconds(3600), memoryCachedFileSize: 1 << 20
            )
        )
        let router = Router(options: .autoGenerateHeadEndpoints)
        router.add(middleware: Counting(count: count))
        router.add(middleware: files)
        return Application(
            router: router, server: .http1(answeringFirst: files, serverName: "cachet/test"),
            configuration: .init(serverName: "cachet/test")
        )
    }

    @Test("a remembered small file is answered without the router, with the same fields; 304s too (RFC 9110 §13.1.2)")
    func answeredBeforeRouter() async throws {
        let count = NIOLockedValueBox(0)
        try await server(count).test(.live) { client in
            var first: HTTPFields = [:]
            try await client.execute(uri: "/small.txt", method: .get) { response in
                #expect(response.status == .ok)
                first = response.headers
            }
            #expect(count.withLockedValue { $0 } == 1)
            for _ in 0..<3 {
                try await client.execute(uri: "/small.txt", method: .get) { response in
                    #expect(Array(buffer: response.body) == Fixture.small)
                    var fields = response.headers
                    var expected = first
                    fields[.date] = nil
                    expected[.date] = nil
                    #expect(fields == expected)
                    #expect(response.headers[.server] == nil || response.headers[.server] == "cachet/test")
                }
            }
            let etag = first[.eTag] ?? ""
            try await client.execute(uri: "/small.txt", method: .get, headers: [.ifNoneMatch: "W/" + etag]) { response in
                #expect(response.status == .notModified)
                #expect(response.headers[.eTag] == etag)
                #expect(response.headers[.cacheControl] == "max-age=60")
                #expect(response.headers[.contentType] == nil)
                #expect(response.body.readableBytes == 0)
            }
            try await client.execute(uri: "/small.txt", method: .head) { response in
                #expect(response.headers[.contentLength] == "26")
                #expect(response.body.readableBytes == 0)
            }
            #expect(count.withLockedValue { $0 } == 1, "fast-path answers never reach the router")

            // Ranges, failed If-Match, and closing requests go through the router.
            try await client.execute(uri: "/small.txt", method: .get, headers: [.range: "bytes=0-4"]) { response in
                #expect(response.status == .partialContent)
                #expect(String(buffer: response.body) == "Hello")
            }
            try await client.execute(uri: "/small.txt", method: .get, headers: [.ifMatch: "\"other\""]) { response in
                #expect(response.status == .preconditionFailed)
            }
            #expect(count.withLockedValue { $0 } == 3)
        }
    }

    @Test("a request pipelined behind one the router answers is answered after it")
    func pipelinedOrder() async throws {
        let count = NIOLockedValueBox(0)
        try await server(count).test(.live) { client in
            try await client.execute(uri: "/small.txt", method: .get) { #expect($0.status == .ok) }
            guard let port = client.port else { return }
            // dir/nested.txt has not been looked up: the router answers it; small.txt could be
            // answered at once but must wait its turn.
            let wire = try await RawConnection.exchange(
                port: port,
                "GET /dir/nested.txt HTTP/1.1\r\nHost: x\r\n\r\nGET /small.txt HTTP/1.1\r\nHost: x\r\n\r\nGET /small.txt HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
            )
            #expect(wire.components(separatedBy: "HTTP/1.1 200 OK\r\n").count == 4, "\(wire)")
            let nested = wire.range(of: "nested")
            let small = wire.range(of: "Hello, conditional world!")
            #expect(nested != nil && small != nil && nested!.lowerBound < small!.lowerBound, "\(wire)")
        }
    }
}
