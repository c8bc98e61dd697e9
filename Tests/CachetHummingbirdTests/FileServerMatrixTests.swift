import CachetHummingbird
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

/// What a header field must be in a response.
enum FieldExpectation: Sendable {
    case equals(String)
    case absent
    case present
    case hasPrefix(String)
}

/// What the content must be.
enum BodyExpectation: Sendable {
    case bytes([UInt8])
    case empty
    case length(Int)
    case contains([String])
}

/// One request to the file server and what must come back, with the RFC section that says so.
struct FileCase: Sendable, CustomTestStringConvertible {
    var rfc: String
    var name: String
    var method: HTTPRequest.Method = .get
    var path: String
    var headers: [(String, String)] = []
    var status: HTTPResponse.Status
    var fields: [(String, FieldExpectation)] = []
    var body: BodyExpectation? = nil

    var testDescription: String { "\(rfc): \(name)" }
}

let smallTag = Fixture.etag(Fixture.small)
let bigTag = Fixture.etag(Fixture.big)
let jsTag = Fixture.etag(Fixture.appJS)
let brTag = Fixture.etag(Fixture.appBR)
let gzTag = Fixture.etag(Fixture.appGZ)
let lm = Fixture.lastModified

/// The 304's field set (RFC 9110 §15.4.5): validators and caching fields, no representation metadata.
let notModifiedFields: [(String, FieldExpectation)] = [
    ("ETag", .equals(smallTag)), ("Cache-Control", .equals("max-age=60")), ("Date", .present),
    ("Content-Type", .absent), ("Content-Length", .absent), ("Last-Modified", .absent), ("Accept-Ranges", .absent),
]

/// The full 200 of small.txt.
let smallFull: [(String, FieldExpectation)] = [
    ("ETag", .equals(smallTag)), ("Last-Modified", .equals(lm)), ("Content-Length", .equals("26")),
    ("Content-Type", .equals("text/plain; charset=utf-8")), ("Accept-Ranges", .equals("bytes")),
    ("Cache-Control", .equals("max-age=60")), ("Vary", .absent), ("Content-Encoding", .absent),
]

let fileCases: [FileCase] = [
    // If-Match (RFC 9110 §13.1.1): strong comparison; false → 412.
    FileCase(rfc: "RFC 9110 §13.1.1", name: "If-Match with the current tag passes", path: "/small.txt",
             headers: [("If-Match", smallTag)], status: .ok, fields: smallFull, body: .bytes(Fixture.small)),
    FileCase(rfc: "RFC 9110 §13.1.1", name: "If-Match with another tag fails with 412", path: "/small.txt",
             headers: [("If-Match", "\"other\"")], status: .preconditionFailed,
             fields: [("ETag", .equals(smallTag)), ("Content-Length", .equals("0"))], body: .empty),
    FileCase(rfc: "RFC 9110 §13.1.1", name: "If-Match: * passes when the file exists", path: "/small.txt",
             headers: [("If-Match", "*")], status: .ok, body: .bytes(Fixture.small)),
    FileCase(rfc: "RFC 9110 §13.1.1", name: "If-Match list containing the tag passes", path: "/small.txt",
             headers: [("If-Match", "\"a\", \(smallTag), \"b\"")], status: .ok, body: .bytes(Fixture.small)),
    FileCase(rfc: "RFC 9110 §13.1.1, §8.8.3.2", name: "If-Match with the weak form of the tag fails (strong comparison)", path: "/small.txt",
             headers: [("If-Match", "W/\(smallTag)")], status: .preconditionFailed),
    FileCase(rfc: "RFC 9110 §13.1.1", name: "a malformed If-Match fails safe with 412", path: "/small.txt",
             headers: [("If-Match", "not-a-tag")], status: .preconditionFailed),
    FileCase(rfc: "RFC 9110 §13.1.1", name: "HEAD with a failing If-Match gets 412", method: .head, path: "/small.txt",
             headers: [("If-Match", "\"other\"")], status: .preconditionFailed, body: .empty),

    // If-Unmodified-Since (RFC 9110 §13.1.4).
    FileCase(rfc: "RFC 9110 §13.1.4", name: "If-Unmodified-Since equal to Last-Modified passes", path: "/small.txt",
             headers: [("If-Unmodified-Since", lm)], status: .ok, body: .bytes(Fixture.small)),
    FileCase(rfc: "RFC 9110 §13.1.4", name: "If-Unmodified-Since before Last-Modified fails with 412", path: "/small.txt",
             headers: [("If-Unmodified-Since", "Tue, 30 Apr 2024 12:00:00 GMT")], status: .preconditionFailed,
             fields: [("ETag", .equals(smallTag))]),
    FileCase(rfc: "RFC 9110 §13.2.2 step 2", name: "If-Unmodified-Since is ignored when If-Match is present (nginx, Apache bug)", path: "/small.txt",
             headers: [("If-Match", smallTag), ("If-Unmodified-Since", "Tue, 30 Apr 2024 12:00:00 GMT")], status: .ok),
    FileCase(rfc: "RFC 9110 §13.1.4", name: "an invalid If-Unmodified-Since date is ignored", path: "/small.txt",
             headers: [("If-Unmodified-Since", "yesterday")], status: .ok),

    // If-None-Match (RFC 9110 §13.1.2): weak comparison; false → 304 for GET and HEAD.
    FileCase(rfc: "RFC 9110 §13.1.2, §15.4.5", name: "If-None-Match with the current tag gives 304 with the §15.4.5 fields", path: "/small.txt",
             headers: [("If-None-Match", smallTag)], status: .notModified, fields: notModifiedFields, body: .empty),
    FileCase(rfc: "RFC 9110 §13.1.2, §8.8.3.2", name: "If-None-Match uses weak comparison", path: "/small.txt",
             headers: [("If-None-Match", "W/\(smallTag)")], status: .notModified),
    FileCase(rfc: "RFC 9110 §13.1.2", name: "If-None-Match list containing the tag gives 304", path: "/small.txt",
             headers: [("If-None-Match", "\"a\", \(smallTag)")], status: .notModified),
    FileCase(rfc: "RFC 9110 §5.3, §13.1.2", name: "If-None-Match split over two field lines (nginx, Caddy, lighttpd bug)", path: "/small.txt",
             headers: [("If-None-Match", "\"a\""), ("If-None-Match", smallTag)], status: .notModified),
    FileCase(rfc: "RFC 9110 §13.1.2", name: "If-None-Match: * gives 304 when the file exists", path: "/small.txt",
             headers: [("If-None-Match", "*")], status: .notModified),
    FileCase(rfc: "RFC 9110 §13.1.2", name: "If-None-Match with another tag gives 200", path: "/small.txt",
             headers: [("If-None-Match", "\"other\"")], status: .ok, fields: smallFull, body: .bytes(Fixture.small)),
    FileCase(rfc: "RFC 9110 §13.1.2, §9.3.2", name: "HEAD with a matching If-None-Match gives 304", method: .head, path: "/small.txt",
             headers: [("If-None-Match", smallTag)], status: .notModified, fields: notModifiedFields, body: .empty),
    FileCase(rfc: "RFC 9110 §13.2.2 step 4", name: "If-Modified-Since is ignored when If-None-Match is present (nginx, Apache bug)", path: "/small.txt",
             headers: [("If-None-Match", "\"other\""), ("If-Modified-Since", "Fri, 01 Jan 2100 00:00:00 GMT")], status: .ok),

    // If-Modified-Since (RFC 9110 §13.1.3).
    FileCase(rfc: "RFC 9110 §13.1.3", name: "If-Modified-Since equal to Last-Modified gives 304", path: "/small.txt",
             headers: [("If-Modified-Since", lm)], status: .notModified, fields: notModifiedFields, body: .empty),
    FileCase(rfc: "RFC 9110 §13.1.3", name: "If-Modified-Since one second earlier gives 200", path: "/small.txt",
             headers: [("If-Modified-Since", "Wed, 01 May 2024 11:59:59 GMT")], status: .ok, body: .bytes(Fixture.small)),
    FileCase(rfc: "RFC 9110 §13.1.3", name: "an invalid If-Modified-Since is ignored", path: "/small.txt",
             headers: [("If-Modified-Since", "not a date")], status: .ok),
    FileCase(rfc: "RFC 9110 §5.6.7, §13.1.3", name: "If-Modified-Since in the obsolete RFC 850 form", path: "/small.txt",
             headers: [("If-Modified-Since", "Wednesday, 01-May-24 12:00:00 GMT")], status: .notModified),
    FileCase(rfc: "RFC 9110 §5.6.7, §13.1.3", name: "If-Modified-Since in the asctime form", path: "/small.txt",
             headers: [("If-Modified-Since", "Wed May  1 12:00:00 2024")], status: .notModified),

    // Range (RFC 9110 §14.1.2, §14.2, §15.3.7, §15.5.17).
    FileCase(rfc: "RFC 9110 §14.1.2, §15.3.7", name: "a closed range gives 206 with Content-Range", path: "/small.txt",
             headers: [("Range", "bytes=0-4")], status: .partialContent,
             fields: [("Content-Range", .equals("bytes 0-4/26")), ("Content-Length", .equals("5")), ("ETag", .equals(smallTag))],
             body: .bytes(Array("Hello".utf8))),
    FileCase(rfc: "RFC 9110 §14.1.2", name: "a suffix range bytes=-6 gives the last 6 bytes (Hummingbird bug)", path: "/small.txt",
             headers: [("Range", "bytes=-6")], status: .partialContent,
             fields: [("Content-Range", .equals("bytes 20-25/26"))], body: .bytes(Array(Fixture.small[20...]))),
    FileCase(rfc: "RFC 9110 §14.1.2", name: "an open range bytes=7- runs to the end", path: "/small.txt",
             headers: [("Range", "bytes=7-")], status: .partialContent,
             fields: [("Content-Range", .equals("bytes 7-25/26"))], body: .bytes(Array(Fixture.small[7...]))),
    FileCase(rfc: "RFC 9110 §14.6, §15.3.7.2", name: "two ranges give multipart/byteranges", path: "/small.txt",
             headers: [("Range", "bytes=0-0,-1")], status: .partialContent,
             fields: [("Content-Type", .hasPrefix("multipart/byteranges; boundary=")), ("Content-Range", .absent)],
             body: .contains(["Content-Range: bytes 0-0/26\r\n\r\nH\r\n", "Content-Range: bytes 25-25/26\r\n\r\n\n\r\n--"])),
    FileCase(rfc: "RFC 9110 §15.5.17, §14.4", name: "an unsatisfiable range gives 416 with bytes */length", path: "/small.txt",
             headers: [("Range", "bytes=100-200")], status: .rangeNotSatisfiable,
             fields: [("Content-Range", .equals("bytes */26"))], body: .empty),
    FileCase(rfc: "RFC 9110 §14.2", name: "a Range in an unknown unit is ignored", path: "/small.txt",
             headers: [("Range", "items=0-1")], status: .ok, body: .bytes(Fixture.small)),
    FileCase(rfc: "RFC 9110 §14.1.1, §14.2", name: "an invalid byte range (last before first) is ignored", path: "/small.txt",
             headers: [("Range", "bytes=5-2")], status: .ok, body: .bytes(Fixture.small)),
    FileCase(rfc: "RFC 9110 §14.2", name: "HEAD with Range is not a range request", method: .head, path: "/small.txt",
             headers: [("Range", "bytes=0-4")], status: .ok,
             fields: [("Content-Length", .equals("26")), ("Content-Range", .absent)], body: .empty),
    FileCase(rfc: "RFC 9110 §14.1.2", name: "a range deep inside a 3 MiB file", path: "/big.bin",
             headers: [("Range", "bytes=1048576-1048585")], status: .partialContent,
             fields: [("Content-Range", .equals("bytes 1048576-1048585/3145728")), ("ETag", .equals(bigTag))],
             body: .bytes(Array(Fixture.big[1_048_576...1_048_585]))),

    // If-Range (RFC 9110 §13.1.5): strong comparison; a date must equal a strong Last-Modified.
    FileCase(rfc: "RFC 9110 §13.1.5", name: "If-Range with the current tag keeps the range", path: "/small.txt",
             headers: [("Range", "bytes=0-4"), ("If-Range", smallTag)], status: .partialContent, body: .bytes(Array("Hello".utf8))),
    FileCase(rfc: "RFC 9110 §13.1.5", name: "If-Range with an old tag sends the whole file", path: "/small.txt",
             headers: [("Range", "bytes=0-4"), ("If-Range", "\"old\"")], status: .ok,
             fields: [("Content-Range", .absent)], body: .bytes(Fixture.small)),
    FileCase(rfc: "RFC 9110 §13.1.5", name: "If-Range with a weak tag never matches", path: "/small.txt",
             headers: [("Range", "bytes=0-4"), ("If-Range", "W/\(smallTag)")], status: .ok, body: .bytes(Fixture.small)),
    FileCase(rfc: "RFC 9110 §13.1.5, §8.8.2.2", name: "If-Range with the (strong) Last-Modified date keeps the range", path: "/small.txt",
             headers: [("Range", "bytes=0-4"), ("If-Range", lm)], status: .partialContent, body: .bytes(Array("Hello".utf8))),
    FileCase(rfc: "RFC 9110 §13.1.5", name: "If-Range with another date sends the whole file", path: "/small.txt",
             headers: [("Range", "bytes=0-4"), ("If-Range", "Tue, 30 Apr 2024 12:00:00 GMT")], status: .ok, body: .bytes(Fixture.small)),

    // HEAD and plain GET (RFC 9110 §9.3.1, §9.3.2, §8.8).
    FileCase(rfc: "RFC 9110 §9.3.2", name: "HEAD has the GET's fields and no content", method: .head, path: "/small.txt",
             status: .ok, fields: smallFull, body: .empty),
    FileCase(rfc: "RFC 9110 §8.8.3", name: "a 3 MiB file streams whole with its content tag", path: "/big.bin",
             status: .ok, fields: [("ETag", .equals(bigTag)), ("Content-Length", .equals("3145728")), ("Content-Type", .equals("application/octet-stream"))],
             body: .bytes(Fixture.big)),
    FileCase(rfc: "RFC 9110 §8.6, §14.1.1", name: "an empty file has a tag and ignores Range", path: "/empty.txt",
             headers: [("Range", "bytes=0-0")], status: .ok,
             fields: [("Content-Length", .equals("0")), ("ETag", .equals(Fixture.etag([])))], body: .empty),
    FileCase(rfc: "RFC 9111 §5.2.2", name: "Cache-Control chosen by path pattern", path: "/page.html",
             status: .ok, fields: [("Cache-Control", .equals("no-cache")), ("Content-Type", .equals("text/html; charset=utf-8"))]),

    // Precompressed siblings (RFC 9110 §8.4, §8.8.3, §12.5.3, §12.5.5).
    FileCase(rfc: "RFC 9110 §12.5.3, §8.4", name: "br is preferred when both codings are acceptable", path: "/app.js",
             headers: [("Accept-Encoding", "gzip, br")], status: .ok,
             fields: [("Content-Encoding", .equals("br")), ("ETag", .equals(brTag)), ("Vary", .equals("Accept-Encoding")),
                      ("Content-Type", .equals("text/javascript; charset=utf-8"))],
             body: .bytes(Fixture.appBR)),
    FileCase(rfc: "RFC 9110 §12.5.3, §8.8.3", name: "gzip sibling with its own tag", path: "/app.js",
             headers: [("Accept-Encoding", "gzip")], status: .ok,
             fields: [("Content-Encoding", .equals("gzip")), ("ETag", .equals(gzTag)), ("Vary", .equals("Accept-Encoding"))],
             body: .bytes(Fixture.appGZ)),
    FileCase(rfc: "RFC 9110 §12.5.3", name: "br;q=0 refuses br", path: "/app.js",
             headers: [("Accept-Encoding", "br;q=0, gzip")], status: .ok, fields: [("Content-Encoding", .equals("gzip"))]),
    FileCase(rfc: "RFC 9110 §12.5.3, §12.5.5", name: "no Accept-Encoding: the file itself, still with Vary", path: "/app.js",
             status: .ok, fields: [("Content-Encoding", .absent), ("ETag", .equals(jsTag)), ("Vary", .equals("Accept-Encoding"))],
             body: .bytes(Fixture.appJS)),
    FileCase(rfc: "RFC 9110 §13.1.2, §8.8.3", name: "the identity tag does not validate the gzip representation", path: "/app.js",
             headers: [("Accept-Encoding", "gzip"), ("If-None-Match", jsTag)], status: .ok, body: .bytes(Fixture.appGZ)),
    FileCase(rfc: "RFC 9110 §13.1.2, §15.4.5", name: "304 for the gzip representation keeps Vary", path: "/app.js",
             headers: [("Accept-Encoding", "gzip"), ("If-None-Match", gzTag)], status: .notModified,
             fields: [("ETag", .equals(gzTag)), ("Vary", .equals("Accept-Encoding")), ("Content-Encoding", .absent)], body: .empty),
    FileCase(rfc: "RFC 9110 §14.2, §8.4", name: "ranges apply to the encoded bytes", path: "/app.js",
             headers: [("Accept-Encoding", "gzip"), ("Range", "bytes=0-3")], status: .partialContent,
             fields: [("Content-Range", .equals("bytes 0-3/\(Fixture.appGZ.count)")), ("Content-Encoding", .equals("gzip"))],
             body: .bytes(Array(Fixture.appGZ[0...3]))),

    FileCase(rfc: "RFC 9110 §12.5.3, §12.5.5", name: "a sibling larger than the file is never offered, so no Vary", path: "/tiny.txt",
             headers: [("Accept-Encoding", "gzip")], status: .ok,
             fields: [("Content-Encoding", .absent), ("Vary", .absent)], body: .bytes(Array("tiny\n".utf8))),

    // Paths that must not leave the root (RFC 3986 §3.3, RFC 9110 §17.3 / §4.2.4-style dot-segment attacks).
    FileCase(rfc: "RFC 3986 §5.2.4, RFC 9110 §17.3", name: "plain .. segments", path: "/../outside/secret.txt", status: .notFound),
    FileCase(rfc: "RFC 3986 §2.1, RFC 9110 §17.3", name: "percent-encoded %2e%2e segments", path: "/%2e%2e/outside/secret.txt", status: .notFound),
    FileCase(rfc: "RFC 3986 §2.1, RFC 9110 §17.3", name: "mixed-case %2E%2e after a real folder", path: "/dir/%2E%2e/%2e%2E/outside/secret.txt", status: .notFound),
    FileCase(rfc: "RFC 3986 §2.1, RFC 9110 §17.3", name: "encoded slashes ..%2f..%2f", path: "/..%2f..%2foutside%2fsecret.txt", status: .notFound),
    FileCase(rfc: "RFC 9110 §17.3", name: "a symbolic link to a file outside the root", path: "/escape-link", status: .notFound),
    FileCase(rfc: "RFC 9110 §17.3", name: "a symbolic link to a folder outside the root", path: "/escape-dir/secret.txt", status: .notFound),
    FileCase(rfc: "RFC 9110 §17.3", name: "a symbolic link inside the root is served with the target's tag", path: "/inside-link",
             status: .ok, fields: [("ETag", .equals(smallTag))], body: .bytes(Fixture.small)),
    FileCase(rfc: "RFC 9110 §17.3", name: "hidden files are not served", path: "/.hidden", status: .notFound),
    FileCase(rfc: "RFC 3986 §2.1", name: "an encoded NUL is refused", path: "/small.txt%00.html", status: .notFound),
    FileCase(rfc: "RFC 3986 §2.1", name: "broken percent-encoding is refused", path: "/small%zz.txt", status: .notFound),
    FileCase(rfc: "RFC 9110 §15.5.5", name: "a missing file is 404", path: "/missing.txt", status: .notFound),

    // Folders, methods (RFC 9110 §15.4.2, §15.5.6).
    FileCase(rfc: "RFC 9110 §15.4.2", name: "a folder without its slash redirects", path: "/dir", status: .movedPermanently,
             fields: [("Location", .equals("/dir/"))]),
    FileCase(rfc: "RFC 9110 §15.3.1", name: "a folder serves its index.html", path: "/dir/", status: .ok,
             fields: [("Cache-Control", .equals("no-cache")), ("ETag", .equals(Fixture.etag(Fixture.index)))], body: .bytes(Fixture.index)),
    FileCase(rfc: "RFC 9110 §15.5.6", name: "POST to a file is 405 with Allow", method: .post, path: "/small.txt",
             status: .methodNotAllowed, fields: [("Allow", .equals("GET, HEAD"))]),
    FileCase(rfc: "RFC 9110 §13.2.1, §15.5.6", name: "a 405 ignores preconditions", method: .put, path: "/small.txt",
             headers: [("If-Match", "\"other\"")], status: .methodNotAllowed),
]

@Suite("cachet serve: conditional requests, ranges, encodings and paths over loopback")
struct FileServerMatrixTests {
    @Test("matrix has at least 40 requests")
    func matrixSize() {
        #expect(fileCases.count >= 40)
    }

    @Test(arguments: fileCases)
    func request(_ testCase: FileCase) async throws {
        let app = try Fixture.fileServer()
        try await app.test(.live) { client in
            try await client.execute(uri: testCase.path, method: testCase.method, headers: HTTPFields(testCase.headers)) { response in
                #expect(response.status == testCase.status, "\(testCase.rfc): \(testCase.name)")
                for (name, expectation) in testCase.fields {
                    let value = response.headers[HTTPField.Name(name)!]
                    switch expectation {
                    case .equals(let expected):
                        #expect(value == expected, "\(testCase.rfc): \(name)")
                    case .absent:
                        #expect(value == nil, "\(testCase.rfc): \(name) must be absent")
                    case .present:
                        #expect(value != nil, "\(testCase.rfc): \(name) must be present")
                    case .hasPrefix(let prefix):
                        #expect(value?.hasPrefix(prefix) == true, "\(testCase.rfc): \(name)")
                    }
                }
                switch testCase.body {
                case .bytes(let bytes)?:
                    #expect(response.body.bytes == bytes, "\(testCase.rfc): content")
                case .empty?:
                    #expect(response.body.readableBytes == 0, "\(testCase.rfc): no content")
                case .length(let length)?:
                    #expect(response.body.readableBytes == length)
                case .contains(let parts)?:
                    let text = String(buffer: response.body)
                    for part in parts { #expect(text.contains(part), "\(testCase.rfc): content has \(part)") }
                case nil:
                    break
                }
            }
        }
    }
}
