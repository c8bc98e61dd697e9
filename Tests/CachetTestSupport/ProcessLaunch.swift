import Foundation

/// Starts a child process, one launch at a time in the whole test run.
///
/// Foundation's `Process.run()` lists `/proc/self/fd` to close descriptors in the child; with
/// thousands of descriptors open (every suite runs at once) and several launches at the same
/// moment, it crashed inside that listing, and the runtime's backtracer then hung the whole
/// test process. Launches are rare and quick, so serialising them costs nothing.
public func launch(_ process: Process) throws {
    try launchLock.withLock { try process.run() }
}

private let launchLock = NSLock()
