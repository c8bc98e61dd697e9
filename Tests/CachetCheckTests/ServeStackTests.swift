import CachetCheck
import CachetHummingbird
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

/// `cachet serve`'s stack — ConditionalFileMiddleware on a folder with a file and its .gz
/// sibling — must come out of `cachet check` with no bad note.
@Suite("cachet check against cachet serve")
struct ServeStackTests {
    static let folder: String = {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("cachet-check-\(UUID().uuidString)")
        try! FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let page = String(repeating: "<p>cachet check wants ranges, validators and a gzip sibling.</p>\n", count: 40)
        try! Data(page.utf8).write(to: folder.appendingPathComponent("page.html"))
        try! Data("GZIP-BYTES-OF-PAGE".utf8).write(to: folder.appendingPathComponent("page.html.gz"))
        return folder.path
    }()

    @Test("the file server gets no bad note")
    func fileServer() async throws {
        let router = Router(options: .autoGenerateHeadEndpoints)
        router.add(middleware: try ConditionalFileMiddleware<BasicRequestContext>(
            Self.folder, configuration: .init(cacheControl: CacheControlRules([], default: "max-age=60"))
        ))
        let app = Application(router: router)
        let report = try await app.test(.live) { client in
            try await check("http://localhost:\(client.port!)/page.html")
        }
        #expect(report.notes(atLeast: .bad).isEmpty)
        #expect(report.exitStatus == 0)
        for id in ["etag-strong", "inm-match-304", "inm-weak-match-304", "ims-match-304", "nm-clean", "if-match-wrong-412", "range-206", "if-range-match-206", "range-416", "gzip-negotiated", "head-get-agree"] {
            #expect(report.note(id)?.level == .good, "missing good \(id): \(report.notes(atLeast: .warning))")
        }
    }
}
