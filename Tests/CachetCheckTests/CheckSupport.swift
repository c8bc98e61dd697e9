import CachetCheck

/// Runs every probe against a URL with the real fetcher.
func check(_ url: String, unsafe: Bool = false) async throws -> CheckReport {
    let fetcher = HTTPClientFetcher(target: try CheckTarget(url), timeout: .seconds(10))
    do {
        let report = try await Checker.check(url: url, fetcher: fetcher, allowsUnsafeMethods: unsafe)
        try await fetcher.shutdown()
        return report
    } catch {
        try? await fetcher.shutdown()
        throw error
    }
}

/// Runs `body` with a broken origin's URL, shutting the origin down whatever happens.
func withOrigin<T>(_ defects: Set<BrokenOrigin.Defect> = [], _ body: (String, BrokenOrigin) async throws -> T) async throws -> T {
    let origin = BrokenOrigin(defects)
    let url = try await origin.start()
    do {
        let result = try await body(url, origin)
        try await origin.shutdown()
        return result
    } catch {
        try? await origin.shutdown()
        throw error
    }
}

extension CheckReport {
    /// The notes at or above a level, for failure messages.
    func notes(atLeast level: Note.Level) -> [String] {
        notes.filter { $0.level >= level }.map { "\($0.level.rawValue) \($0.id): \($0.detail ?? "")" }
    }

    func has(_ id: String, _ level: Note.Level) -> Bool {
        notes.contains { $0.id == id && $0.level == level }
    }
}
