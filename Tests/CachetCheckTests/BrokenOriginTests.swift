import CachetCheck
import Testing

/// Each defect of the broken origin, alone, must produce its named note.
@Suite("cachet check against a broken origin")
struct BrokenOriginTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var defect: BrokenOrigin.Defect
        var id: String
        var level: Note.Level
        var testDescription: String { "\(defect.rawValue) → \(id) (\(level.rawValue))" }
    }

    static let cases: [Case] = [
        Case(defect: .ignoresValidators, id: "inm-match-ignored", level: .bad),
        Case(defect: .ignoresValidators, id: "ims-ignored", level: .warning),
        Case(defect: .notModifiedWithBody, id: "nm-has-body", level: .bad),
        Case(defect: .weakETagOnRanges, id: "if-range-weak-206", level: .bad),
        Case(defect: .weakETagOnRanges, id: "range-weak-etag", level: .warning),
        Case(defect: .notModifiedWithoutVary, id: "nm-missing-vary", level: .bad),
        Case(defect: .gzipWithoutVary, id: "gzip-without-vary", level: .bad),
        Case(defect: .ignoresIfMatch, id: "if-match-ignored", level: .bad),
        Case(defect: .readsFirstTagOnly, id: "inm-list-ignored", level: .bad),
        Case(defect: .strongComparisonForINM, id: "inm-weak-match-ignored", level: .bad),
        Case(defect: .modifiedSinceDespiteINM, id: "ims-evaluated-despite-inm", level: .bad),
        Case(defect: .sameETagForGzip, id: "gzip-same-etag", level: .bad),
        Case(defect: .lastModifiedInFuture, id: "last-modified-future", level: .bad),
        Case(defect: .setsCookie, id: "set-cookie-cacheable", level: .warning),
        Case(defect: .notModifiedWithContentType, id: "nm-representation-fields", level: .warning),
        Case(defect: .notModifiedContentLength, id: "nm-content-length-differs", level: .bad),
        Case(defect: .ifRangeIgnored, id: "if-range-mismatch-206", level: .bad),
        Case(defect: .headWithoutETag, id: "head-get-mismatch", level: .warning),
        Case(defect: .unsatisfiableWithoutContentRange, id: "range-416-missing-content-range", level: .warning),
        Case(defect: .ignoresIfUnmodifiedSince, id: "ius-ignored", level: .warning),
    ]

    @Test("every defect is covered by a case")
    func everyDefectCovered() {
        #expect(Set(Self.cases.map(\.defect)) == Set(BrokenOrigin.Defect.allCases))
    }

    @Test("a defect gives its note", arguments: cases)
    func defectGivesNote(_ testCase: Case) async throws {
        let report = try await withOrigin([testCase.defect]) { url, _ in try await check(url) }
        #expect(report.has(testCase.id, testCase.level), "notes: \(report.notes(atLeast: .info))")
        let expectedStatus: Int32 = report.notes.contains { $0.level == .bad } ? 1 : 0
        #expect(report.exitStatus == expectedStatus)
    }

    @Test("the origin without defects gets only good and info notes, and the good ones it earns")
    func correctOrigin() async throws {
        let report = try await withOrigin { url, origin in
            let report = try await check(url)
            #expect(Set(origin.receivedMethods).isSubset(of: ["GET", "HEAD"]), "no unsafe method without --unsafe")
            return report
        }
        #expect(report.notes(atLeast: .warning).isEmpty)
        #expect(report.exitStatus == 0)
        for id in [
            "status-ok", "etag-strong", "last-modified-present", "freshness-shared", "freshness-private", "head-get-agree",
            "inm-match-304", "inm-list-304", "inm-star-304", "inm-weak-match-304", "inm-mismatch-200",
            "ims-match-304", "ims-older-200", "inm-wins-over-ims", "nm-clean",
            "if-match-200", "if-match-wrong-412", "ius-old-412", "if-match-wins-over-ius",
            "range-206", "range-suffix-206", "if-range-match-206", "if-range-mismatch-200", "range-416",
            "gzip-negotiated",
        ] {
            #expect(report.note(id) != nil, "missing \(id)")
        }
        #expect(report.note("no-cache-seen") != nil)
        #expect(report.note("unsafe-skipped")?.level == .info)
    }

    @Test("--unsafe sends a PUT whose preconditions fail: 412 from a correct origin")
    func unsafeCorrect() async throws {
        let report = try await withOrigin { url, origin in
            let report = try await check(url, unsafe: true)
            #expect(origin.receivedMethods.contains("PUT"))
            return report
        }
        #expect(report.has("unsafe-if-match-412", .good))
        #expect(report.has("unsafe-ius-412", .good))
    }

    @Test("--unsafe reports a write applied despite a failing If-Match")
    func unsafeIgnored() async throws {
        let report = try await withOrigin([.ignoresIfMatch]) { url, _ in try await check(url, unsafe: true) }
        #expect(report.has("unsafe-if-match-ignored", .bad))
    }
}
