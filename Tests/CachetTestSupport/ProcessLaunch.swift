import Foundation

/// Starts a child process, one launch at a time in the whole test run.
///
/// Foundation's `Process.run()` lists `/proc/self/fd` to close descriptors in the child, on
/// the calling thread's stack; with thousands of descriptors open (every suite runs at once) it
/// crashed there on a thread with a small stack, and the runtime's backtracer then hung the
/// whole test process. Call it from threads with a full-size stack; launches are also kept to
/// one at a time, which costs nothing since they are rare and quick.
public func launch(_ process: Process) throws {
    try launchLock.withLock { try process.run() }
}

private let launchLock = NSLock()
