import HTTPCachePolicy
import HTTPPreconditions
import HTTPTypes
import Testing

@Suite("Secondary key and method across revalidation (RFC 9111 §4.1, §4.3.4)")
struct RevalidationVaryTests {
    static let stored = CachePolicy(
        request: request(.get, "/page", ["Accept-Language: en"]),
        response: response(200, ["Date: {t}", "Cache-Control: max-age=10", "ETag: \"a\"", "Vary: Accept-Language"]),
        requestTime: t0, responseTime: t0
    )

    @Test("§4.3.4: a 304 without Vary keeps the stored secondary key")
    func keepsVaryKey() {
        let updated = Self.stored.freshened(
            with: response(304, ["ETag: \"a\"", "Date: {t+20}"]),
            request: request(.get, "/page", ["Accept-Language: fr"]), requestTime: at(20), responseTime: at(20)
        )
        #expect(updated.varyKey == Self.stored.varyKey)
        #expect(updated.evaluate(request: request(.get, "/page", ["Accept-Language: en"]), now: at(21)) == .fresh)
    }

    @Test("§4.3.4: a 304 with a new Vary recomputes the secondary key from the validation request")
    func newVary() {
        let updated = Self.stored.freshened(
            with: response(304, ["ETag: \"a\"", "Date: {t+20}", "Vary: Accept-Encoding"]),
            request: request(.get, "/page", ["Accept-Encoding: br"]), requestTime: at(20), responseTime: at(20)
        )
        #expect(updated.varyKey.entries == [VaryKey.Entry(name: .acceptEncoding, value: "br")])
        #expect(updated.evaluate(request: request(.get, "/page", ["Accept-Encoding: gzip"]), now: at(21)) == .mismatch(.vary))
    }

    @Test("§4: a stored HEAD response does not answer a GET")
    func headDoesNotAnswerGet() {
        let head = policy(["Date: {t}", "Cache-Control: max-age=60"], method: .head)
        #expect(head.evaluate(request: request(.get), now: at(1)) == .mismatch(.method))
        #expect(head.evaluate(request: request(.head), now: at(1)) == .fresh)
    }

    @Test("§3.1, §5.2.2.7: a shared cache does not store fields named by private=")
    func privateFieldsNotStored() {
        let stored = policy(["Cache-Control: private=\"X-User, Set-Cookie\", max-age=60", "X-User: u", "Set-Cookie: s", "X-Other: o"])
        #expect(values(stored.response.headerFields, "X-User") == [])
        #expect(values(stored.response.headerFields, "Set-Cookie") == [])
        #expect(values(stored.response.headerFields, "X-Other") == ["o"])
    }

    @Test("RFC 9110 §6.6.1: a stored response without Date gets one, its response time")
    func dateAdded() {
        let stored = policy(["Cache-Control: max-age=60"], responseTime: at(7))
        #expect(values(stored.response.headerFields, "Date") == [at(7).imfFixdate])
    }
}
