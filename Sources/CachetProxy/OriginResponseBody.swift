import NIOCore

/// An origin response's body as its exchange receives it, counting the bytes read into the
/// proxy's metrics (`cachet_origin_body_bytes_total`) whoever reads it: delivery, storage, or
/// a discard. When the last copy goes away before the end, the exchange is given up.
struct OriginResponseBody: AsyncSequence, Sendable {
    typealias Element = ByteBuffer

    let reader: OriginExchangeReader
    let metrics: ProxyMetrics

    struct AsyncIterator: AsyncIteratorProtocol {
        let reader: OriginExchangeReader
        let metrics: ProxyMetrics

        mutating func next() async throws -> ByteBuffer? {
            guard let chunk = try await reader.exchange.next() else { return nil }
            metrics.fetched(chunk.readableBytes)
            return chunk
        }
    }

    func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(reader: reader, metrics: metrics)
    }
}
