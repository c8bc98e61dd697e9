import ArgumentParser

/// The `cachet` command: HTTP caching and 304 Not Modified, done completely.
@main
struct Cachet: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cachet",
        abstract: "HTTP validators, conditional requests and caching: an RFC 9111 caching proxy, a static file server and a checker.",
        version: CachetVersion.current,
        subcommands: [ProxyCommand.self, ServeCommand.self, CheckCommand.self, PurgeCommand.self]
    )
}

enum CachetVersion {
    static let current = "0.1.0"
}
