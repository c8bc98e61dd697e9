import CachetStorage

/// Why the proxy could not start.
public enum ProxyStartError: Error, Sendable, CustomStringConvertible {
    /// The `--disk` folder cannot be created, opened or written.
    case diskUnavailable(path: String, reason: DiskStoreError)
    /// The admin listener could not bind its address (in use, not local, …).
    case adminUnavailable(address: String, reason: String)

    public var description: String {
        switch self {
        case .diskUnavailable(let path, let reason): "cannot use --disk \(path): \(reason)"
        case .adminUnavailable(let address, let reason): "cannot listen on --admin \(address): \(reason)"
        }
    }
}
