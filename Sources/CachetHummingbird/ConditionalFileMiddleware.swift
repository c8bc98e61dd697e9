import HTTPPreconditions
import HTTPTypes
import Hummingbird
import NIOCore
import NIOPosix
import _NIOFileSystem

/// Serves the files under a folder with strong validators and complete conditional and
/// range request handling: a drop-in replacement for Hummingbird's `FileMiddleware`.
///
/// - `ETag`: strong, derived from the file's bytes (``ContentETag``), computed once per file
///   version (device, inode, size, modification time) and cached in a ``FileDigestCache``,
///   so two servers with the same files agree and a touched but unchanged file keeps its tag.
/// - `Last-Modified` from the file's modification time.
/// - Preconditions evaluated by `HTTPPreconditions` in RFC 9110 §13.2.2 order: 412 for a
///   failed `If-Match` / `If-Unmodified-Since`, 304 with exactly the §15.4.5 fields.
/// - `Range` (single and `multipart/byteranges`), `If-Range`, 416 (RFC 9110 §14).
/// - HEAD with the same fields as GET.
/// - `Cache-Control` per path pattern (``CacheControlRules``).
/// - Precompressed siblings (`app.js.br`, `app.js.gz`) sent for an acceptable
///   `Accept-Encoding`, with `Content-Encoding`, their own `ETag`, and `Vary: Accept-Encoding`
///   on every response for a file that has siblings. A sibling that is not smaller than the
///   file is ignored.
/// - No way out of the root: `..` (plain or percent-encoded), hidden segments, and symbolic
///   links that resolve outside the root give 404.
/// - Content streamed in chunks with NIOFileSystem: memory per response is bounded by the
///   chunk size, not the file size.
///
/// Like Hummingbird's `FileMiddleware`, it serves a file when the rest of the chain throws a
/// 404 `HTTPError` (no route), so routes take precedence.
public struct ConditionalFileMiddleware<Context: RequestContext>: RouterMiddleware {
    public struct Configuration: Sendable {
        /// A prefix of the URL path to remove (`/static`); requests outside it are not served.
        public var urlBasePath: String?
        /// `Cache-Control` by path.
        public var cacheControl: CacheControlRules
        /// Serve `index.html` for a folder (and redirect `/folder` to `/folder/`).
        public var servesIndex: Bool
        /// Which precompressed siblings to look for, in order of preference on a tie.
        public var precompressed: [ContentCoding]
        /// Serve files and folders whose name starts with `.`.
        public var servesHiddenFiles: Bool
        /// Bytes read from disk per chunk.
        public var chunkSize: Int
        /// Limits on ranges (RFC 9110 §14.2, §17.15).
        public var rangeLimits: RangeLimits
        /// How long what a request path resolved to on disk is reused before the disk is asked
        /// again (like nginx's `open_file_cache_valid`). Zero, the default, looks on every
        /// request, so a changed file is seen at once.
        public var metadataValidity: Duration
        /// Files up to this size are kept in memory by version and sent without being opened
        /// again; zero, the default, streams every file from disk.
        public var memoryCachedFileSize: Int64
        /// Bytes of file content kept in memory at most.
        public var memoryCacheCapacity: Int

        public init(
            urlBasePath: String? = nil,
            cacheControl: CacheControlRules = CacheControlRules(),
            servesIndex: Bool = false,
            precompressed: [ContentCoding] = [.brotli, .gzip],
            servesHiddenFiles: Bool = false,
            chunkSize: Int = 128 * 1024,
            rangeLimits: RangeLimits = .default,
            metadataValidity: Duration = .zero,
            memoryCachedFileSize: Int64 = 0,
            memoryCacheCapacity: Int = 64 << 20
        ) {
            self.urlBasePath = urlBasePath
            self.cacheControl = cacheControl
            self.servesIndex = servesIndex
            self.precompressed = precompressed
            self.servesHiddenFiles = servesHiddenFiles
            self.chunkSize = chunkSize
            self.rangeLimits = rangeLimits
            self.metadataValidity = metadataValidity
            self.memoryCachedFileSize = memoryCachedFileSize
            self.memoryCacheCapacity = memoryCacheCapacity
        }
    }

    /// Why a root cannot be served.
    public enum RootError: Error, CustomStringConvertible, Equatable {
        case missing(String)
        case notADirectory(String)

        public var description: String {
            switch self {
            case .missing(let path): return "root folder \(path) does not exist"
            case .notADirectory(let path): return "root \(path) is not a folder"
            }
        }
    }

    public let configuration: Configuration
    let lookup: FileLookup
    let digests: FileDigestCache
    let threadPool: NIOThreadPool
    let fileSystem: FileSystem
    let selections: FileSelectionCache?
    let contents: FileContentCache?
    let heads = FileHeadCache()

    /// - Parameters:
    ///   - root: the folder to serve; it must exist.
    ///   - digests: where content tags are cached; share one between middlewares serving the
    ///     same files.
    /// - Throws: ``RootError`` when `root` is missing or not a folder.
    public init(
        _ root: String,
        configuration: Configuration = Configuration(),
        digests: FileDigestCache = FileDigestCache(),
        threadPool: NIOThreadPool = .singleton
    ) throws {
        do {
            self.lookup = try FileLookup(root: root, servesHiddenFiles: configuration.servesHiddenFiles)
        } catch FileLookup.Failure.missing(let path) {
            throw RootError.missing(path)
        } catch FileLookup.Failure.notADirectory(let path) {
            throw RootError.notADirectory(path)
        }
        var configuration = configuration
        configuration.urlBasePath = configuration.urlBasePath.map { $0.hasSuffix("/") ? String($0.dropLast()) : $0 }
        self.configuration = configuration
        self.digests = digests
        self.threadPool = threadPool
        self.fileSystem = FileSystem(threadPool: threadPool)
        let (seconds, attoseconds) = configuration.metadataValidity.components
        let validity = TimeAmount.nanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
        self.selections = validity > .zero ? FileSelectionCache(validity: validity) : nil
        self.contents =
            configuration.memoryCachedFileSize > 0 && configuration.memoryCacheCapacity > 0
            ? FileContentCache(maximumFileSize: configuration.memoryCachedFileSize, capacity: configuration.memoryCacheCapacity) : nil
    }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as any HTTPResponseError where error.status == .notFound {
            guard let response = try await serve(request) else { throw error }
            context.coreContext.endpointPath.value = "ConditionalFileMiddleware"
            return response
        }
    }

    /// The response for a file request, or `nil` when no file answers it.
    func serve(_ request: Request) async throws -> Response? {
        let isRead = request.method == .get || request.method == .head
        guard let rawPath = filePath(request.head.path) else { return nil }
        guard let outcome = try await lookUp(rawPath) else { return nil }
        switch outcome {
        case .notFound:
            return nil
        case _ where !isRead:
            // The files are read-only: other methods are not allowed on them (RFC 9110 §15.5.6).
            return Response(status: .methodNotAllowed, headers: [.allow: "GET, HEAD", .contentLength: "0"])
        case .redirectToFolder:
            var location = String(request.head.path ?? "/")
            if let query = location.firstIndex(of: "?") {
                location.insert("/", at: query)
            } else {
                location += "/"
            }
            return Response(status: .movedPermanently, headers: [.location: location, .contentLength: "0"])
        case .file(let selection):
            return try await respond(request, selection: selection)
        }
    }

    /// What the file system holds at a percent-encoded path, remembered for
    /// `metadataValidity`; `nil` for a path that cannot name a file.
    func lookUp(_ rawPath: Substring) async throws -> FileLookup.Outcome? {
        guard let segments = lookup.segments(ofEncodedPath: rawPath) else { return nil }
        let endsWithSlash = Self.endsWithSlash(rawPath)
        let lookup = self.lookup
        let configuration = self.configuration
        let key = FileSelectionCache.Key(path: rawPath, endsWithSlash: endsWithSlash)
        if let remembered = selections?.outcome(for: key) { return remembered }
        let outcome = try await threadPool.runIfActive {
            lookup.select(
                segments: segments, endsWithSlash: endsWithSlash, index: configuration.servesIndex,
                codings: configuration.precompressed
            )
        }
        selections?.remember(outcome, for: key)
        return outcome
    }

    /// Does the I/O that ``answerAtOnce(_:)`` needs done for `request`: looks its file up,
    /// computes the file's tag and, for a GET, keeps a small file's content in memory. After
    /// it, `answerAtOnce` answers the request unless it needs more (a range, a 412, a large
    /// file). Failures are left for the router to report when it answers the request.
    func prepareAnswer(_ request: HTTPRequest) async {
        guard let selections, let rawPath = filePath(request.path),
            case .file(let selection)? = try? await lookUp(rawPath), selections.outcome(for: .init(path: rawPath, endsWithSlash: Self.endsWithSlash(rawPath))) != nil
        else { return }
        let coding = ContentCoding.negotiate(request.headerFields, available: configuration.precompressed.filter { selection.variants[$0] != nil })
        let file = coding.flatMap { selection.variants[$0] } ?? selection.file
        guard (try? await contentTag(of: file)) != nil else { return }
        if request.method == .get, file.identity.size > 0, let contents, contents.holds(file.identity) {
            _ = try? await content(of: file, in: contents)
        }
    }

    /// The percent-encoded path of the file a request target names, without query or
    /// fragment and without the URL base path; `nil` when it lies outside the base path.
    static func endsWithSlash(_ rawPath: Substring) -> Bool {
        rawPath.utf8.last == UInt8(ascii: "/")
    }

    func filePath(_ target: String?) -> Substring? {
        var rawPath = Substring(target ?? "/")
        // By bytes: both are ASCII, and walking Characters costs more than the rest of a 304.
        if let end = rawPath.utf8.firstIndex(where: { $0 == UInt8(ascii: "?") || $0 == UInt8(ascii: "#") }) { rawPath = rawPath[..<end] }
        if let base = configuration.urlBasePath, !base.isEmpty {
            guard rawPath.hasPrefix(base) else { return nil }
            rawPath = rawPath.dropFirst(base.count)
            if rawPath.isEmpty { rawPath = "/" }
            guard rawPath.first == "/" else { return nil }
        }
        return rawPath
    }

    /// The 200 head of `file` (the selection's file or one of its precompressed siblings).
    func fullHead(_ selection: FileLookup.Selection, file: FileLookup.Found, coding: ContentCoding?, etag: EntityTag) -> HTTPResponse {
        var head = HTTPResponse(status: .ok)
        head.headerFields.reserveCapacity(10)
        if let type = Self.mediaType(forPath: selection.urlPath) { head.headerFields[.contentType] = type }
        if let coding { head.headerFields[.contentEncoding] = coding.rawValue }
        head.headerFields[.contentLength] = String(file.identity.size)
        head.headerFields[.eTag] = etag.description
        head.headerFields[.lastModified] = HTTPDate(secondsSince1970: file.identity.modificationSeconds).imfFixdate
        head.headerFields[.acceptRanges] = "bytes"
        if let cacheControl = configuration.cacheControl.value(forPath: selection.urlPath) {
            head.headerFields[.cacheControl] = cacheControl
        }
        if !selection.variants.isEmpty { head.headerFields[.vary] = "Accept-Encoding" }
        return head
    }

    func respond(_ request: Request, selection: FileLookup.Selection) async throws -> Response {
        let coding = ContentCoding.negotiate(request.headers, available: configuration.precompressed.filter { selection.variants[$0] != nil })
        let file = coding.flatMap { selection.variants[$0] } ?? selection.file
        let etag = try await contentTag(of: file)
        let now = ServerClock.now()
        let lastModified = HTTPDate(secondsSince1970: file.identity.modificationSeconds)
        let length = file.identity.size
        let head = fullHead(selection, file: file, coding: coding, etag: etag)
        let full = Response(status: .ok, headers: head.headerFields)

        let validators = RepresentationValidators(etag: etag, lastModified: lastModified, date: now)
        switch request.head.evaluatePreconditions(for: validators, now: now) {
        case .notModified:
            return full.notModifiedResponse(keeping: .minimal)
        case .preconditionFailed:
            return full.preconditionFailedResponse()
        case .proceed(range: .apply):
            if let ranges = ByteRangeSet(request.headers) {
                switch ranges.resolve(completeLength: length, limits: configuration.rangeLimits) {
                case .full:
                    break
                case .unsatisfiable:
                    var refused = HTTPResponse.rangeNotSatisfiable(completeLength: length)
                    for name in [HTTPField.Name.eTag, .lastModified, .cacheControl, .vary, .acceptRanges] {
                        if let value = head.headerFields[name] { refused.headerFields[name] = value }
                    }
                    return Response(status: refused.status, headers: refused.headerFields)
                case .partial(let parts) where parts.count == 1:
                    let partial = head.partialContent(parts[0], completeLength: length)
                    return Response(status: partial.status, headers: partial.headerFields, body: body(of: file, parts: parts, multipart: nil))
                case .partial(let parts):
                    let multipart = MultipartByteRanges(ranges: parts, completeLength: length, contentType: head.headerFields[.contentType])
                    let partial = head.partialContent(multipart)
                    return Response(status: partial.status, headers: partial.headerFields, body: body(of: file, parts: parts, multipart: multipart))
                }
            }
        case .proceed:
            break
        }
        if request.method == .head || length == 0 { return full }
        if let contents, contents.holds(file.identity) {
            return Response(status: .ok, headers: head.headerFields, body: .slices(of: try await content(of: file, in: contents)))
        }
        return Response(status: .ok, headers: head.headerFields, body: body(of: file, parts: [0...(length - 1)], multipart: nil))
    }

    /// The file's content tag, from the cache or by reading it once.
    func contentTag(of file: FileLookup.Found) async throws -> EntityTag {
        let pool = threadPool
        for _ in 0..<2 {
            do {
                return try await digests.etag(for: file.identity) {
                    try await pool.runIfActive { try FileHashing.etag(path: file.path, identity: file.identity) }
                }
            } catch is FileHashing.Changed {
                continue
            }
        }
        // The file keeps changing while it is read: let the client retry.
        throw HTTPError(.serviceUnavailable, headers: [.retryAfter: "1"])
    }

    /// The answer to a GET or HEAD that needs no I/O and no wait: the file's lookup is
    /// remembered, its tag computed, and either the request's conditions give 304 or its
    /// content is in memory. `nil` for everything else (ranges, 412s, files not yet seen),
    /// which goes through the router. Used by ``FileFastPath`` on the event loop, from raw bytes.
    func answerAtOnce(_ request: HTTPRequest, now: HTTPDate = ServerClock.now()) -> ImmediateAnswer? {
        guard let selections, request.method == .get || request.method == .head else { return nil }
        let generation = selections.generation
        guard let rawPath = filePath(request.path),
            let remembered = selections.remembered(.init(path: rawPath, endsWithSlash: Self.endsWithSlash(rawPath))),
            case .file(let selection) = remembered.outcome
        else { return nil }
        let coding = ContentCoding.negotiate(request.headerFields, available: configuration.precompressed.filter { selection.variants[$0] != nil })
        let file = coding.flatMap { selection.variants[$0] } ?? selection.file
        guard let etag = digests.readyTag(for: file.identity) else { return nil }
        let key = FileHeadCache.Key(urlPath: selection.urlPath, identity: file.identity, coding: coding, hasVariants: !selection.variants.isEmpty)
        let heads = self.heads.heads(for: key) {
            let head = fullHead(selection, file: file, coding: coding, etag: etag)
            var notModified = head.notModified(keeping: .minimal)
            notModified.headerFields[.contentLength] = nil
            return .init(full: head, notModified: notModified)
        }
        let full = heads.full
        let validators = RepresentationValidators(
            etag: etag, lastModified: HTTPDate(secondsSince1970: file.identity.modificationSeconds), date: now
        )
        var answer: ImmediateAnswer
        switch request.evaluatePreconditions(for: validators, now: now) {
        case .notModified:
            answer = heads.notModified
        case .proceed(range: .notRequested), .proceed(range: .ignoredByIfRange):
            answer = full
            if request.method == .get, file.identity.size > 0 {
                guard let content = contents?.contents(of: file.identity) else { return nil }
                answer.body = content
            }
        case .proceed(range: .apply), .preconditionFailed:
            return nil
        }
        // The same request gets the same answer while the lookup holds, within the second.
        answer.validUntil = remembered.expires
        answer.lookupGeneration = generation
        return answer
    }

    /// See ``FileSelectionCache/generation``: answers from another generation are not reused.
    var lookupGeneration: Int { selections?.generation ?? 0 }

    /// The whole content of a small file, from memory or read once.
    func content(of file: FileLookup.Found, in contents: FileContentCache) async throws -> ByteBuffer {
        if let bytes = contents.contents(of: file.identity) { return bytes }
        do {
            let bytes = try await threadPool.runIfActive { try FileContentCache.load(path: file.path, identity: file.identity) }
            contents.remember(bytes, of: file.identity)
            return bytes
        } catch is FileHashing.Changed {
            // The file changed since it was looked up: let the client retry.
            throw HTTPError(.serviceUnavailable, headers: [.retryAfter: "1"])
        }
    }

    /// Streams `parts` of `file`, framed as `multipart/byteranges` when `multipart` is given.
    /// The file is reopened and must still be the version whose tag was sent; if it is not,
    /// the response is cut short rather than completed with other content.
    func body(of file: FileLookup.Found, parts: [ClosedRange<Int64>], multipart: MultipartByteRanges?) -> ResponseBody {
        let fileSystem = self.fileSystem
        let chunkSize = configuration.chunkSize
        let contentLength = multipart.map { Int($0.contentLength) } ?? parts.reduce(0) { $0 + Int($1.count) }
        return ResponseBody(contentLength: contentLength) { writer in
            try await fileSystem.withFileHandle(forReadingAt: FilePath(file.path)) { handle in
                let info = try await handle.info()
                if let status = info.platformSpecificStatus, FileLookup.Status(status).identity != file.identity {
                    throw FileHashing.Changed()
                }
                for (index, part) in parts.enumerated() {
                    if let multipart {
                        try await writer.write(ByteBuffer(string: multipart.partHeader(index)))
                    }
                    for try await chunk in handle.readChunks(in: part, chunkLength: .bytes(Int64(chunkSize))) {
                        try await writer.write(chunk)
                    }
                }
                if let multipart {
                    try await writer.write(ByteBuffer(string: multipart.closingDelimiter))
                }
            }
            try await writer.finish(nil)
        }
    }

    /// The media type for a file name, with `charset=utf-8` for text.
    static func mediaType(forPath path: String) -> String? {
        guard let dot = path.lastIndex(of: "."), !path[dot...].contains("/") else { return nil }
        let ext = path[path.index(after: dot)...].lowercased()
        guard let type = MediaType.getMediaType(forExtension: ext) else { return nil }
        let text = type.description
        if type.parameter == nil, text.hasPrefix("text/") || text == "application/javascript" || text == "application/json" || text == "image/svg+xml" {
            return text + "; charset=utf-8"
        }
        return text
    }
}

extension ResponseBody {
    /// `content` written a slice at a time (``NIOCore/ByteBuffer/writeSliceSize``), so that a
    /// slow client's progress through a large file held in memory is seen as it reads.
    static func slices(of content: ByteBuffer) -> ResponseBody {
        guard content.readableBytes > ByteBuffer.writeSliceSize else { return ResponseBody(byteBuffer: content) }
        return ResponseBody(contentLength: content.readableBytes) { writer in
            for slice in content.slices() { try await writer.write(slice) }
            try await writer.finish(nil)
        }
    }
}
