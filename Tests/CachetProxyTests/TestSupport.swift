import NIOConcurrencyHelpers

struct ConditionTimedOut: Error {}

/// Yields until `condition` holds; fails after `limit` of wall time so a broken test cannot hang.
func eventually(within limit: Duration = .seconds(10), _ condition: () -> Bool) async throws {
    let deadline = ContinuousClock.now + limit
    while !condition() {
        if ContinuousClock.now > deadline { throw ConditionTimedOut() }
        await Task.yield()
    }
}
