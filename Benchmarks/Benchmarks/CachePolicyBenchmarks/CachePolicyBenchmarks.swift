import Benchmark
import HTTPCachePolicy
import HTTPPreconditions
import HTTPTypes

// The calls a caching reverse proxy makes: parse a response's Cache-Control, build a policy
// when it stores a response, and evaluate a stored response on every hit. The last one is
// the hot path and must not allocate (mallocCountTotal should read 0).
let benchmarks: @Sendable () -> Void = {
    let metrics: [BenchmarkMetric] = [.wallClock, .mallocCountTotal, .throughput]
    let requestTime = HTTPDate(secondsSince1970: 1_700_000_000)
    let responseTime = requestTime.adding(seconds: 1)
    let now = responseTime.adding(seconds: 30)

    let request = HTTPRequest(
        method: .get,
        scheme: "https",
        authority: "www.example.com",
        path: "/assets/app.3f9a2c.js",
        headerFields: [
            .userAgent: "Mozilla/5.0 (X11; Linux x86_64) Gecko/20100101 Firefox/128.0",
            .accept: "*/*",
            .acceptEncoding: "gzip, deflate, br, zstd",
            .acceptLanguage: "en-GB,en;q=0.5",
        ]
    )
    let response = HTTPResponse(
        status: .ok,
        headerFields: [
            .date: requestTime.imfFixdate,
            .cacheControl: "public, max-age=3600, stale-while-revalidate=60",
            .eTag: "\"3f9a2c-1b2e4\"",
            .lastModified: requestTime.adding(seconds: -86_400).imfFixdate,
            .contentType: "application/javascript",
            .contentLength: "111332",
            .contentEncoding: "br",
            .vary: "Accept-Encoding",
            .server: "origin",
        ]
    )
    let policy = CachePolicy(
        request: request, response: response, requestTime: requestTime, responseTime: responseTime, options: .shared
    )

    Benchmark("Cache-Control parse (typical response)", configuration: .init(metrics: metrics)) { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(CacheControl(fields: response.headerFields))
        }
    }

    Benchmark("CachePolicy init (typical response)", configuration: .init(metrics: metrics)) { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(
                CachePolicy(
                    request: request, response: response, requestTime: requestTime, responseTime: responseTime,
                    options: .shared
                )
            )
        }
    }

    Benchmark("CachePolicy evaluate (fresh hit)", configuration: .init(metrics: metrics)) { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(policy.evaluate(request: request, now: now))
        }
    }
}
