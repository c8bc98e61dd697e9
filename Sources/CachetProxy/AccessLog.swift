import Logging
import NIOCore

/// The access log: one line per request at `.info` on its logger (`cachet.access`):
/// method, target, status, cache outcome, duration, body bytes sent.
///
/// ```
/// GET /a 200 hit 0.041ms 5B
/// ```
///
/// When the logger's level is above `.info` nothing is measured or formatted: the fast
/// path pays one level check.
struct AccessLog: Sendable {
    let logger: Logger

    /// No access log (connection handlers built by tests).
    static let off = AccessLog(logger: Logger(label: "cachet.access") { _ in SwiftLogNoOpLogHandler() })

    /// Whether lines are written; checked before the clock is read.
    @inline(__always)
    var isEnabled: Bool { logger.logLevel <= .info }

    /// The start of a request, when lines are written.
    @inline(__always)
    func start() -> NIODeadline? {
        isEnabled ? .now() : nil
    }

    func log(method: String, target: String, record: ResponseRecord?, started: NIODeadline?) {
        guard let started else { return }
        let micros = max((NIODeadline.now() - started).nanoseconds / 1000, 0)
        let fraction = micros % 1000
        let milliseconds = "\(micros / 1000).\(fraction < 10 ? "00" : fraction < 100 ? "0" : "")\(fraction)ms"
        let status = record.map { String($0.status) } ?? "-"
        let outcome = record?.outcome.rawValue ?? "-"
        let bytes = record?.bytes ?? 0
        logger.info("\(method) \(target) \(status) \(outcome) \(milliseconds) \(bytes)B")
    }
}
