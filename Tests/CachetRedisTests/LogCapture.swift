import Logging
import NIOConcurrencyHelpers

/// Collects log messages, to count the client's state-change lines.
final class LogCapture: Sendable {
    private let messages = NIOLockedValueBox<[(Logger.Level, String)]>([])

    var logger: Logger {
        Logger(label: "test.redis") { _ in Handler(capture: self) }
    }

    func count(_ message: String) -> Int {
        messages.withLockedValue { $0.filter { $0.1 == message }.count }
    }

    var all: [String] {
        messages.withLockedValue { $0.map { "\($0.0) \($0.1)" } }
    }

    private struct Handler: LogHandler {
        let capture: LogCapture
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            capture.messages.withLockedValue { $0.append((event.level, "\(event.message)")) }
        }
    }
}
