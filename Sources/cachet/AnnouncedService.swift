import ServiceLifecycle

/// A service that says it is running once its group has started it. A `ServiceGroup` traps
/// its shutdown signals before it starts any service, so whoever waits for the "listening"
/// line may send SIGTERM at once: it drains instead of killing the process.
struct AnnouncedService: Service {
    let base: any Service
    let announce: @Sendable () -> Void

    init(_ base: any Service, announce: @escaping @Sendable () -> Void) {
        self.base = base
        self.announce = announce
    }

    func run() async throws {
        announce()
        try await base.run()
    }
}
