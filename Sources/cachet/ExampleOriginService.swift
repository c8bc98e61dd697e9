import CachetProxy
import ServiceLifecycle

/// The bundled example origin (`--example-origin`) as a service of `cachet proxy`'s group.
/// It is listed before the proxy, so a graceful shutdown stops it after the proxy has
/// drained: requests in flight can still reach it.
struct ExampleOriginService: Service {
    let server: SimpleOriginServer

    func run() async throws {
        // The server runs on its own threads; this service only stops it. Cancellation ends
        // the wait as well as a graceful shutdown does.
        try? await gracefulShutdown()
        try await server.shutdown()
    }
}
