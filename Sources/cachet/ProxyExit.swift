import ArgumentParser
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// How `cachet proxy` ends, for supervisors and scripts.
///
/// - 0: stopped by SIGTERM or SIGINT, every request in flight answered.
/// - 1: could not start (the `--disk` folder, the `--listen` address).
/// - 2: stopped, but the `--drain-timeout` bound passed and connections were cut.
/// - 64: a flag's value is invalid (as for ArgumentParser's own usage errors).
enum ProxyExit {
    static let cannotStart = ExitCode.failure
    static let drainCutShort = ExitCode(2)
    static let invalidFlag = ExitCode.validationFailure

    /// Prints `cachet proxy: <message>` as one line on stderr, unbuffered, and returns `code`
    /// to throw: an operator sees one line saying why, never a Swift error dump.
    static func fail(_ message: String, _ code: ExitCode) -> ExitCode {
        var line = "cachet proxy: \(message)\n"
        line.withUTF8 { bytes in _ = write(STDERR_FILENO, bytes.baseAddress, bytes.count) }
        return code
    }
}

/// A flag's value that `cachet proxy` cannot use; its description is the one line printed.
struct InvalidFlag: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
