import Foundation

/// Whether the tests against a real server run: when `redis-server` is installed, or on CI
/// (`CI=true`), where a missing server must fail the run rather than skip it. A suite says
/// `.enabled(if: RedisAvailability.enabled, Comment(rawValue: RedisAvailability.reason))`
/// (this module does not import Testing: the disk torture program links it too).
public enum RedisAvailability {
    public static let serverPath = executable("redis-server")
    public static let cliPath = executable("redis-cli")
    public static let enabled = serverPath != nil || ProcessInfo.processInfo.environment["CI"] == "true"
    public static let reason = "redis-server is not installed (apt-get install redis-server); with CI=true these tests run and fail instead of being skipped"

    public static func executable(_ name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        let folders = path.split(separator: ":").map(String.init) + ["/usr/sbin", "/usr/local/bin"]
        return folders
            .map { "\($0)/\(name)" }
            .first { FileManager.default.isExecutableFile(atPath: $0) }
    }
}
