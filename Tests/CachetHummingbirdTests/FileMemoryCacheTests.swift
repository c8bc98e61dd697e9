import CachetHummingbird
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

@Suite("cachet serve: lookups and small files kept in memory")
struct FileMemoryCacheTests {
    func scratch(_ text: String) throws -> (root: String, file: URL) {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("cachet-memory-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        let file = root.appendingPathComponent("data.txt")
        try Data(text.utf8).write(to: file)
        try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSince1970: Fixture.modified)], ofItemAtPath: file.path)
        return (root.path, file)
    }

    func server(_ root: String, validity: Duration, memory: Int64) throws -> some ApplicationProtocol {
        let router = Router()
        router.add(
            middleware: try ConditionalFileMiddleware<BasicRequestContext>(
                root, configuration: .init(metadataValidity: validity, memoryCachedFileSize: memory)
            )
        )
        return Application(router: router)
    }

    @Test("a file kept in memory is sent again only while it is the same version: a rewrite of the same size is seen at once")
    func memoryFollowsVersions() async throws {
        let scratch = try scratch("version one\n")
        try await server(scratch.root, validity: .zero, memory: 1 << 20).test(.live) { client in
            for _ in 0..<3 {
                try await client.execute(uri: "/data.txt", method: .get) { response in
                    #expect(String(buffer: response.body) == "version one\n")
                    #expect(response.headers[.eTag] == Fixture.etag(Array("version one\n".utf8)))
                }
            }
            try Data("version two\n".utf8).write(to: scratch.file)
            try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSince1970: Fixture.modified + 60)], ofItemAtPath: scratch.file.path)
            try await client.execute(uri: "/data.txt", method: .get) { response in
                #expect(String(buffer: response.body) == "version two\n")
                #expect(response.headers[.eTag] == Fixture.etag(Array("version two\n".utf8)))
                #expect(response.headers[.contentLength] == "12")
            }
        }
    }

    @Test("within the metadata validity a path is not looked up again; with validity zero it is")
    func lookupValidity() async throws {
        let scratch = try scratch("kept\n")
        let remembering = try server(scratch.root, validity: .seconds(3600), memory: 1 << 20)
        let looking = try server(scratch.root, validity: .zero, memory: 1 << 20)
        try await remembering.test(.live) { client in
            try await client.execute(uri: "/data.txt", method: .get) { #expect($0.status == .ok) }
            try FileManager.default.removeItem(at: scratch.file)
            try await client.execute(uri: "/data.txt", method: .get) { response in
                // The remembered lookup and the content in memory still answer.
                #expect(response.status == .ok)
                #expect(String(buffer: response.body) == "kept\n")
            }
        }
        try await looking.test(.live) { client in
            try await client.execute(uri: "/data.txt", method: .get) { #expect($0.status == .notFound) }
        }
    }

    @Test("files above the memory limit are streamed from disk, ranges of small files still work")
    func largeFilesStream() async throws {
        try await server(Fixture.root, validity: .seconds(1), memory: 1024).test(.live) { client in
            try await client.execute(uri: "/big.bin", method: .get) { response in
                #expect(response.status == .ok)
                #expect(Array(buffer: response.body) == Fixture.big)
            }
            try await client.execute(uri: "/small.txt", method: .get, headers: [.range: "bytes=0-4"]) { response in
                #expect(response.status == .partialContent)
                #expect(String(buffer: response.body) == "Hello")
            }
            try await client.execute(uri: "/small.txt", method: .get) { response in
                #expect(Array(buffer: response.body) == Fixture.small)
            }
        }
    }
}
