/// Polls `condition` every 20 ms until it holds, for at most `seconds`: how a test waits for
/// something another process or task does, never with a bare sleep.
public func waitUntil(within seconds: Double = 10, _ what: String = "condition", _ condition: () async throws -> Bool) async throws {
    let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
    while ContinuousClock.now < deadline {
        if (try? await condition()) == true { return }
        try await Task.sleep(for: .milliseconds(20))
    }
    throw ConditionNotMet(description: "\(what) did not hold within \(seconds) s")
}

/// What ``waitUntil(within:_:_:)`` throws when time runs out.
public struct ConditionNotMet: Error, CustomStringConvertible {
    public var description: String
}
