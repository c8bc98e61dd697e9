import ArgumentParser
import CachetProxy

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `cachet purge URL`: removes a URL, or every response with given surrogate keys, from a
/// running `cachet proxy`.
struct PurgeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "purge",
        abstract: "Remove a URL (all its variants), or every response with given surrogate keys, from a running cachet proxy.",
        discussion: """
            The URL names the proxy and the path as clients request it. Exit status: 0 when the
            proxy purged (even nothing), 1 when it refused (403) or answered otherwise, 2 when it
            could not be reached.

            Examples:
              cachet purge http://127.0.0.1:8080/articles/42
              cachet purge http://127.0.0.1:8080/ --key article-42 --key front-page
              cachet purge http://127.0.0.1:8080/styles.css --soft
              cachet purge http://cache.internal:8080/ --key product-7 --token "$CACHET_PURGE_TOKEN"
            """
    )

    @Argument(help: "The URL to purge, through the proxy (http://HOST:PORT/path).")
    var url: String

    @Option(name: .customLong("key"), help: ArgumentHelp("A surrogate key to purge instead of the URL (repeatable).", valueName: "key"))
    var keys: [String] = []

    @Flag(help: "Mark the responses stale (revalidated on next use, still usable for stale-if-error) instead of removing them.")
    var soft = false

    @Option(help: "The proxy's purge token (--purge-token), for clients outside its allowed networks.")
    var token: String?

    func run() async throws {
        let outcome: PurgeClient.Outcome
        do {
            outcome = try await PurgeClient.purge(url: url, surrogateKeys: keys, soft: soft, token: token)
        } catch {
            Self.printError("cachet purge: cannot reach \(url): \(error)")
            throw ExitCode(2)
        }
        guard outcome.status == 200 else {
            Self.printError("cachet purge: the proxy answered \(outcome.status): \(outcome.message.split(separator: "\n").first ?? "")")
            throw ExitCode(1)
        }
        print(outcome.message, terminator: outcome.message.hasSuffix("\n") ? "" : "\n")
    }

    static func printError(_ line: String) {
        var message = line + "\n"
        message.withUTF8 { bytes in _ = write(STDERR_FILENO, bytes.baseAddress, bytes.count) }
    }
}
