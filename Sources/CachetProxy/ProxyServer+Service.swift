import ServiceLifecycle

/// `cachet proxy` runs the server in a `ServiceGroup`: its `run()` serves until graceful
/// shutdown (SIGTERM, SIGINT) and returns once the drain is over.
extension ProxyServer: Service {}
