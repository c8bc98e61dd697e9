import HTTPPreconditions
import HTTPTypes
import Testing

/// RFC 9110 §15.4.5 (304), §15.5.13 (412), §15.5.17 (416), §15.3.7 and §14.6 (206).
@Suite("Conditional responses")
struct ConditionalResponseTests {
    /// A 200 with every kind of field a 304 must keep, may keep or must drop.
    static let fullResponse: HTTPResponse = {
        var response = HTTPResponse(status: .ok)
        response.headerFields = [
            .date: "Sun, 06 Nov 1994 08:49:37 GMT",
            .server: "cachet",
            .contentType: "text/html; charset=utf-8",
            .contentLength: "1234",
            .contentEncoding: "gzip",
            .contentLanguage: "en",
            .eTag: "\"v1\"",
            .lastModified: "Sat, 05 Nov 1994 08:49:37 GMT",
            .cacheControl: "max-age=60",
            .expires: "Sun, 06 Nov 1994 08:50:37 GMT",
            .vary: "Accept-Encoding",
            .contentLocation: "/index.html",
            .setCookie: "a=b",
            .acceptRanges: "bytes",
        ]
        response.headerFields.append(HTTPField(name: HTTPField.Name("Content-Digest")!, value: "sha-256=:x:"))
        return response
    }()

    @Test("§15.4.5 a 304 keeps exactly Cache-Control, Content-Location, Date, ETag, Expires, Vary")
    func minimalNotModified() {
        let notModified = Self.fullResponse.notModified()
        #expect(notModified.status == .notModified)
        let names = notModified.headerFields.map(\.name)
        #expect(names == [.date, .eTag, .cacheControl, .expires, .vary, .contentLocation])
        #expect(notModified.headerFields[.eTag] == "\"v1\"")
        #expect(notModified.headerFields[.cacheControl] == "max-age=60")
        #expect(notModified.headerFields[.contentType] == nil)
        #expect(notModified.headerFields[.contentLength] == nil)
    }

    @Test("§15.4.5 Last-Modified is kept only when there is no ETag, to guide cache updates")
    func lastModifiedWithoutETag() {
        var response = Self.fullResponse
        response.headerFields[.eTag] = nil
        let notModified = response.notModified()
        #expect(notModified.headerFields[.lastModified] == "Sat, 05 Nov 1994 08:49:37 GMT")
        #expect(Self.fullResponse.notModified().headerFields[.lastModified] == nil)
    }

    @Test("§15.4.5 only fields the 200 had: nothing is invented")
    func nothingInvented() {
        var response = HTTPResponse(status: .ok)
        response.headerFields = [.eTag: "W/\"x\"", .contentType: "text/plain"]
        #expect(response.notModified().headerFields == [.eTag: "W/\"x\""])
    }

    @Test("§15.4.5 several field lines of a kept field are all kept, in order")
    func repeatedFieldsKept() {
        var response = HTTPResponse(status: .ok)
        response.headerFields.append(HTTPField(name: .vary, value: "Accept"))
        response.headerFields.append(HTTPField(name: .vary, value: "Accept-Encoding"))
        #expect(response.notModified().headerFields[values: .vary] == ["Accept", "Accept-Encoding"])
    }

    @Test("§15.4.5 withoutRepresentationMetadata keeps non-representation fields, drops metadata")
    func withoutRepresentationMetadata() {
        let notModified = Self.fullResponse.notModified(keeping: .withoutRepresentationMetadata)
        let names = notModified.headerFields.map(\.name)
        #expect(names == [.date, .server, .eTag, .cacheControl, .expires, .vary, .contentLocation, .setCookie, .acceptRanges])
    }

    @Test("§15.5.13 a 412 carries Date and the current ETag, and an empty body")
    func preconditionFailed() {
        let failed = Self.fullResponse.preconditionFailed()
        #expect(failed.status == .preconditionFailed)
        #expect(failed.headerFields[.eTag] == "\"v1\"")
        #expect(failed.headerFields[.date] == "Sun, 06 Nov 1994 08:49:37 GMT")
        #expect(failed.headerFields[.contentLength] == "0")
        #expect(failed.headerFields[.contentType] == nil)
    }

    @Test("§15.5.17 a 416 says bytes */length")
    func rangeNotSatisfiable() {
        let response = HTTPResponse.rangeNotSatisfiable(completeLength: 1234)
        #expect(response.status == .rangeNotSatisfiable)
        #expect(response.headerFields[.contentRange] == "bytes */1234")
    }

    @Test("§15.3.7.1 a single-part 206 carries Content-Range and the range's length")
    func singlePart() {
        let partial = Self.fullResponse.partialContent(0...499, completeLength: 1234)
        #expect(partial.status == .partialContent)
        #expect(partial.headerFields[.contentRange] == "bytes 0-499/1234")
        #expect(partial.headerFields[.contentLength] == "500")
        #expect(partial.headerFields[.eTag] == "\"v1\"")
    }

    @Test("§14.6 multipart/byteranges body: delimiters, part headers, exact length")
    func multipart() {
        let content = Array("abcdefghijklmnopqrstuvwxyz".utf8)
        let multipart = MultipartByteRanges(
            ranges: [0...2, 23...25], completeLength: 26, contentType: "text/plain", boundary: "THIS_STRING_SEPARATES"
        )
        let body = multipart.body(from: content)
        let expected =
            "--THIS_STRING_SEPARATES\r\nContent-Type: text/plain\r\nContent-Range: bytes 0-2/26\r\n\r\nabc"
            + "\r\n--THIS_STRING_SEPARATES\r\nContent-Type: text/plain\r\nContent-Range: bytes 23-25/26\r\n\r\nxyz"
            + "\r\n--THIS_STRING_SEPARATES--\r\n"
        #expect(String(decoding: body, as: UTF8.self) == expected)
        #expect(Int64(body.count) == multipart.contentLength)
        let response = Self.fullResponse.partialContent(multipart)
        #expect(response.headerFields[.contentType] == "multipart/byteranges; boundary=THIS_STRING_SEPARATES")
        #expect(response.headerFields[.contentLength] == String(body.count))
        #expect(response.headerFields[.contentRange] == nil)
    }

    @Test("§14.6 random boundaries differ and are 32 hex digits")
    func randomBoundary() {
        let a = MultipartByteRanges.randomBoundary()
        let b = MultipartByteRanges.randomBoundary()
        #expect(a != b)
        #expect(a.utf8.count == 32)
        #expect(a.utf8.allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x61 && $0 <= 0x66) })
    }
}
