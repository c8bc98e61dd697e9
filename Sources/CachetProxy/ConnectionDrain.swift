/// The middle of a shutdown: the listener is closed, connections have been asked to finish;
/// wait for them and for the requests in flight, but no longer than the bound.
enum ConnectionDrain {
    static func run(connections: ConnectionRegistry, flow: RequestFlow, bound: Duration?) async -> DrainOutcome {
        let finished: @Sendable () async -> Void = {
            await connections.waitUntilEmpty()
            // A client may have its whole response before its request's work ends.
            await flow.requests.drain()
            await flow.background.drain()
        }
        guard let bound else {
            await finished()
            return .drained
        }
        return await withTaskGroup(of: Bool.self) { group in
            group.addTask {
                await finished()
                return true
            }
            group.addTask {
                // The proxy's own timer; cancelled as soon as the drain finishes first.
                try? await Task.sleep(for: bound)
                return false
            }
            let drainedInTime = await group.next() ?? true
            group.cancelAll()
            if drainedInTime { return .drained }
            // Out of time: cut what is left. Cancelled requests stop waiting on the origin,
            // so `finished` ends and the group can return.
            let cut = connections.closeAll()
            let running = flow.requests.count + flow.background.count
            flow.requests.cancelAll()
            flow.background.cancelAll()
            // A bound of 0 with nothing in flight loses the race without cutting anything.
            return cut == 0 && running == 0 ? .drained : .cutShort(connections: cut)
        }
    }
}
