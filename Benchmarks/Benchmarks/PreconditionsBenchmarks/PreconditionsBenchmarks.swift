import Benchmark
import Foundation
import HTTPPreconditions
import HTTPTypes

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .cpuTotal, .mallocCountTotal, .throughput],
        scalingFactor: .kilo,
        maxDuration: .seconds(2),
        maxIterations: 1_000_000
    )

    let imfFixdate = "Sun, 06 Nov 1994 08:49:37 GMT"
    let date = HTTPDate(secondsSince1970: 784_111_777)

    Benchmark("HTTPDate parse IMF-fixdate") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(HTTPDate(imfFixdate))
        }
    }

    Benchmark("HTTPDate parse RFC 850") { benchmark in
        let rfc850 = "Sunday, 06-Nov-94 08:49:37 GMT"
        for _ in benchmark.scaledIterations {
            blackHole(HTTPDate(rfc850, now: date))
        }
    }

    Benchmark("HTTPDate parse asctime") { benchmark in
        let asctime = "Sun Nov  6 08:49:37 1994"
        for _ in benchmark.scaledIterations {
            blackHole(HTTPDate(asctime))
        }
    }

    Benchmark("Foundation DateFormatter parse IMF-fixdate (reference)") { benchmark in
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        for _ in benchmark.scaledIterations {
            blackHole(formatter.date(from: imfFixdate))
        }
    }

    Benchmark("HTTPDate format IMF-fixdate String") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(date.imfFixdate)
        }
    }

    Benchmark("HTTPDate format IMF-fixdate bytes") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(date.withIMFFixdateBytes { $0.count })
        }
    }

    let current = RepresentationValidators(
        etag: EntityTag(opaqueTag: "686897696a7c876b7e")!,
        lastModified: HTTPDate(secondsSince1970: 784_000_000),
        date: date
    )

    Benchmark("If-None-Match list of 4 against a tag") { benchmark in
        var request = HTTPRequest(method: .get, scheme: "http", authority: "example.com", path: "/")
        request.headerFields[.ifNoneMatch] = "\"a1\", W/\"b2\", \"c3\", \"686897696a7c876b7e\""
        for _ in benchmark.scaledIterations {
            blackHole(request.evaluatePreconditions(for: current))
        }
    }

    Benchmark("Typical conditional GET: If-None-Match + If-Modified-Since") { benchmark in
        var request = HTTPRequest(method: .get, scheme: "https", authority: "example.com", path: "/index.html")
        request.headerFields = [
            .userAgent: "curl/8.7.1",
            .accept: "*/*",
            .acceptEncoding: "gzip, br",
            .ifNoneMatch: "\"686897696a7c876b7e\"",
            .ifModifiedSince: "Sun, 06 Nov 1994 08:49:37 GMT",
        ]
        for _ in benchmark.scaledIterations {
            blackHole(request.evaluatePreconditions(for: current, now: date))
        }
    }

    Benchmark("Unconditional GET with Range and If-Range") { benchmark in
        var request = HTTPRequest(method: .get, scheme: "https", authority: "example.com", path: "/video.mp4")
        request.headerFields = [
            .range: "bytes=1000-1999",
            .ifRange: "\"686897696a7c876b7e\"",
        ]
        for _ in benchmark.scaledIterations {
            blackHole(request.evaluatePreconditions(for: current, now: date))
        }
    }

    Benchmark("Range parse and resolve, one range") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(ByteRangeSet("bytes=1000-1999")?.resolve(completeLength: 1_000_000))
        }
    }

    Benchmark("304 from a typical 200") { benchmark in
        var response = HTTPResponse(status: .ok)
        response.headerFields = [
            .date: "Sun, 06 Nov 1994 08:49:37 GMT", .contentType: "text/html", .contentLength: "1234",
            .eTag: "\"686897696a7c876b7e\"", .cacheControl: "max-age=60", .vary: "Accept-Encoding",
        ]
        for _ in benchmark.scaledIterations {
            blackHole(response.notModified())
        }
    }
}
