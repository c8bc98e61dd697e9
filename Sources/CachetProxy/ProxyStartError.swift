import CachetStorage

/// Why the proxy could not start.
public enum ProxyStartError: Error, Sendable, CustomStringConvertible {
    /// The `--disk` folder cannot be created, opened or written.
    case diskUnavailable(path: String, reason: DiskStoreError)

    public var description: String {
        switch self {
        case .diskUnavailable(let path, let reason): "cannot use --disk \(path): \(reason)"
        }
    }
}
