import HTTPPreconditions
import NIOConcurrencyHelpers
import NIOPosix

/// The `Date` field value, formatted once per second rather than once per response.
///
/// Each event loop thread keeps its own copy, so a hit never takes a lock shared with other
/// loops to read it.
final class DateFieldCache: @unchecked Sendable {
    private let clock: any ProxyClock
    private let cached = ThreadSpecificVariable<Box>()

    private final class Box {
        var second: Int64 = .min
        var value: String = ""
    }

    init(clock: any ProxyClock) {
        self.clock = clock
    }

    /// The current time and its IMF-fixdate form.
    func current() -> (HTTPDate, String) {
        let now = clock.now()
        let box: Box
        if let existing = cached.currentValue {
            box = existing
        } else {
            box = Box()
            cached.currentValue = box
        }
        if box.second != now.secondsSince1970 {
            box.second = now.secondsSince1970
            box.value = now.imfFixdate
        }
        return (now, box.value)
    }
}
