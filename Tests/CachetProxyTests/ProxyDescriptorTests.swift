import CachetTestSupport
import Foundation
import NIOCore
import Testing

@testable import CachetProxy

/// No leaked connections or descriptors around origin faults (issue 10): the real `cachet`
/// executable runs in front of the faulty origin, every fault is played three times, and the
/// child's open descriptors (`/proc/PID/fd`) are counted before, after one round and after
/// three. Counting a child process keeps the test process's own clients, threads and files
/// out of the figures.
@Suite("Proxy descriptors around origin faults", .enabled(if: FileManager.default.fileExists(atPath: "/proc/self/fd")))
struct ProxyDescriptorTests {
    static func descriptors(_ pid: Int32) -> Int {
        (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd").count) ?? -1
    }

    /// Polls until the child holds at most `limit` descriptors (connections close
    /// asynchronously after an answer), for at most about five seconds; returns the last count.
    static func settle(_ pid: Int32, atMost limit: Int) async throws -> Int {
        var count = descriptors(pid)
        for _ in 0..<100 where count > limit {
            try await Task.sleep(for: .milliseconds(50))
            count = descriptors(pid)
        }
        return count
    }

    @Test("every origin fault, three rounds: the descriptor count comes back to where it was")
    func noLeaks() async throws {
        let faults = ProxyOriginFaultTests.faults
        // /fN plays fault N on its first request of each round, then answers well.
        let origin = FaultyOrigin { head, _ in
            guard let start = head.range(of: "GET /f"), let end = head[start.upperBound...].firstIndex(of: "?"),
                let index = Int(head[start.upperBound..<end])
            else { return [.send(ProxyOriginFaultTests.good)] }
            return head.contains("?fault") ? faults[index].steps : [.send(ProxyOriginFaultTests.good)]
        }
        let originPort = try await origin.start()
        let child = try await ChildProxy.launch(
            try ProxyDiskTests.cachetExecutable(),
            arguments: [
                "proxy", "--listen", "127.0.0.1:0", "--admin", "127.0.0.1:0", "--origin", "http://127.0.0.1:\(originPort)", "--threads", "2",
                "--connect-timeout", "2", "--first-byte-timeout", "1", "--idle-timeout", "1",
            ]
        )
        defer { child.sigkill() }
        let pid = child.process.processIdentifier

        func round(_ number: Int) async throws {
            for index in faults.indices {
                // Each exchange on its own connection, closed after it: client sockets do not linger.
                let faulty = try await RawConnection.exchange(
                    port: child.port, "GET /f\(index)?fault\(number) HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
                )
                #expect(faulty.isEmpty || faulty.hasPrefix("HTTP/1.1 "), "\(faults[index].name): \(faulty.prefix(80))")
                let good = try await RawConnection.exchange(
                    port: child.port, "GET /f\(index)?good\(number) HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
                )
                #expect(good.hasPrefix("HTTP/1.1 200 OK\r\n") && good.hasSuffix("good"), "\(faults[index].name): \(good.prefix(80))")
            }
        }

        // A first good exchange opens what the proxy keeps (an origin connection in its pool).
        _ = try await RawConnection.exchange(port: child.port, "GET /warm?good HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        let before = try await Self.settle(pid, atMost: 0)
        try await round(1)
        let afterOne = try await Self.settle(pid, atMost: before)
        try await round(2)
        try await round(3)
        let afterThree = try await Self.settle(pid, atMost: before)
        print("cachet proxy descriptors: before \(before), after one round of \(faults.count) faults \(afterOne), after three \(afterThree)")
        // At most the pool's idle origin connections beyond the first, never one per fault.
        #expect(afterOne <= before + 2, "before \(before), after one round \(afterOne)")
        #expect(afterThree <= afterOne, "after one round \(afterOne), after three \(afterThree)")
        child.process.terminate()
        child.process.waitUntilExit()
        try await origin.stop()
    }
}
