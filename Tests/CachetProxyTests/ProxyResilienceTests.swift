import CachetTestSupport
import HTTPTypes
import NIOCore
import Testing

@testable import CachetProxy

/// Coalescing, serving stale, and what the proxy does when the origin misbehaves.
@Suite("Proxy coalescing, stale content and origin faults")
struct ProxyResilienceTests {
    @Test("N concurrent clients for one key: the origin receives exactly one request")
    func coalescing() async throws {
        let h = try await ProxyHarness.make()
        let gate = Gate()
        h.origin.route("/c") { _, _ in
            await gate.wait()
            return h.origin.ok("shared", [(.cacheControl, "max-age=60")])
        }
        let clients = 20
        try await withThrowingTaskGroup(of: Received.self) { group in
            for _ in 0..<clients { group.addTask { try await h.get("/c") } }
            try await eventually { h.origin.count("/c") == 1 && h.proxy.coalescedWaiters == clients - 1 }
            gate.open()
            var hits = 0
            for try await response in group {
                #expect(response.status == 200)
                #expect(response.body == "shared")
                if response["Cache-Status"]?.contains("collapsed") == true { hits += 1 }
            }
            #expect(hits == clients - 1)
        }
        #expect(h.origin.count("/c") == 1)
        try await h.shutdown()
    }

    @Test("a response that turns out private sends the waiters to the origin themselves")
    func coalescingNotShareable() async throws {
        let h = try await ProxyHarness.make()
        let gate = Gate()
        h.origin.route("/p") { _, count in
            if count == 1 { await gate.wait() }
            return h.origin.ok("mine \(count)", [(.cacheControl, "private, max-age=60")])
        }
        try await withThrowingTaskGroup(of: Received.self) { group in
            for _ in 0..<3 { group.addTask { try await h.get("/p") } }
            try await eventually { h.origin.count("/p") == 1 && h.proxy.coalescedWaiters == 2 }
            gate.open()
            var bodies = Set<String>()
            for try await response in group { bodies.insert(response.body) }
            #expect(bodies == ["mine 1", "mine 2", "mine 3"])
        }
        #expect(h.origin.count("/p") == 3)
        try await h.shutdown()
    }

    @Test("stale-while-revalidate: stale served at once, one background revalidation (RFC 5861 §3)")
    func staleWhileRevalidate() async throws {
        let h = try await ProxyHarness.make()
        h.origin.route("/s") { _, count in
            h.origin.ok("v\(count)", [(.cacheControl, "max-age=10, stale-while-revalidate=60"), (.eTag, "\"v\(count)\"")])
        }
        #expect(try await h.get("/s").body == "v1")
        h.advance(30)
        let stale = try await h.get("/s")
        #expect(stale.body == "v1")
        #expect(stale["X-Cache"] == "HIT")
        #expect(stale["Cache-Status"]?.contains("detail=stale-while-revalidate") == true)
        #expect(stale["Age"] == "30")
        await h.proxy.waitForBackgroundWork()
        #expect(h.origin.count("/s") == 2)
        #expect(h.origin.requests("/s").last?.headerFields[.ifNoneMatch] == "\"v1\"")
        let fresh = try await h.get("/s")
        #expect(fresh.body == "v2")
        #expect(fresh["Cache-Status"] == "cachet;hit;ttl=10")
        try await h.shutdown()
    }

    @Test("stale-if-error: the origin down, stale content served within the window, else 502 (RFC 5861 §4)")
    func staleIfError() async throws {
        let h = try await ProxyHarness.make()
        h.origin.route("/e") { _, _ in h.origin.ok("kept", [(.cacheControl, "max-age=10, stale-if-error=60")]) }
        h.origin.route("/n") { _, _ in h.origin.ok("gone", [(.cacheControl, "max-age=10")]) }
        _ = try await h.get("/e")
        _ = try await h.get("/n")
        try await h.origin.server.shutdown()
        let down = try RefusingPort(port: h.origin.port)  // no parallel test's server may answer here
        h.advance(30)
        let stale = try await h.get("/e")
        #expect(stale.status == 200)
        #expect(stale.body == "kept")
        #expect(stale["Cache-Status"]?.contains("detail=stale-if-error") == true)
        let failed = try await h.get("/n")
        #expect(failed.status == 502)
        #expect(failed.body.contains("could not be reached"))
        h.advance(60)
        #expect(try await h.get("/e").status == 502)
        withExtendedLifetime(down) {}
        try await h.shutdown()
    }

    @Test("a 5xx during revalidation is hidden by stale-if-error (RFC 5861 §4)")
    func staleIfErrorOn503() async throws {
        let h = try await ProxyHarness.make()
        h.origin.route("/e") { _, count in
            if count == 1 { return h.origin.ok("kept", [(.cacheControl, "max-age=10, stale-if-error=60")]) }
            return h.origin.reply(.serviceUnavailable, [], body: "down")
        }
        _ = try await h.get("/e")
        h.advance(20)
        let response = try await h.get("/e")
        #expect(response.status == 200)
        #expect(response.body == "kept")
        try await h.shutdown()
    }

    @Test("a body cut off mid-way is never stored, and the client's connection is cut")
    func truncatedBody() async throws {
        let h = try await ProxyHarness.make()
        h.origin.route("/t") { _, count in
            var reply = h.origin.ok(String(repeating: "x", count: 1000), [(.cacheControl, "max-age=60")])
            if count == 1 { reply.truncateAfter = 400 }
            return reply
        }
        await #expect(throws: (any Error).self) { _ = try await h.get("/t") }
        let second = try await h.get("/t")
        #expect(second.status == 200)
        #expect(second.body.count == 1000)
        #expect(second["X-Cache"] == "MISS")
        #expect(h.origin.count("/t") == 2)
        #expect(try await h.get("/t")["X-Cache"] == "HIT")
        try await h.shutdown()
    }

    @Test("an origin that does not answer in time gives 504 with a plain body")
    func originTimeout() async throws {
        let h = try await ProxyHarness.make { $0.originTimeouts = OriginTimeouts(connect: .seconds(2), firstByte: .milliseconds(200), idle: .seconds(2)) }
        let gate = Gate()
        h.origin.route("/slow") { _, _ in
            await gate.wait()
            return h.origin.ok("late", [])
        }
        let response = try await h.get("/slow")
        #expect(response.status == 504)
        #expect(response["Content-Type"] == "text/plain; charset=utf-8")
        #expect(response.body.contains("did not answer in time"))
        gate.open()
        try await h.shutdown()
    }

    @Test("objects above the maximum object size pass through uncached")
    func maximumObjectSize() async throws {
        let h = try await ProxyHarness.make { $0.maximumObjectSize = 1000 }
        h.origin.route("/big") { _, _ in h.origin.ok(String(repeating: "b", count: 5000), [(.cacheControl, "max-age=60")]) }
        for _ in 0..<2 {
            let response = try await h.get("/big")
            #expect(response.body.count == 5000)
            #expect(response["X-Cache"] == "MISS")
        }
        #expect(h.origin.count("/big") == 2)
        try await h.shutdown()
    }

    @Test("HEAD is answered from the stored GET, with its Content-Length and no body (RFC 9110 §9.3.2)")
    func headFromGet() async throws {
        let h = try await ProxyHarness.make()
        h.origin.route("/h") { _, _ in h.origin.ok("twelve bytes", [(.cacheControl, "max-age=60")]) }
        _ = try await h.get("/h")
        let head = try await h.request(.HEAD, "/h")
        #expect(head.status == 200)
        #expect(head.body.isEmpty)
        #expect(head["Content-Length"] == "12")
        #expect(head["X-Cache"] == "HIT")
        #expect(h.origin.count("/h") == 1)
        try await h.shutdown()
    }
}

@Suite("Proxy shutdown")
struct ProxyShutdownTests {
    @Test("shutdown drains: a request in flight completes, then the proxy stops")
    func drains() async throws {
        let h = try await ProxyHarness.make()
        let gate = Gate()
        h.origin.route("/slow") { _, _ in
            await gate.wait()
            return h.origin.ok("finished", [(.cacheControl, "no-store")])
        }
        async let response = h.get("/slow")
        try await eventually { h.origin.count("/slow") == 1 }
        async let stopped = h.proxy.shutdown()
        gate.open()
        let received = try await response
        #expect(received.status == 200)
        #expect(received.body == "finished")
        #expect(try await stopped == .drained)
        try await h.proxy.shutdown()  // a second call waits for the first and returns
        await #expect(throws: (any Error).self) { _ = try await h.get("/slow") }
        try await h.client.shutdown()
        try await h.origin.server.shutdown()
    }
}
