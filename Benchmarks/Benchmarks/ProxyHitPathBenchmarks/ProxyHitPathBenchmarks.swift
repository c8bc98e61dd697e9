import Benchmark
@_spi(Benchmarks) import CachetProxy
import HTTPPreconditions
import HTTPTypes
import NIOCore

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .mallocCountTotal, .throughput],
        scalingFactor: .kilo,
        maxDuration: .seconds(2),
        maxIterations: 1_000_000
    )

    let now = HTTPDate(secondsSince1970: 1_795_000_000)
    var request = HTTPRequest(method: .get, scheme: "http", authority: "127.0.0.1:8080", path: "/obj/1k.bin")
    request.headerFields = [.userAgent: "wrk", .accept: "*/*", .acceptEncoding: "gzip"]
    var response = HTTPResponse(status: .ok)
    response.headerFields = [
        .date: now.imfFixdate, .server: "nginx", .contentType: "application/octet-stream", .contentLength: "1024",
        .lastModified: now.adding(seconds: -3600).imfFixdate, .eTag: "\"6571a2f4-400\"", .cacheControl: "max-age=3600",
        .acceptRanges: "bytes",
    ]
    let probe = HitPathProbe(request: request, response: response, body: ByteBuffer(repeating: 0x61, count: 1024), now: now)

    Benchmark("Fresh hit: lookup, evaluate, response head bytes") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(probe.respond(to: request, now: now.adding(seconds: 10)))
        }
    }

    Benchmark("304 from cache: If-None-Match") { benchmark in
        var conditional = request
        conditional.headerFields[.ifNoneMatch] = "\"6571a2f4-400\""
        for _ in benchmark.scaledIterations {
            blackHole(probe.respond(to: conditional, now: now.adding(seconds: 10)))
        }
    }
}
