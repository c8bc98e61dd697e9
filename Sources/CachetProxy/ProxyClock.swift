import HTTPPreconditions
import NIOConcurrencyHelpers

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Where the proxy reads the time. Every policy decision takes `now` from here, so tests drive
/// time by hand instead of sleeping.
public protocol ProxyClock: Sendable {
    /// The current time, to the second.
    func now() -> HTTPDate
}

/// The system's wall clock.
public struct SystemClock: ProxyClock {
    public init() {}

    public func now() -> HTTPDate {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return HTTPDate(secondsSince1970: Int64(spec.tv_sec))
    }
}

/// A clock that moves only when told to: for tests and simulations.
public final class ManualClock: ProxyClock {
    private let current: NIOLockedValueBox<HTTPDate>

    public init(_ start: HTTPDate) {
        self.current = NIOLockedValueBox(start)
    }

    public func now() -> HTTPDate {
        current.withLockedValue { $0 }
    }

    /// Moves the clock forward.
    public func advance(seconds: Int64) {
        current.withLockedValue { $0 = $0.adding(seconds: seconds) }
    }

    /// Sets the clock.
    public func set(_ date: HTTPDate) {
        current.withLockedValue { $0 = date }
    }
}
