import NIOCore

/// The wait before the next connect attempt after `failures` consecutive failures:
/// exponential, capped, with "equal jitter" (half fixed, half random) so that many nodes that
/// lost Redis at the same moment do not all come back at the same moment.
struct ReconnectBackoff: Sendable {
    var initial: TimeAmount
    var maximum: TimeAmount

    func delay(afterFailures failures: Int, random: Double = Double.random(in: 0...1)) -> TimeAmount {
        let exponent = min(max(failures - 1, 0), 30)
        let full = min(initial.nanoseconds.multipliedReportingOverflow(by: Int64(1) << exponent).overflow ? maximum.nanoseconds : initial.nanoseconds << exponent, maximum.nanoseconds)
        let half = full / 2
        return .nanoseconds(half + Int64(Double(full - half) * random))
    }
}
