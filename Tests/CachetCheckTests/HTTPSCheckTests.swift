import CachetCheck
import CachetHummingbird
import Foundation
import Hummingbird
import HummingbirdTLS
import NIOSSL
import Testing

/// `cachet check https://…` goes through TLS like any client: against `cachet serve`'s stack
/// behind HTTPS it finds the same good notes as over HTTP.
@Suite("cachet check over HTTPS")
struct HTTPSCheckTests {
    /// A self-signed certificate for 127.0.0.1 and localhost (P-256, valid until 2126),
    /// made for these tests with `openssl req -x509`; it protects nothing.
    static let certificate = """
        -----BEGIN CERTIFICATE-----
        MIIBmzCCAUGgAwIBAgIUIWlrZ0sCMG4sFSjdmgR3cAUoPqgwCgYIKoZIzj0EAwIw
        FDESMBAGA1UEAwwJbG9jYWxob3N0MCAXDTI2MTEzMDEyMjE1MloYDzIxMjYxMTA2
        MTIyMTUyWjAUMRIwEAYDVQQDDAlsb2NhbGhvc3QwWTATBgcqhkjOPQIBBggqhkjO
        PQMBBwNCAARhfO7+yKF4HAUfcHrsvlkrHM72NqPW4n79YBU4gT7PBhcEcQHYQ9wy
        BhidVF6Ru4ksP7atWIidjF4IQOfsvweWo28wbTAdBgNVHQ4EFgQUcgUzUwNrHkfs
        1MMfucqnyvh3Bs0wHwYDVR0jBBgwFoAUcgUzUwNrHkfs1MMfucqnyvh3Bs0wDwYD
        VR0TAQH/BAUwAwEB/zAaBgNVHREEEzARhwR/AAABgglsb2NhbGhvc3QwCgYIKoZI
        zj0EAwIDSAAwRQIhAM1jeRLo0ud3FzwRka21DfkiwRd3X5bEcYuDBEIBwew5AiBF
        WMhvBllXxQwmTPwaOVehKKuRuq1woM8LEbMwB6JKSA==
        -----END CERTIFICATE-----
        """
    static let privateKey = """
        -----BEGIN PRIVATE KEY-----
        MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgttsjNJwoB5Vc34Yj
        sK9/2uJSvbsahPUrb7wODGM6VBGhRANCAARhfO7+yKF4HAUfcHrsvlkrHM72NqPW
        4n79YBU4gT7PBhcEcQHYQ9wyBhidVF6Ru4ksP7atWIidjF4IQOfsvweW
        -----END PRIVATE KEY-----
        """

    @Test("an HTTPS origin is probed through TLS and gets no bad note")
    func https() async throws {
        let certificate = try NIOSSLCertificate(bytes: Array(Self.certificate.utf8), format: .pem)
        let key = try NIOSSLPrivateKey(bytes: Array(Self.privateKey.utf8), format: .pem)
        let router = Router(options: .autoGenerateHeadEndpoints)
        router.add(middleware: try ConditionalFileMiddleware<BasicRequestContext>(
            ServeStackTests.folder, configuration: .init(cacheControl: CacheControlRules([], default: "max-age=60"))
        ))
        let server = TLSConfiguration.makeServerConfiguration(certificateChain: [.certificate(certificate)], privateKey: .privateKey(key))
        let app = Application(router: router, server: try .tls(.http1(), tlsConfiguration: server))
        var trusting = TLSConfiguration.makeClientConfiguration()
        trusting.trustRoots = .certificates([certificate])
        let client = trusting
        let report = try await app.test(.live) { testClient in
            let url = "https://127.0.0.1:\(testClient.port!)/page.html"
            let fetcher = HTTPClientFetcher(target: try CheckTarget(url), timeout: .seconds(10), tlsConfiguration: client)
            let report = try await Checker.check(url: url, fetcher: fetcher, allowsUnsafeMethods: false)
            try await fetcher.shutdown()
            return report
        }
        #expect(report.notes(atLeast: .bad).isEmpty, "\(report.notes(atLeast: .warning))")
        for id in ["etag-strong", "inm-match-304", "ims-match-304", "range-206", "gzip-negotiated"] {
            #expect(report.note(id)?.level == .good, "missing good \(id)")
        }
    }
}
