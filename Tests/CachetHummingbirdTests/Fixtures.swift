import CachetHummingbird
import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore

/// A folder of files with fixed contents and modification times, made once per test run.
///
/// ```
/// root/
///   small.txt              "Hello, conditional world!\n" (26 bytes)
///   empty.txt              0 bytes
///   big.bin                3 MiB of a fixed pattern
///   app.js  app.js.br  app.js.gz
///   page.html  page.html.gz
///   tiny.txt  tiny.txt.gz     (the sibling is larger: never offered)
///   dir/index.html  dir/nested.txt
///   .hidden
///   inside-link  -> small.txt              (stays in the root: served)
///   escape-link  -> ../outside/secret.txt  (leaves the root: 404)
///   escape-dir   -> ../outside             (leaves the root: 404)
/// outside/secret.txt
/// ```
enum Fixture {
    static let small = Array("Hello, conditional world!\n".utf8)
    static let appJS = Array("console.log('identity');\n".utf8)
    static let appBR = Array("BROTLI-BYTES-OF-APP-JS".utf8)
    static let appGZ = Array("GZIP-BYTES-OF-APP-JS".utf8)
    static let page = Array("<!doctype html><title>page</title><p>page</p>\n".utf8)
    static let pageGZ = Array("GZIP-BYTES-OF-PAGE".utf8)
    static let index = Array("<!doctype html><title>index</title>\n".utf8)
    static let big: [UInt8] = (0..<(3 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ $0 >> 9) }

    /// Every file's modification time: Wed, 01 May 2024 12:00:00 GMT.
    static let modified: TimeInterval = 1_714_564_800
    static let lastModified = "Wed, 01 May 2024 12:00:00 GMT"

    static let base: URL = {
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("cachet-files-\(UUID().uuidString)")
        let root = base.appendingPathComponent("root")
        let outside = base.appendingPathComponent("outside")
        let manager = FileManager.default
        try! manager.createDirectory(at: root.appendingPathComponent("dir"), withIntermediateDirectories: true)
        try! manager.createDirectory(at: outside, withIntermediateDirectories: true)
        let files: [(String, [UInt8])] = [
            ("root/small.txt", small), ("root/empty.txt", []), ("root/big.bin", big),
            ("root/app.js", appJS), ("root/app.js.br", appBR), ("root/app.js.gz", appGZ),
            ("root/page.html", page), ("root/page.html.gz", pageGZ),
            ("root/dir/index.html", index), ("root/dir/nested.txt", Array("nested\n".utf8)),
            ("root/tiny.txt", Array("tiny\n".utf8)), ("root/tiny.txt.gz", Array("A GZIP SIBLING LARGER THAN THE FILE".utf8)),
            ("root/.hidden", Array("secret\n".utf8)), ("outside/secret.txt", Array("outside secret\n".utf8)),
        ]
        for (path, bytes) in files {
            let url = base.appendingPathComponent(path)
            try! Data(bytes).write(to: url)
            try! manager.setAttributes([.modificationDate: Date(timeIntervalSince1970: modified)], ofItemAtPath: url.path)
        }
        try! manager.createSymbolicLink(atPath: root.appendingPathComponent("inside-link").path, withDestinationPath: "small.txt")
        try! manager.createSymbolicLink(atPath: root.appendingPathComponent("escape-link").path, withDestinationPath: "../outside/secret.txt")
        try! manager.createSymbolicLink(atPath: root.appendingPathComponent("escape-dir").path, withDestinationPath: "../outside")
        return base
    }()

    static var root: String { base.appendingPathComponent("root").path }

    /// The strong tag of `bytes`, computed here independently of the library: the first
    /// 16 bytes of SHA-256 in unpadded base64url, quoted.
    static func etag(_ bytes: [UInt8]) -> String {
        let digest = Array(SHA256.hash(data: bytes)).prefix(16)
        let base64 = Data(digest).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
        return "\"\(base64)\""
    }

    /// The file server used by the tests: the same middleware `cachet serve` runs.
    static func fileServer(root: String = Fixture.root, digests: FileDigestCache = FileDigestCache()) throws -> some ApplicationProtocol {
        let router = Router()
        router.add(
            middleware: try ConditionalFileMiddleware<BasicRequestContext>(
                root,
                configuration: .init(
                    cacheControl: CacheControlRules([.init("*.html", "no-cache")], default: "max-age=60"),
                    servesIndex: true
                ),
                digests: digests
            )
        )
        return Application(router: router)
    }
}

extension HTTPFields {
    init(_ pairs: [(String, String)]) {
        self.init()
        for (name, value) in pairs { append(HTTPField(name: HTTPField.Name(name)!, value: value)) }
    }
}

extension ByteBuffer {
    var bytes: [UInt8] { Array(readableBytesView) }
}
