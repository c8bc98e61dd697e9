import HTTPTypes
import NIOHTTP1
import Testing

@testable import CachetProxy

/// Inputs the fuzz targets (Fuzz/) found, kept by name.
@Suite("Fuzz regressions: CachetProxy")
struct ProxyFuzzRegressionTests {
    static func convert(_ uri: String, host: String?) -> Result<HTTPRequest, ProxyError> {
        var headers = HTTPHeaders()
        if let host { headers.add(name: "Host", value: host) }
        return ClientConnectionHandler.convert(HTTPRequestHead(version: .http1_1, method: .GET, uri: uri, headers: headers))
    }

    @Test("fuzz: a Host with characters outside host and port is refused (crash input \"GET /a?b=1 … Host:?examp$le.com\")")
    func hostBeyondHostAndPort() throws {
        for host in ["?examp$le.com", "a#b", "a/b", "u@a", "a b", "caf\u{E9}.example", "a\u{7F}"] {
            guard case .failure(let error) = Self.convert("/a?b=1", host: host) else {
                Issue.record("accepted Host \(host.debugDescription)")
                continue
            }
            #expect(error.status == .badRequest)
        }
        for host in ["example.com", "Example.COM:8080", "[::1]:80", "a_b.example", "xn--caf-dma.example"] {
            let request = try Self.convert("/a", host: host).get()
            #expect(request.authority == host)
        }
    }

    @Test("fuzz: an absolute-form authority ends at the query (\"http://example.com?x=1\")")
    func absoluteFormWithQueryAndNoPath() throws {
        let request = try Self.convert("http://example.com?x=1", host: "other").get()
        #expect(request.authority == "example.com")
        #expect(request.path == "/?x=1")
        let plain = try Self.convert("http://example.com:8080/p?q", host: "other").get()
        #expect(plain.authority == "example.com:8080")
        #expect(plain.path == "/p?q")
    }
}
