import HTTPPreconditions
import HTTPTypes
import NIOCore

/// The origin bundled with `cachet proxy --example-origin`, so a newcomer can watch a MISS, a
/// HIT and a 304 with nothing else installed. It validates its own conditional requests with
/// `HTTPPreconditions`, as a well-behaved origin should.
public enum ExampleOrigin {
    struct Resource {
        let body: String
        let contentType: String
        let cacheControl: String
        let etag: EntityTag
    }

    static let resources: [String: Resource] = [
        "/": Resource(
            body: "<!doctype html><title>cachet</title><h1>Hello from the example origin</h1>\n",
            contentType: "text/html; charset=utf-8",
            cacheControl: "public, max-age=60",
            etag: EntityTag(opaqueTag: "home-v1")!
        ),
        "/style.css": Resource(
            body: "body { font-family: sans-serif; }\n",
            contentType: "text/css",
            cacheControl: "public, max-age=3600, immutable",
            etag: EntityTag(opaqueTag: "css-v1")!
        ),
        "/revalidate": Resource(
            body: "Stored, but revalidated with the origin on every request.\n",
            contentType: "text/plain; charset=utf-8",
            cacheControl: "max-age=0, must-revalidate",
            etag: EntityTag(opaqueTag: "reval-v1")!
        ),
        "/private": Resource(
            body: "Never shared.\n",
            contentType: "text/plain; charset=utf-8",
            cacheControl: "private, max-age=60",
            etag: EntityTag(opaqueTag: "private-v1")!
        ),
    ]

    /// The example origin's request handler.
    public static func handler(clock: any ProxyClock = SystemClock()) -> SimpleOriginServer.Handler {
        let started = clock.now()
        return { request, _ in
            let now = clock.now()
            let path = String((request.path ?? "/").prefix { $0 != "?" })
            guard let resource = resources[path] else {
                var head = HTTPResponse(status: .notFound)
                head.headerFields = [.date: now.imfFixdate, .contentType: "text/plain", .cacheControl: "max-age=10"]
                return .init(head: head, body: ByteBuffer(string: "Not found.\n"))
            }
            var head = HTTPResponse(status: .ok)
            head.headerFields = [
                .date: now.imfFixdate,
                .contentType: resource.contentType,
                .contentLength: String(resource.body.utf8.count),
                .cacheControl: resource.cacheControl,
                .eTag: resource.etag.description,
                .lastModified: started.imfFixdate,
                .expires: now.adding(seconds: 60).imfFixdate,
                .vary: "Accept-Encoding",
            ]
            let validators = RepresentationValidators(etag: resource.etag, lastModified: started, date: now)
            switch request.evaluatePreconditions(for: validators, now: now) {
            case .notModified:
                return .init(head: head.notModified())
            case .preconditionFailed:
                return .init(head: head.preconditionFailed())
            case .proceed:
                return .init(head: head, body: ByteBuffer(string: request.method == .head ? "" : resource.body))
            }
        }
    }
}
