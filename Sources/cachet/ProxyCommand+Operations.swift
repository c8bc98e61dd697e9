import CachetProxy
import Logging

/// `cachet proxy`'s operations flags: `--log-level` and `--admin`.
extension ProxyCommand {
    /// Sends every logger to standard error at `level` (the access log is `cachet.access` at
    /// `.info`). Only the executable bootstraps logging; the libraries take loggers.
    static func bootstrapLogging(level name: String) throws {
        guard let level = Logger.Level(rawValue: name.lowercased()) else {
            let names = Logger.Level.allCases.map(\.rawValue).joined(separator: ", ")
            throw InvalidFlag("invalid --log-level \(name): expected one of \(names)")
        }
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
    }

    /// `HOST:PORT`, or `nil` for `off`.
    static func adminAddress(_ value: String) throws -> ListenAddress? {
        if value.lowercased() == "off" { return nil }
        guard let (host, port) = try? hostAndPort(value) else {
            throw InvalidFlag("invalid --admin \(value): expected HOST:PORT with a port from 0 to 65535, or off")
        }
        return ListenAddress(host: host, port: port)
    }
}
