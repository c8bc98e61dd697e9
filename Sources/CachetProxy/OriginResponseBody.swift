import AsyncHTTPClient
import NIOCore

/// An origin response's body as AsyncHTTPClient streams it, counting the bytes read into
/// the proxy's metrics (`cachet_origin_body_bytes_total`) whoever reads it: delivery,
/// storage, or a discard.
struct OriginResponseBody: AsyncSequence, Sendable {
    typealias Element = ByteBuffer

    let base: HTTPClientResponse.Body
    let metrics: ProxyMetrics

    struct AsyncIterator: AsyncIteratorProtocol {
        var base: HTTPClientResponse.Body.AsyncIterator
        let metrics: ProxyMetrics

        mutating func next() async throws -> ByteBuffer? {
            guard let chunk = try await base.next() else { return nil }
            metrics.fetched(chunk.readableBytes)
            return chunk
        }
    }

    func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(base: base.makeAsyncIterator(), metrics: metrics)
    }
}
