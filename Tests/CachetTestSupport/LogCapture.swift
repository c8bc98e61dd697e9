import Logging
import NIOConcurrencyHelpers

/// Keeps what is logged through its loggers, for tests that count log lines.
public final class LogCapture: Sendable {
    private let records = NIOLockedValueBox<[(level: Logger.Level, message: String)]>([])

    public init() {}

    /// A logger writing here, from `level` up.
    public func logger(label: String = "test", level: Logger.Level = .trace) -> Logger {
        var logger = Logger(label: label) { _ in Handler(capture: self) }
        logger.logLevel = level
        return logger
    }

    /// A logger writing here at every level.
    public var logger: Logger { logger() }

    /// The messages, in order.
    public var messages: [String] { records.withLockedValue { $0.map(\.message) } }

    /// The messages with their levels, as "level message".
    public var all: [String] { records.withLockedValue { $0.map { "\($0.level) \($0.message)" } } }

    /// How many messages are exactly `message`.
    public func count(_ message: String) -> Int {
        records.withLockedValue { $0.filter { $0.message == message }.count }
    }

    /// How many messages at `level` contain `text`.
    public func count(_ level: Logger.Level, containing text: String) -> Int {
        records.withLockedValue { $0.filter { $0.level == level && $0.message.contains(text) }.count }
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
            capture.records.withLockedValue { $0.append((event.level, "\(event.message)")) }
        }
    }
}
