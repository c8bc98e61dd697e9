#if os(Linux)
import CCachetSocket
import Glibc
import HTTPPreconditions
import HTTPTypes
import NIOCore
import NIOConcurrencyHelpers
import Synchronization

/// One thread of ``FileSocketServer``: an epoll loop that accepts connections and answers
/// the simple requests that need no I/O (``SimpleRequestHead``,
/// ``ConditionalFileMiddleware/answerAtOnce(_:)``) straight from the socket, with one `read`
/// and one `write` per batch of requests. A request answered lately, or one that differs from
/// it only in fields the files do not read, is answered from the loop's ``AnswerMemo``s: no
/// `HTTPRequest`, no lock, nothing allocated.
///
/// A request the files cannot answer yet because it needs I/O (a file not looked up lately,
/// a tag not computed, content not in memory) parks its connection while `prepare` does that
/// I/O off the loop, then is answered here. A connection stays here while every request on
/// it is answered at once. The first request that is not — declined by the reader (content,
/// `Connection: close`, HTTP/1.0…) or one the files answer only with more work (a range, a
/// 412, a large file) — is handed, with every byte after it, to NIO (`handOff`), where
/// Hummingbird's HTTP/1 stack and the router take the connection over for good; answers
/// already given are written first, so responses keep the order of requests (RFC 9112 §9.3.2).
final class SocketLoop: @unchecked Sendable {
    typealias Answer = @Sendable (HTTPRequest, HTTPDate) -> ImmediateAnswer?
    typealias Prepare = @Sendable (HTTPRequest) async -> Void

    /// How long clients may take, as `cachet proxy` bounds them.
    struct Timeouts: Sendable {
        /// From the first byte of a head to its end, however it trickles in (slowloris):
        /// then 408 (RFC 9110 §15.5.9) and the connection is closed.
        var requestHead: TimeAmount = .seconds(10)
        /// Without a byte sent or an answer's byte taken (RFC 9112 §9.6); a connection whose
        /// request waits on the files is not idle.
        var idle: TimeAmount = .seconds(60)
        /// Reads the time the timeouts are measured with; a test's own clock in tests.
        var clock: @Sendable () -> NIODeadline = { .now() }
    }

    private let listener: ListeningSocket
    private let answer: Answer
    private let prepare: Prepare
    private let generation: @Sendable () -> Int
    private let timeouts: Timeouts
    private let handOff: @Sendable (Int32, ByteBuffer) -> Void
    private let epoll: Int32
    private let stopping = Atomic<Bool>(false)
    /// Seen `stopping` (loop thread only): answer what was asked, then close.
    private var isStopping = false
    /// Accepting is paused after running out of descriptors, until this time.
    private var acceptPausedUntil: NIODeadline?
    /// Wakes the loop when prepared connections are in `prepared`.
    private let wakeUp: Int32
    private let prepared = NIOLockedValueBox([(descriptor: Int32, id: UInt64)]())
    private var nextID: UInt64 = 0

    /// Indexed by descriptor.
    private var connections: [SocketConnection?] = []
    private var openConnections = 0
    private let readBuffer: UnsafeMutableRawBufferPointer
    /// Where answers are put together before they are written; reused.
    private var output = ByteBuffer()
    private var trailer: ImmediateAnswer.Trailer
    /// Answers by the exact bytes of the request head: a repeated head is not even read.
    private var memo = AnswerMemo()
    /// Answers by what decides them (``AnswerKey``): heads that differ only in fields the
    /// files do not read are read but not answered again.
    private var keyMemo = AnswerMemo()
    /// Where a request's ``AnswerKey`` is written; reused.
    private let keyBuffer: UnsafeMutableRawBufferPointer
    /// The clocks, read once per wake-up rather than per request (``readClocks()``).
    private var clockNow: NIODeadline
    private var monotonicNow: NIODeadline
    private var wallNow: HTTPDate

    /// The bytes read at once.
    static let readSize = 64 * 1024
    /// Answers put together for one connection before its requests wait for the client to
    /// read them: the bound on what a client that does not read makes the server hold.
    static let outputBound = 256 * 1024
    /// How often connections are checked against the timeouts.
    static let sweepInterval = TimeAmount.seconds(1)
    /// How long accepting pauses when the process is out of descriptors.
    static let acceptPause = TimeAmount.seconds(1)
    /// How long a stopping loop lets answers already given finish being written.
    static let drainTime: Int64 = 5

    init(
        listener: ListeningSocket, answer: @escaping Answer, prepare: @escaping Prepare, generation: @escaping @Sendable () -> Int,
        serverName: String?, timeouts: Timeouts = .init(), handOff: @escaping @Sendable (Int32, ByteBuffer) -> Void
    ) throws {
        self.generation = generation
        self.listener = listener
        self.timeouts = timeouts
        self.answer = answer
        self.prepare = prepare
        self.trailer = .init(serverName: serverName)
        self.handOff = handOff
        self.epoll = epoll_create1(Int32(EPOLL_CLOEXEC))
        guard epoll >= 0 else { throw ListeningSocket.Failure(description: "epoll_create1: \(String(cString: strerror(errno)))") }
        self.wakeUp = eventfd(0, Int32(EFD_NONBLOCK | EFD_CLOEXEC))
        guard wakeUp >= 0 else {
            Glibc.close(epoll)
            throw ListeningSocket.Failure(description: "eventfd: \(String(cString: strerror(errno)))")
        }
        self.readBuffer = .allocate(byteCount: Self.readSize, alignment: 16)
        self.keyBuffer = .allocate(byteCount: AnswerMemo.maximumHeadLength, alignment: 16)
        (clockNow, monotonicNow, wallNow) = (timeouts.clock(), .now(), ServerClock.now())
    }

    /// Reads the clocks for the events of one wake-up: the timeouts' clock, the monotonic one
    /// the file lookups expire on, and the wall clock for `Date` and the preconditions.
    private func readClocks() {
        clockNow = timeouts.clock()
        monotonicNow = .now()
        wallNow = ServerClock.now()
    }

    deinit {
        Glibc.close(wakeUp)
        readBuffer.deallocate()
        keyBuffer.deallocate()
    }

    /// Asks the loop to stop: it stops accepting, closes idle connections, lets answers being
    /// written finish (up to ``drainTime``), then returns from ``run()``.
    func stop() {
        stopping.store(true, ordering: .relaxed)
    }

    /// Runs the loop on the calling thread until ``stop()``.
    func run() {
        // Every loop waits on the one listener; EPOLLEXCLUSIVE wakes one of them per connection.
        control(EPOLL_CTL_ADD, listener.descriptor, EPOLLIN.rawValue | EPOLLEXCLUSIVE.rawValue)
        control(EPOLL_CTL_ADD, wakeUp, EPOLLIN.rawValue)
        var events = [epoll_event](repeating: epoll_event(), count: 256)
        var stopDeadline: Int64?
        var lastSweep = timeouts.clock()
        while true {
            let now = timeouts.clock()
            if now - lastSweep >= Self.sweepInterval {
                lastSweep = now
                closeTimedOut(now: now)
            }
            if let until = acceptPausedUntil, NIODeadline.now() >= until, !isStopping {
                acceptPausedUntil = nil
                control(EPOLL_CTL_ADD, listener.descriptor, EPOLLIN.rawValue | EPOLLEXCLUSIVE.rawValue)
            }
            if stopDeadline == nil, stopping.load(ordering: .relaxed) {
                stopDeadline = Int64(time(nil)) + Self.drainTime
                isStopping = true
                if acceptPausedUntil == nil { control(EPOLL_CTL_DEL, listener.descriptor, 0) }
                closeIdleConnections()
            }
            if let stopDeadline, openConnections == 0 || Int64(time(nil)) >= stopDeadline { break }
            // The timeout only bounds how late a stop is seen.
            let count = events.withUnsafeMutableBufferPointer { ccachet_epoll_wait(epoll, $0.baseAddress, Int32($0.count), 100) }
            guard count > 0 else { continue }
            readClocks()
            for index in 0..<Int(count) {
                let event = events[index]
                let descriptor = Int(event.data.fd)
                if descriptor == Int(listener.descriptor) {
                    if !isStopping { acceptConnections() }
                } else if descriptor == Int(wakeUp) {
                    resumePrepared()
                } else if descriptor < connections.count, let connection = connections[descriptor] {
                    handle(event.events, on: connection)
                }
            }
        }
        for case let connection? in connections { closeConnection(connection) }
        Glibc.close(epoll)
    }

    // MARK: events

    private func acceptConnections() {
        for _ in 0..<64 {
            let descriptor: Int32
            switch listener.accept() {
            case .accepted(let accepted):
                descriptor = accepted
            case .noneWaiting:
                return
            case .outOfResources:
                // The listener stays readable while descriptors are short: stop listening for a
                // while rather than spin (as NIO's AcceptBackoffHandler does).
                control(EPOLL_CTL_DEL, listener.descriptor, 0)
                acceptPausedUntil = .now() + Self.acceptPause
                return
            }
            let index = Int(descriptor)
            if index >= connections.count {
                connections.append(contentsOf: repeatElement(nil, count: max(index + 1 - connections.count, connections.count)))
            }
            nextID &+= 1
            connections[index] = SocketConnection(descriptor: descriptor, id: nextID, now: clockNow)
            openConnections += 1
            control(EPOLL_CTL_ADD, descriptor, EPOLLIN.rawValue | EPOLLRDHUP.rawValue)
        }
    }

    private func handle(_ events: UInt32, on connection: SocketConnection) {
        if events & EPOLLOUT.rawValue != 0 || (!connection.pending.isEmpty && events & (EPOLLERR.rawValue | EPOLLHUP.rawValue) != 0) {
            // Writable again: the client took some of the answers.
            connection.lastProgress = clockNow
            writePending(connection)
            return
        }
        if events & (EPOLLIN.rawValue | EPOLLRDHUP.rawValue | EPOLLERR.rawValue | EPOLLHUP.rawValue) != 0 {
            // A parked connection is not read; an error or hang-up on it means the client left.
            if isStopping || connection.parked { return closeConnection(connection) }
            readAndAnswer(connection)
        }
    }

    private func readAndAnswer(_ connection: SocketConnection) {
        let count = ccachet_recv(connection.descriptor, readBuffer.baseAddress, readBuffer.count)
        if count < 0 {
            if errno == EAGAIN || errno == EINTR { return }
            return closeConnection(connection)
        }
        if count == 0 {
            // The client is done sending. The start of a request it did not finish goes to
            // the decoder, which answers it as Hummingbird does (400).
            guard let received = connection.received else { return closeConnection(connection) }
            connection.received = nil
            return handOn(connection, received)
        }
        connection.lastProgress = clockNow
        if var received = connection.received {
            connection.received = nil
            received.writeBytes(UnsafeRawBufferPointer(rebasing: readBuffer[..<count]))
            answer(received, on: connection)
        } else {
            answer(UnsafeRawBufferPointer(rebasing: readBuffer[..<count]), on: connection)
        }
    }

    /// Answers the requests at the start of `bytes` in order and writes the answers; keeps or
    /// hands on what is left.
    private func answer(_ bytes: ByteBuffer, on connection: SocketConnection) {
        bytes.withUnsafeReadableBytes { answer($0, on: connection) }
    }

    private func answer(_ bytes: UnsafeRawBufferPointer, on connection: SocketConnection) {
        /// Answers before `output` when a large body had to follow them as it is; usually none.
        var parts: [ByteBuffer] = []
        /// Bytes of answers in `parts` (not counting `output`).
        var partsSize = 0
        var offset = 0
        var rest: (bytes: ByteBuffer, handOn: Bool)?
        let clock = wallNow
        let now = monotonicNow
        let generation = self.generation()
        let trailer = self.trailer.bytes(at: clock)
        func emit(_ wire: ImmediateAnswer.Wire) {
            if let large = wire.write(into: &output, trailer: trailer) {
                partsSize += output.readableBytes + large.readableBytes
                parts.append(output)
                parts.append(large)
                output.clear()
            }
        }
        requests: while offset < bytes.count {
            if output.readableBytes + partsSize >= Self.outputBound {
                rest = (ByteBuffer(bytes: UnsafeRawBufferPointer(rebasing: bytes[offset...])), false)
                connection.heldBack = true
                break
            }
            let unread = UnsafeRawBufferPointer(rebasing: bytes[offset...])
            /// The length of the request's answer key in `keyBuffer`, when it has one.
            var keyLength: Int?
            if let end = SimpleRequestHead.headEnd(unread, from: connection.searched) {
                let head = UnsafeRawBufferPointer(rebasing: unread[..<end])
                var wire = memo.answer(to: head, second: clock.secondsSince1970, now: now, generation: generation)
                if wire == nil {
                    switch AnswerKey.write(head, into: keyBuffer) {
                    case .declined:
                        rest = (ByteBuffer(bytes: unread), true)
                        break requests
                    case .key(let count):
                        keyLength = count
                        let key = UnsafeRawBufferPointer(rebasing: keyBuffer[..<count])
                        wire = keyMemo.answer(to: key, second: clock.secondsSince1970, now: now, generation: generation)
                    case .unkeyed:
                        break
                    }
                }
                if let wire {
                    connection.searched = 0
                    connection.prepared = false
                    emit(wire)
                    offset += end
                    continue
                }
            }
            switch SimpleRequestHead.read(unread, searchedFrom: connection.searched) {
            case .incomplete(let searched):
                connection.searched = searched
                rest = (ByteBuffer(bytes: unread), false)
            case .declined:
                rest = (ByteBuffer(bytes: unread), true)
            case .request(let request, let length):
                connection.searched = 0
                guard let answer = answer(request, clock), let wire = answer.wire(isHead: request.method == .head) else {
                    if connection.prepared {
                        rest = (ByteBuffer(bytes: unread), true)
                    } else {
                        rest = (ByteBuffer(bytes: unread), false)
                        park(connection, for: request)
                    }
                    break
                }
                connection.prepared = false
                memo.remember(wire, of: answer, to: UnsafeRawBufferPointer(rebasing: unread[..<length]), second: clock.secondsSince1970)
                if let keyLength {
                    keyMemo.remember(wire, of: answer, to: UnsafeRawBufferPointer(rebasing: keyBuffer[..<keyLength]), second: clock.secondsSince1970)
                }
                emit(wire)
                offset += length
                continue
            }
            break
        }
        if let rest, rest.handOn {
            connection.handOffWhenWritten = rest.bytes
        } else if let rest {
            connection.received = rest.bytes
        }
        // The request head timeout runs from the first byte of a head until it is complete.
        if let rest, !rest.handOn, !connection.heldBack, !connection.parked {
            if connection.headStarted == nil || offset > 0 { connection.headStarted = clockNow }
        } else {
            connection.headStarted = nil
        }
        if parts.isEmpty {
            // The usual case: the answers are all in `output`, written from there, so it
            // stays this loop's own buffer and nothing is allocated to write them.
            let written = Self.write(&output, to: connection.descriptor)
            if written == .partly { connection.pending = [ByteBuffer(bytes: output.readableBytesView)] }
            output.clear()
            return wrote(connection, written)
        }
        if output.readableBytes > 0 {
            parts.append(output)
            output.clear()
        }
        connection.pending = parts
        writePending(connection)
    }

    /// Writes what is pending; once all of it is written, goes on with what waited for it.
    private func writePending(_ connection: SocketConnection) {
        wrote(connection, Self.write(&connection.pending, to: connection.descriptor))
    }

    /// Goes on after a write: waits for the socket, closes, or goes on with what waited for
    /// the answers to be written.
    private func wrote(_ connection: SocketConnection, _ written: Written) {
        switch written {
        case .failed:
            return closeConnection(connection)
        case .partly:
            // Nothing more is read until the client has taken what it asked for.
            if !connection.waitsToWrite {
                connection.waitsToWrite = true
                control(EPOLL_CTL_MOD, connection.descriptor, EPOLLOUT.rawValue)
            }
            return
        case .all:
            break
        }
        // Stopping: what was asked before the stop has its answers; a request behind them that
        // would go to NIO is left, as a quiescing Hummingbird leaves pipelined requests.
        if isStopping { return closeConnection(connection) }
        if let bytes = connection.handOffWhenWritten {
            connection.handOffWhenWritten = nil
            return handOn(connection, bytes)
        }
        if connection.waitsToWrite {
            connection.waitsToWrite = false
            control(EPOLL_CTL_MOD, connection.descriptor, connection.parked ? 0 : EPOLLIN.rawValue | EPOLLRDHUP.rawValue)
        }
        if connection.heldBack, !connection.parked, let received = connection.received {
            connection.heldBack = false
            connection.received = nil
            answer(received, on: connection)
        }
    }

    // MARK: preparing

    /// Stops reading `connection` while the files do the I/O `request` needs; the loop then
    /// answers it (``resumePrepared()``).
    private func park(_ connection: SocketConnection, for request: HTTPRequest) {
        connection.parked = true
        if !connection.waitsToWrite { control(EPOLL_CTL_MOD, connection.descriptor, 0) }
        let (descriptor, id) = (connection.descriptor, connection.id)
        // The task holds the loop, and with it the open eventfd, until it has written to it.
        Task {
            await self.prepare(request)
            self.prepared.withLockedValue { $0.append((descriptor, id)) }
            _ = eventfd_write(self.wakeUp, 1)
        }
    }

    private func resumePrepared() {
        var count: eventfd_t = 0
        _ = eventfd_read(wakeUp, &count)
        let ready: [(descriptor: Int32, id: UInt64)] = prepared.withLockedValue { ready in
            let taken = ready
            ready.removeAll()
            return taken
        }
        for (descriptor, id) in ready {
            // Closed meanwhile (the client left, or the loop is stopping): nothing to answer.
            guard Int(descriptor) < connections.count, let connection = connections[Int(descriptor)], connection.id == id,
                connection.parked
            else { continue }
            connection.parked = false
            connection.prepared = true
            // The wait was the server's, not the client's.
            connection.lastProgress = clockNow
            if connection.waitsToWrite {
                connection.heldBack = true
                continue
            }
            control(EPOLL_CTL_MOD, connection.descriptor, EPOLLIN.rawValue | EPOLLRDHUP.rawValue)
            if let received = connection.received {
                connection.received = nil
                answer(received, on: connection)
            }
        }
    }

    // MARK: connections

    private func handOn(_ connection: SocketConnection, _ bytes: ByteBuffer) {
        control(EPOLL_CTL_DEL, connection.descriptor, 0)
        forget(connection)
        handOff(connection.descriptor, bytes)
    }

    /// Closes the connections that broke a timeout; one whose head is late first gets 408.
    private func closeTimedOut(now: NIODeadline) {
        for case let connection? in connections where !connection.parked {
            if let started = connection.headStarted, now - started >= timeouts.requestHead, connection.pending.isEmpty {
                var refusal = ByteBuffer(string: "HTTP/1.1 408 Request Timeout\r\nConnection: close\r\nContent-Length: 0\r\n")
                refusal.writeImmutableBuffer(trailer.bytes(at: ServerClock.now()))
                var parts = [refusal]
                _ = Self.write(&parts, to: connection.descriptor)
                closeConnection(connection)
            } else if now - connection.lastProgress >= timeouts.idle {
                closeConnection(connection)
            }
        }
    }

    private func closeIdleConnections() {
        // A parked connection's request was received before the stop: it is answered first.
        for case let connection? in connections where connection.pending.isEmpty && !connection.parked {
            closeConnection(connection)
        }
    }

    private func closeConnection(_ connection: SocketConnection) {
        guard forget(connection) else { return }
        Glibc.close(connection.descriptor)
    }

    @discardableResult
    private func forget(_ connection: SocketConnection) -> Bool {
        let index = Int(connection.descriptor)
        guard index < connections.count, connections[index] === connection else { return false }
        connections[index] = nil
        openConnections -= 1
        return true
    }

    private func control(_ operation: Int32, _ descriptor: Int32, _ events: UInt32) {
        var event = epoll_event()
        event.events = events
        event.data.fd = descriptor
        _ = epoll_ctl(epoll, operation, descriptor, &event)
    }
}
#endif
