import AsyncHTTPClient
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1

/// One origin exchange through AsyncHTTPClient's delegate interface: the response head as a
/// future, the body as chunks handed to one reader with backpressure.
///
/// The delegate interface runs its callbacks on the request's own event loop. The
/// `execute(_:deadline:)` interface costs every request an unstructured task on Swift's global
/// pool (its cancellation handler), so a wake-up of another thread and two context switches
/// per origin request (`perf stat` under bench/run's revalidation scenario).
final class OriginExchange: HTTPClientResponseDelegate, Sendable {
    typealias Response = Void

    let head: EventLoopPromise<HTTPResponseHead>
    private let state = NIOLockedValueBox(State())

    private struct State {
        /// Chunks received and not yet read, each with the promise that lets AsyncHTTPClient
        /// read on once it has been taken.
        var chunks: [(ByteBuffer, EventLoopPromise<Void>)] = []
        /// How the body ended, once it has.
        var end: Result<Void, any Error>?
        /// The reader waiting for the next chunk.
        var waiting: CheckedContinuation<ByteBuffer?, any Error>?
        var task: HTTPClient.Task<Void>?
        /// Whether `head` has been completed, one way or the other.
        var headSettled = false
        /// Nobody reads the body any more: what arrives is dropped.
        var abandoned = false
    }

    /// The client's count of exchanges alive, for the tests that check none is leaked.
    private let live: NIOLockedValueBox<Int>

    init(eventLoop: any EventLoop, live: NIOLockedValueBox<Int>) {
        self.head = eventLoop.makePromise()
        self.live = live
        live.withLockedValue { $0 += 1 }
    }

    deinit {
        live.withLockedValue { $0 -= 1 }
    }

    /// Remembers the task, so that a body nobody reads any more can be given up, and makes
    /// sure its end reaches the reader whichever way it ends.
    func started(_ task: HTTPClient.Task<Void>) {
        state.withLockedValue { $0.task = task }
        task.futureResult.whenComplete { [self] result in
            switch result {
            case .success: finish(.success(()))
            case .failure(let error): fail(error)
            }
        }
    }

    /// Fails the exchange with `failure` unless its head has arrived (the first-byte timeout).
    func failUnlessHeadReceived(_ failure: OriginFailure) {
        let task = state.withLockedValue { $0.headSettled ? nil : $0.task }
        task?.fail(reason: failure)
    }

    // MARK: - Reading the body

    /// The next chunk of the body, `nil` at its end. A cancelled task gives the exchange up,
    /// which ends the wait with AsyncHTTPClient's cancellation error.
    func next() async throws -> ByteBuffer? {
        try await withTaskCancellationHandler {
            try await nextChunk()
        } onCancel: {
            abandon()
        }
    }

    private func nextChunk() async throws -> ByteBuffer? {
        try await withCheckedThrowingContinuation { continuation in
            enum Action {
                case chunk(ByteBuffer, EventLoopPromise<Void>)
                case end(Result<Void, any Error>)
                case wait
            }
            let action = state.withLockedValue { state -> Action in
                if !state.chunks.isEmpty {
                    let (chunk, promise) = state.chunks.removeFirst()
                    return .chunk(chunk, promise)
                }
                if let end = state.end { return .end(end) }
                state.waiting = continuation
                return .wait
            }
            switch action {
            case .chunk(let chunk, let promise):
                promise.succeed()
                continuation.resume(returning: chunk)
            case .end(.success):
                continuation.resume(returning: nil)
            case .end(.failure(let error)):
                continuation.resume(throwing: error)
            case .wait:
                break
            }
        }
    }

    /// Nobody will read the rest: the request is cancelled unless it has ended, so that the
    /// connection does not wait for a reader that never comes. Chunks received and not read
    /// are let go: AsyncHTTPClient waits for each to be taken before it goes on, even to fail
    /// the request (a small response received whole waits so, and with it the request and
    /// this exchange, for good).
    func abandon() {
        let (task, pending) = state.withLockedValue { state -> (HTTPClient.Task<Void>?, [EventLoopPromise<Void>]) in
            state.abandoned = true
            let pending = state.chunks.map(\.1)
            state.chunks.removeAll()
            return (state.end == nil ? state.task : nil, pending)
        }
        task?.cancel()
        for promise in pending { promise.succeed() }
    }

    // MARK: - HTTPClientResponseDelegate (on the request's event loop)

    func didReceiveHead(task: HTTPClient.Task<Void>, _ head: HTTPResponseHead) -> EventLoopFuture<Void> {
        let settles = state.withLockedValue { state -> Bool in
            state.task = task
            defer { state.headSettled = true }
            return !state.headSettled
        }
        if settles { self.head.succeed(head) }
        return task.eventLoop.makeSucceededVoidFuture()
    }

    func didReceiveBodyPart(task: HTTPClient.Task<Void>, _ buffer: ByteBuffer) -> EventLoopFuture<Void> {
        enum Action {
            case drop
            case keep(EventLoopPromise<Void>)
            case hand(CheckedContinuation<ByteBuffer?, any Error>)
        }
        let action = state.withLockedValue { state -> Action in
            if state.abandoned { return .drop }
            guard let waiting = state.waiting else {
                let promise = task.eventLoop.makePromise(of: Void.self)
                state.chunks.append((buffer, promise))
                return .keep(promise)
            }
            state.waiting = nil
            return .hand(waiting)
        }
        switch action {
        case .drop:
            return task.eventLoop.makeSucceededVoidFuture()
        case .keep(let promise):
            return promise.futureResult
        case .hand(let waiting):
            waiting.resume(returning: buffer)
            return task.eventLoop.makeSucceededVoidFuture()
        }
    }

    func didReceiveError(task: HTTPClient.Task<Void>, _ error: any Error) {
        fail(error)
    }

    private func fail(_ error: any Error) {
        finish(.failure(error))
        let settles = state.withLockedValue { state -> Bool in
            defer { state.headSettled = true }
            return !state.headSettled
        }
        if settles { head.fail(error) }
    }

    func didFinishRequest(task: HTTPClient.Task<Void>) throws {
        finish(.success(()))
    }

    private func finish(_ end: Result<Void, any Error>) {
        // Chunks already received are still read before the end, as they arrived: a body cut
        // off after some bytes reaches the client as such (its connection is cut), not as a 502.
        let waiting = state.withLockedValue { state -> CheckedContinuation<ByteBuffer?, any Error>? in
            guard state.end == nil else { return nil }
            state.end = end
            // Nothing is left to give up; and the task holds this exchange until it completes.
            state.task = nil
            defer { state.waiting = nil }
            return state.waiting
        }
        switch end {
        case .success: waiting?.resume(returning: nil)
        case .failure(let error): waiting?.resume(throwing: error)
        }
    }
}

/// Gives up the exchange when the last copy of a response body goes away unread.
final class OriginExchangeReader: Sendable {
    let exchange: OriginExchange

    init(_ exchange: OriginExchange) {
        self.exchange = exchange
    }

    deinit {
        exchange.abandon()
    }
}
