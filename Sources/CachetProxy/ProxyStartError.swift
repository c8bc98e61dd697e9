import CachetStorage
import NIOCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Why the proxy could not start. Each description is one line an operator can act on.
public enum ProxyStartError: Error, Sendable, CustomStringConvertible {
    /// The `--disk` folder cannot be created, opened or written.
    case diskUnavailable(path: String, reason: DiskStoreError)
    /// The `--listen` address cannot be bound, e.g. "address already in use".
    case cannotListen(address: String, reason: String)
    /// The admin listener could not bind its address (in use, not local, …).
    case adminUnavailable(address: String, reason: String)
    /// The `--shared` URL does not parse.
    case invalidShared(url: String)

    public var description: String {
        switch self {
        case .diskUnavailable(let path, let reason): "cannot use --disk \(path): \(reason)"
        case .cannotListen(let address, let reason): "cannot listen on \(address): \(reason)"
        case .adminUnavailable(let address, let reason): "cannot listen on --admin \(address): \(reason)"
        case .invalidShared(let url): "invalid --shared \(url): redis://HOST:PORT or redis-cluster://HOST:PORT,HOST:PORT"
        }
    }

    /// The bind of `host:port` failed with `error`: the system's words for its errno (NIO's
    /// own description names the syscall and the descriptor, which tell an operator nothing).
    public static func listenFailure(host: String, port: Int, error: any Error) -> ProxyStartError {
        let address = host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
        let reason: String
        switch error {
        case let error as IOError:
            reason = String(cString: strerror(error.errnoCode)).lowercased()
        case let error as SocketAddressError:
            if case .unknown = error { reason = "unknown host" } else { reason = "\(error)" }
        default:
            reason = "\(error)"
        }
        return .cannotListen(address: address, reason: reason)
    }
}
