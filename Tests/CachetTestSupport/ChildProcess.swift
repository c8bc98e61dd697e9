import Foundation
import NIOConcurrencyHelpers

#if canImport(Glibc)
import Glibc
#endif

/// A child process started with `posix_spawn`, for tests.
///
/// Foundation's `Process.run()` lists `/proc/self/fd` in the parent to decide what the child
/// closes; with the whole test run opening and closing sockets on other threads meanwhile, it
/// crashed there (a memcpy past a buffer), and the runtime's backtracer then held the test
/// process for ten minutes. Here the child closes every descriptor above stderr itself
/// (`posix_spawn_file_actions_addclosefrom_np`), so the parent never lists them; and its exit
/// is awaited by `waitpid` on a thread of its own.
public final class ChildProcess: Sendable {
    /// Where one of the child's output streams goes.
    public enum Output: Sendable {
        /// `/dev/null`.
        case discard
        /// A pipe whose reading end the parent gets.
        case pipe
        /// Wherever the child's standard output goes (for standard error).
        case standardOutput
    }

    public let processIdentifier: pid_t
    /// The reading ends of the pipes, when asked for.
    public let standardOutput: FileHandle?
    public let standardError: FileHandle?
    private let state = NIOLockedValueBox<
        (status: Int32?, signaled: Bool, waiters: [CheckedContinuation<Int32, Never>], handler: (@Sendable (Int32) -> Void)?)
    >((nil, false, [], nil))

    /// How the child ended, as Foundation's `Process` says it.
    public enum TerminationReason: Sendable {
        case exit
        case uncaughtSignal
    }
    private let exited = ConditionLock(value: false)

    public struct SpawnError: Error, CustomStringConvertible {
        public var description: String
    }

    /// Starts `executable` with `arguments`; `terminationHandler` runs once it has exited.
    public init(
        _ executable: String, arguments: [String], standardOutput: Output = .discard, standardError: Output = .discard,
        terminationHandler: (@Sendable (Int32) -> Void)? = nil
    ) throws {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        var parentEnds: [Int32] = []
        var childEnds: [Int32] = []
        defer { childEnds.forEach { _ = close($0) } }

        func pipeEnds() throws -> (read: Int32, write: Int32) {
            var fds: [Int32] = [0, 0]
            guard pipe(&fds) == 0 else { throw SpawnError(description: "pipe: \(String(cString: strerror(errno)))") }
            // Other children close it anyway (closefrom); this keeps it from any other exec.
            for fd in fds { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
            parentEnds.append(fds[0])
            childEnds.append(fds[1])
            return (fds[0], fds[1])
        }
        var outputRead: Int32?
        switch standardOutput {
        case .discard, .standardOutput:
            posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        case .pipe:
            let ends = try pipeEnds()
            outputRead = ends.read
            posix_spawn_file_actions_adddup2(&actions, ends.write, 1)
        }
        var errorRead: Int32?
        switch standardError {
        case .discard:
            posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        case .standardOutput:
            posix_spawn_file_actions_adddup2(&actions, 1, 2)
        case .pipe:
            let ends = try pipeEnds()
            errorRead = ends.read
            posix_spawn_file_actions_adddup2(&actions, ends.write, 2)
        }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        guard Self.closeFrom(&actions, 3) == 0 else {
            parentEnds.forEach { _ = close($0) }
            throw SpawnError(description: "posix_spawn_file_actions_addclosefrom_np failed")
        }

        let argv: [UnsafeMutablePointer<CChar>?] = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let result = posix_spawn(&pid, executable, &actions, nil, argv, environ)
        guard result == 0 else {
            parentEnds.forEach { _ = close($0) }
            throw SpawnError(description: "cannot start \(executable): \(String(cString: strerror(result)))")
        }
        self.processIdentifier = pid
        self.standardOutput = outputRead.map { FileHandle(fileDescriptor: $0, closeOnDealloc: true) }
        self.standardError = errorRead.map { FileHandle(fileDescriptor: $0, closeOnDealloc: true) }
        state.withLockedValue { $0.handler = terminationHandler }

        let child = pid
        let thread = Thread { [self] in
            var status: Int32 = 0
            while waitpid(child, &status, 0) < 0, errno == EINTR {}
            // Exited: its code; killed: the signal's number (as Foundation's Process reports it).
            let signaled = status & 0x7f != 0
            let code = signaled ? status & 0x7f : (status >> 8) & 0xff
            let (waiters, handler) = state.withLockedValue { state in
                state.status = code
                state.signaled = signaled
                defer { state.waiters = [] }
                return (state.waiters, state.handler)
            }
            exited.lock()
            exited.unlock(withValue: true)
            waiters.forEach { $0.resume(returning: code) }
            handler?(code)
        }
        thread.start()
    }

    /// glibc's `posix_spawn_file_actions_addclosefrom_np` (2.34 and later), which Swift's
    /// Glibc module does not declare.
    private static func closeFrom(_ actions: UnsafeMutablePointer<posix_spawn_file_actions_t>, _ lowest: Int32) -> Int32 {
        typealias Function = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "posix_spawn_file_actions_addclosefrom_np") else { return -1 }
        return unsafeBitCast(symbol, to: Function.self)(actions, lowest)
    }

    public var isRunning: Bool { state.withLockedValue { $0.status == nil } }

    /// The exit code (or the signal that ended it); `nil` while it runs.
    public var terminationStatus: Int32? { state.withLockedValue { $0.status } }

    /// How it ended; `nil` while it runs.
    public var terminationReason: TerminationReason? {
        state.withLockedValue { $0.status == nil ? nil : $0.signaled ? .uncaughtSignal : .exit }
    }

    public func terminate() { signal(SIGTERM) }

    /// Sends `number` unless the child has been reaped (its pid may belong to another by then).
    public func signal(_ number: Int32) {
        if isRunning { _ = kill(processIdentifier, number) }
    }

    /// Blocks the calling thread until the child has exited; its status.
    @discardableResult
    public func waitUntilExit() -> Int32 {
        exited.lock(whenValue: true)
        exited.unlock()
        return terminationStatus ?? -1
    }

    /// The child's status once it has exited.
    public func exitStatus() async -> Int32 {
        await withCheckedContinuation { continuation in
            let now = state.withLockedValue { state -> Int32? in
                if let status = state.status { return status }
                state.waiters.append(continuation)
                return nil
            }
            if let now { continuation.resume(returning: now) }
        }
    }
}
