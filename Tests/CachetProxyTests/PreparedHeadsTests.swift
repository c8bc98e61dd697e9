import CachetStorage
import HTTPCachePolicy
import HTTPPreconditions
import HTTPTypes
import NIOCore
import Testing

@testable import CachetProxy

/// Which stored responses get prepared heads: those the fast path can answer, fresh ones
/// (RFC 9111 §4.2). One stale from the start is revalidated on every request and never
/// answered from its prepared heads, so building them is wasted on each revalidation.
@Suite("Prepared heads for fresh entries only")
struct PreparedHeadsTests {
    struct Case: Sendable, CustomTestStringConvertible {
        let fields: [(HTTPField.Name, String)]
        let prepared: Bool
        let testDescription: String
    }

    static let start = ProxyHarness.start
    static let cases: [Case] = [
        Case(fields: [(.cacheControl, "max-age=60")], prepared: true, testDescription: "max-age=60: fresh for a minute"),
        Case(fields: [(.cacheControl, "max-age=0")], prepared: false, testDescription: "max-age=0: stale from the start (§4.2.1)"),
        Case(fields: [(.cacheControl, "max-age=60"), (.age, "60")], prepared: false, testDescription: "Age equal to max-age: stale on arrival (§4.2.3)"),
        Case(fields: [(.cacheControl, "max-age=60"), (.age, "59")], prepared: true, testDescription: "Age one second short of max-age: fresh"),
        Case(fields: [(.cacheControl, "s-maxage=10, max-age=0")], prepared: true, testDescription: "s-maxage wins in a shared cache (§5.2.2.10)"),
        Case(fields: [(.expires, start.adding(seconds: -10).imfFixdate)], prepared: false, testDescription: "Expires in the past (§5.3)"),
        Case(fields: [(.expires, start.adding(seconds: 30).imfFixdate)], prepared: true, testDescription: "Expires in the future (§5.3)"),
    ]

    @Test(arguments: cases)
    func entry(_ c: Case) {
        let request = HTTPRequest(method: .get, scheme: "http", authority: "x", path: "/p")
        var response = HTTPResponse(status: .ok)
        response.headerFields[.date] = Self.start.imfFixdate
        response.headerFields[.eTag] = "\"p\""
        for (name, value) in c.fields { response.headerFields[name] = value }
        let policy = CachePolicy(request: request, response: response, requestTime: Self.start, responseTime: Self.start)
        let headers = DeliveryHeaders(cacheName: "cachet", dates: DateFieldCache(clock: ManualClock(Self.start)))
        let stored = headers.entry(key: CacheKey(request: request)!, policy: policy, body: ByteBuffer(string: "body"))
        #expect((stored.prepared != nil) == c.prepared)
        if let heads = stored.prepared {
            #expect(String(buffer: heads.full).hasPrefix("HTTP/1.1 200 OK\r\n"))
            #expect(heads.notModified.map { String(buffer: $0).hasPrefix("HTTP/1.1 304 Not Modified\r\n") } == true)
        }
    }
}
