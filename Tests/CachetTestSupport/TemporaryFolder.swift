import Foundation

/// A fresh folder under the temporary directory, removed when `body` returns.
public func withTemporaryFolder<T>(_ body: (String) async throws -> T) async throws -> T {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("cachet-test-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: url) }
    return try await body(url.path)
}

/// The names of the files in a folder, sorted.
public func files(in folder: String) -> [String] {
    ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).sorted()
}

/// The disk store's entry files in a folder.
public func entryFiles(in folder: String) -> [String] {
    files(in: folder).filter { $0.hasSuffix(".entry") }
}
