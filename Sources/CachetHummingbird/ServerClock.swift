import HTTPPreconditions

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The server's clock, read once per request: the response's `Date` is within the same
/// second, which is what decides whether `Last-Modified` is a strong validator
/// (RFC 9110 §8.8.2.2).
enum ServerClock {
    static func now() -> HTTPDate {
        HTTPDate(secondsSince1970: Int64(time(nil)))
    }
}
