import HTTPTypes
import NIOCore
import Testing

@testable import CachetProxy

/// Every way an origin breaks (issue 10): what the client gets, and that nothing wrong is
/// stored — the next request gets the origin's good answer, and the one after it is a hit.
@Suite("Proxy against faulty origins")
struct ProxyOriginFaultTests {
    enum First: Sendable {
        /// The client gets this status.
        case status(Int)
        /// The client's connection is cut (or it gets a 502 when nothing was sent yet).
        case cut
        /// The client gets a 200 with this body, which is stored.
        case stored(String)
    }

    struct Fault: Sendable, CustomTestStringConvertible {
        let name: String
        let steps: [FaultyOrigin.Step]
        let first: First
        var testDescription: String { name }
        init(_ name: String, _ steps: [FaultyOrigin.Step], _ first: First) {
            self.name = name
            self.steps = steps
            self.first = first
        }
    }

    static let date = ProxyHarness.start.imfFixdate
    static let good = "HTTP/1.1 200 OK\r\nDate: \(date)\r\nCache-Control: max-age=60\r\nETag: \"g\"\r\nContent-Length: 4\r\n\r\ngood"
    static func head(_ fields: String) -> String { "HTTP/1.1 200 OK\r\nDate: \(date)\r\nCache-Control: max-age=60\r\n\(fields)\r\n" }

    static let faults: [Fault] = [
        Fault("reset before any byte → 502", [.reset], .status(502)),
        Fault("closed before any byte → 502", [.close], .status(502)),
        Fault("accepted, then silence → 504 (first-byte timeout)", [.silence], .status(504)),
        Fault("reset in the middle of the header section → 502", [.send("HTTP/1.1 200 OK\r\nContent-Le"), .reset], .status(502)),
        Fault("closed in the middle of the header section → 502", [.send("HTTP/1.1 200 OK\r\nDate: x"), .close], .status(502)),
        Fault("reset in the middle of the body", [.send(head("Content-Length: 100\r\n") + "0123456789"), .pause(.milliseconds(5)), .reset], .cut),
        Fault("body shorter than Content-Length, then close", [.send(head("Content-Length: 100\r\n") + "0123456789"), .close], .cut),
        Fault("chunked body without its last chunk, then close", [.send(head("Transfer-Encoding: chunked\r\n") + "a\r\n0123456789\r\n"), .close], .cut),
        Fault("header section, then silence → idle timeout", [.send(head("Content-Length: 100\r\n")), .silence], .cut),
        Fault("part of the body, then silence → idle timeout", [.send(head("Content-Length: 100\r\n") + "0123456789"), .silence], .cut),
        Fault(
            "503 without freshness is passed on and not stored",
            [.send("HTTP/1.1 503 Service Unavailable\r\nDate: \(date)\r\nContent-Length: 4\r\n\r\ndown")],
            .status(503)
        ),
        Fault(
            "a slow trickle within the idle timeout is delivered and stored whole",
            [.send(head("Content-Length: 30\r\n"))]
                + (0..<3).flatMap { i in [FaultyOrigin.Step.pause(.milliseconds(20)), .send("trickle\(i)..")] },
            .stored("trickle0..trickle1..trickle2..")
        ),
        Fault(
            "a 304 with a body to an unconditional request → 502, never a 304 to a client that did not ask",
            [.send("HTTP/1.1 304 Not Modified\r\nDate: \(date)\r\nETag: \"g\"\r\nContent-Length: 5\r\n\r\nhello")],
            .status(502)
        ),
        Fault(
            "a 304 to an unconditional request → 502",
            [.send("HTTP/1.1 304 Not Modified\r\nDate: \(date)\r\nETag: \"g\"\r\n\r\n")],
            .status(502)
        ),
        Fault("an absurdly large response field → 502", [.send(head("X-Big: \(String(repeating: "z", count: 200_000))\r\nContent-Length: 4\r\n") + "good")], .status(502)),
        Fault("an invalid status line → 502", [.send("HTTP/1.1 abc\r\n\r\n")], .status(502)),
        Fault("not HTTP at all → 502", [.send("SSH-2.0-OpenSSH_9.2\r\n"), .close], .status(502)),
        Fault(
            "Content-Length and Transfer-Encoding together → 502 (response smuggling)",
            [.send(head("Content-Length: 4\r\nTransfer-Encoding: chunked\r\n") + "0\r\n\r\n")],
            .status(502)
        ),
        Fault(
            "two different Content-Lengths → 502",
            [.send(head("Content-Length: 4\r\nContent-Length: 5\r\n") + "good!")],
            .status(502)
        ),
    ]

    @Test(arguments: faults)
    func fault(_ fault: Fault) async throws {
        let origin = FaultyOrigin { _, count in count == 1 ? fault.steps : [.send(Self.good)] }
        let originPort = try await origin.start()
        let h = try await ProxyHarness.make { configuration in
            configuration.defaultOrigin = OriginAddress("http://127.0.0.1:\(originPort)")
            // Short timeouts only where the fault is a silence, so a loaded machine cannot turn
            // the other faults into timeouts.
            let silent = fault.steps.contains { if case .silence = $0 { return true } else { return false } }
            let wait: TimeAmount = silent ? .seconds(2) : .seconds(10)
            configuration.originTimeouts = OriginTimeouts(connect: .seconds(10), firstByte: wait, idle: wait)
        }

        let first: Result<Received, any Error>
        do { first = .success(try await h.get("/f")) } catch { first = .failure(error) }
        switch (fault.first, first) {
        case (.status(let status), .success(let response)):
            #expect(response.status == status, "\(response.headers)")
            if status >= 500, status != 503 { #expect(response["Content-Type"] == "text/plain; charset=utf-8") }
        case (.cut, .failure):
            break
        case (.cut, .success(let response)):
            // Nothing had reached the client yet: it gets a clear error instead.
            #expect([502, 504].contains(response.status), "\(response.status) \(response.body.prefix(100))")
        case (.stored(let body), .success(let response)):
            #expect(response.status == 200 && response.body == body)
        default:
            Issue.record("unexpected first answer: \(first)")
        }

        // Nothing wrong stored: the next request reaches the origin (unless the first answer
        // was good and stored), and the one after it is a hit with the same body.
        let second = try await h.get("/f")
        let third = try await h.get("/f")
        switch fault.first {
        case .stored(let body):
            #expect(second.body == body && second["X-Cache"] == "HIT")
            #expect(origin.requests.count == 1)
        default:
            #expect(second.status == 200 && second.body == "good", "\(second.status) \(second.body.prefix(100))")
            #expect(second["X-Cache"] == "MISS")
            #expect(origin.requests.count >= 2)
        }
        #expect(third.body == second.body && third["X-Cache"] == "HIT")
        try await h.shutdown()
        try await origin.stop()
    }
}
