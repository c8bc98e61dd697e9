import HTTPPreconditions

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The wall clock, to the second: request_time and response_time (RFC 9111 §4.2.3) and the
/// reference for judging a server's `Date`.
enum WallClock {
    static func now() -> HTTPDate {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return HTTPDate(secondsSince1970: Int64(spec.tv_sec))
    }
}
