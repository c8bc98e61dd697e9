import CachetTestSupport
import Foundation
import NIOConcurrencyHelpers
import NIOPosix

/// A `cachet proxy` child process and the port it reported.
struct ChildProxy {
    let process: ChildProcess
    let port: Int

    struct NoPort: Error, CustomStringConvertible {
        var output: String
        var description: String { "the proxy did not report a port; it printed: \(output)" }
    }

    struct StillRunning: Error, CustomStringConvertible {
        var description: String { "the proxy did not exit in time (killed)" }
    }

    /// Starts the executable and waits for its "listening on" line. With `keepErrors`, its
    /// stderr is kept for ``errorLines()`` (a few lines fit in the pipe without a reader).
    static func launch(_ executable: URL, arguments: [String], keepErrors: Bool = false) async throws -> ChildProxy {
        let process = try ChildProcess(executable.path, arguments: arguments, standardOutput: .pipe, standardError: keepErrors ? .pipe : .discard)
        // The read blocks its thread: a pool of its own, not the cooperative pool.
        let reader = NIOThreadPool(numberOfThreads: 1)
        reader.start()
        let output = process.standardOutput!
        let port = try await reader.runIfActive { () -> Int? in
            var text = ""
            while true {
                let chunk = output.availableData
                if chunk.isEmpty { break }  // the child ended
                text += String(decoding: chunk, as: UTF8.self)
                for line in text.split(separator: "\n") where line.hasPrefix("cachet proxy listening on http://") {
                    if let colon = line.lastIndex(of: ":"), let port = Int(line[line.index(after: colon)...]) { return port }
                }
            }
            return nil
        }
        try await reader.shutdownGracefully()
        guard let port else {
            process.terminate()
            throw NoPort(output: "")
        }
        return ChildProxy(process: process, port: port)
    }

    func sigkill() {
        process.signal(SIGKILL)
    }

    func sigterm() {
        process.signal(SIGTERM)
    }

    /// The exit status, once the child has exited; after `limit` it is killed and this throws.
    func exitStatus(within limit: Duration = .seconds(20)) async throws -> Int32 {
        let status = await withTaskGroup(of: Int32?.self) { group in
            group.addTask { await process.exitStatus() }
            group.addTask {
                // A guard against a hang, not a wait for time: the child normally ends first.
                try? await Task.sleep(for: limit)
                return nil
            }
            let first = await group.next() ?? nil
            if first == nil { sigkill() }
            group.cancelAll()
            return first
        }
        guard let status else { throw StillRunning() }
        return status
    }

    /// The lines the child wrote on stderr, once it has exited (needs `keepErrors`).
    func errorLines() -> [Substring] {
        guard let errors = process.standardError else { return [] }
        let text = String(decoding: errors.readDataToEndOfFile(), as: UTF8.self)
        return text.split(separator: "\n")
    }
}
