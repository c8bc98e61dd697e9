import CachetHummingbird
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

@Suite("cachet serve: content tags, digest cache, roots")
struct FileServerBehaviourTests {
    /// A private copy of a file, so that tests may touch and rewrite it.
    func scratchRoot(_ contents: [UInt8]) throws -> (root: String, file: String) {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("cachet-scratch-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        let file = root.appendingPathComponent("data.txt")
        try Data(contents).write(to: file)
        try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSince1970: Fixture.modified)], ofItemAtPath: file.path)
        return (root.path, file.path)
    }

    @Test("RFC 9110 §8.8.3: two servers with the same files send the same ETag")
    func twoServersAgree() async throws {
        let copy = try scratchRoot(Fixture.small)
        let first = try await tag(of: "/small.txt", app: Fixture.fileServer())
        let second = try await tag(of: "/data.txt", app: Fixture.fileServer(root: copy.root))
        #expect(first == second)
        #expect(first == Fixture.etag(Fixture.small))
    }

    @Test("each file version is hashed once; a touched but unchanged file keeps its ETag, a changed one gets a new one")
    func digestCache() async throws {
        let scratch = try scratchRoot(Array("first\n".utf8))
        let digests = FileDigestCache()
        let app = try Fixture.fileServer(root: scratch.root, digests: digests)
        try await app.test(.live) { client in
            for _ in 0..<5 {
                try await client.execute(uri: "/data.txt", method: .get) { response in
                    #expect(response.headers[.eTag] == Fixture.etag(Array("first\n".utf8)))
                }
            }
            #expect(digests.count == 1)

            // touch: new modification time, same bytes.
            try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSince1970: Fixture.modified + 3600)], ofItemAtPath: scratch.file)
            try await client.execute(uri: "/data.txt", method: .get, headers: [.ifNoneMatch: Fixture.etag(Array("first\n".utf8))]) { response in
                #expect(response.status == .notModified, "RFC 9110 §8.8.3: the tag depends on the content only")
            }
            #expect(digests.count == 2)

            // rewrite with other bytes.
            try Data("second\n".utf8).write(to: URL(fileURLWithPath: scratch.file))
            try await client.execute(uri: "/data.txt", method: .get, headers: [.ifNoneMatch: Fixture.etag(Array("first\n".utf8))]) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.eTag] == Fixture.etag(Array("second\n".utf8)))
                #expect(String(buffer: response.body) == "second\n")
            }
        }
    }

    @Test("concurrent first requests for one file share one hash")
    func concurrentHashing() async throws {
        let digests = FileDigestCache()
        let app = try Fixture.fileServer(digests: digests)
        try await app.test(.live) { client in
            try await withThrowingTaskGroup(of: String?.self) { group in
                for _ in 0..<8 {
                    group.addTask {
                        try await client.execute(uri: "/big.bin", method: .head) { $0.headers[.eTag] }
                    }
                }
                for try await tag in group { #expect(tag == Fixture.etag(Fixture.big)) }
            }
        }
        #expect(digests.count == 1)
    }

    @Test("a missing root or a file as root is refused with a clear reason")
    func roots() throws {
        #expect(throws: ConditionalFileMiddleware<BasicRequestContext>.RootError.missing("/no/such/folder")) {
            _ = try ConditionalFileMiddleware<BasicRequestContext>("/no/such/folder")
        }
        let file = Fixture.root + "/small.txt"
        #expect(throws: ConditionalFileMiddleware<BasicRequestContext>.RootError.notADirectory(file)) {
            _ = try ConditionalFileMiddleware<BasicRequestContext>(file)
        }
    }

    @Test("a route registered on the router takes precedence over a file")
    func routesFirst() async throws {
        let router = Router()
        router.add(middleware: try ConditionalFileMiddleware<BasicRequestContext>(Fixture.root))
        router.get("small.txt") { _, _ in "from the route" }
        try await Application(router: router).test(.live) { client in
            try await client.execute(uri: "/small.txt", method: .get) { response in
                #expect(String(buffer: response.body) == "from the route")
            }
            try await client.execute(uri: "/app.js", method: .get) { response in
                #expect(response.status == .ok)
            }
        }
    }

    @Test("urlBasePath: files only under the prefix")
    func basePath() async throws {
        let router = Router()
        router.add(middleware: try ConditionalFileMiddleware<BasicRequestContext>(Fixture.root, configuration: .init(urlBasePath: "/static")))
        try await Application(router: router).test(.live) { client in
            try await client.execute(uri: "/static/small.txt", method: .get) { #expect($0.status == .ok) }
            try await client.execute(uri: "/small.txt", method: .get) { #expect($0.status == .notFound) }
            try await client.execute(uri: "/staticsmall.txt", method: .get) { #expect($0.status == .notFound) }
        }
    }

    func tag(of path: String, app: some ApplicationProtocol) async throws -> String? {
        try await app.test(.live) { client in
            try await client.execute(uri: path, method: .get) { $0.headers[.eTag] }
        }
    }
}

@Suite("CacheControlRules and ContentETag")
struct UnitTests {
    @Test("globs: * within a segment, ** across, patterns without / match the file name")
    func globs() {
        let rules = CacheControlRules([
            .init("/assets/**", "immutable"), .init("*.html", "no-cache"), .init("/img/?.png", "one"),
        ], default: "max-age=60")
        #expect(rules.value(forPath: "/assets/js/app.js") == "immutable")
        #expect(rules.value(forPath: "/index.html") == "no-cache")
        #expect(rules.value(forPath: "/deep/er/page.html") == "no-cache")
        #expect(rules.value(forPath: "/img/a.png") == "one")
        #expect(rules.value(forPath: "/img/ab.png") == "max-age=60")
        #expect(CacheControlRules().value(forPath: "/x") == nil)
    }

    @Test("content tags are 22 base64url characters of SHA-256, strong")
    func contentTag() {
        let tag = ContentETag.strong(for: Array("abc".utf8))
        #expect(!tag.isWeak)
        #expect(tag.opaqueTag.count == 22)
        #expect(tag.description == Fixture.etag(Array("abc".utf8)))
        var hasher = ContentETag.Hasher()
        hasher.update(Array("a".utf8))
        hasher.update(Array("bc".utf8))
        #expect(hasher.finalize() == tag)
    }
}
