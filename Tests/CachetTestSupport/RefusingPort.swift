#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A loopback port that refuses connections for as long as this value lives.
///
/// The socket is bound but never listens, so a connect gets ECONNREFUSED, and no other server
/// started meanwhile (by a test running in parallel) can take the port. A port freed by
/// shutting a server down gives no such promise: the kernel may hand it to the next bind.
public final class RefusingPort: @unchecked Sendable {
    public let port: Int
    private let descriptor: Int32

    /// Binds `port` (0: any free one). Asking for the port of a server just shut down holds
    /// it against reuse; SO_REUSEADDR then lets the bind succeed past that server's TIME_WAITs.
    public init(port: Int = 0) throws {
        #if canImport(Glibc)
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
        let fd = socket(AF_INET, SOCK_STREAM, 0)
        #endif
        guard fd >= 0 else { throw Failure(step: "socket", code: errno) }
        // Only for a given port: a bound, never listening socket with SO_REUSEADDR shares its
        // port with another test's server binding port 0, whose listen then fails (EADDRINUSE).
        if port != 0 {
            var on: Int32 = 1
            setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, socklen_t(MemoryLayout<Int32>.size))
        }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { address in
                bind(fd, address, length) == 0 && getsockname(fd, address, &length) == 0
            }
        }
        guard bound else {
            let code = errno
            close(fd)
            throw Failure(step: "bind", code: code)
        }
        descriptor = fd
        self.port = Int(UInt16(bigEndian: address.sin_port))
    }

    deinit { close(descriptor) }

    public struct Failure: Error, CustomStringConvertible {
        public let step: String
        public let code: Int32
        public var description: String { "\(step) failed with errno \(code)" }
    }
}
