/// The life of one client connection in a worker, without sockets: which phase it is in, which
/// deadline applies, and what the socket code must do next. Tested on its own (ConnectionLifecycleTests).
///
/// awaitingRequest ─first byte→ receivingHead ─head→ receivingBody ─end→ handling ─respond→ writing
///        ↑                                                                            │
///        └──────────── output drained, keep-alive ───────────────────────────────────┘
/// writing ─output drained, close→ draining ─EOF, 64 KiB or deadline→ closed
struct ConnectionLifecycle: Equatable {
    enum Phase: Equatable {
        /// Between requests (or before the first): the keep-alive idle deadline applies.
        case awaitingRequest
        case receivingHead
        case receivingBody
        /// The application has the request; its response may come later (a timer, /sleep).
        case handling
        /// A response is being written; `closeAfter` when the connection ends with it.
        case writing(closeAfter: Bool)
        /// Staged close: our side is shut down for writing, the client's bytes are read and dropped
        /// so that close() cannot turn them into an RST that destroys the response (RFC 9112 §9.6).
        case draining
        case closed
    }

    /// What the socket code does after an event.
    enum Action: Equatable {
        case none
        /// Keep reading and parsing the bytes already buffered.
        case parse
        /// Send 408 and close: the client was too slow with the head or the body.
        case respondRequestTimeout
        /// shutdown(SHUT_WR), then read and discard.
        case shutdownWrite
        /// The client asked to close (RFC 9112 §9.6: it sends nothing more): close at once if no
        /// unread byte is waiting, since only unread bytes make close() send an RST; else as shutdownWrite.
        case closeIfQuiet
        case close
    }

    struct Timeouts: Equatable {
        var keepAliveIdle: UInt64
        var header: UInt64
        var bodyIdle: UInt64
        var write: UInt64
        var drain: UInt64
        /// How much a draining connection reads before giving up on the client's EOF.
        var drainBytes: Int = 64 * 1024
    }

    private(set) var phase: Phase = .awaitingRequest
    /// When the current phase's deadline passes.
    private(set) var deadline: UInt64
    let timeouts: Timeouts
    /// Requests answered on this connection.
    private(set) var requestsServed = 0
    /// The worker is retiring: the next response closes the connection, and an idle connection is
    /// kept only until the retire grace (RFC 9112 §9.6 lets either side close; closing an idle
    /// connection the client may be reusing is the L5 race, so it waits).
    private(set) var retiring = false
    private var drainedBytes = 0
    /// The response being written closes the connection because the client asked for it.
    private var clientClosing = false

    init(timeouts: Timeouts, now: UInt64) {
        self.timeouts = timeouts
        deadline = now &+ timeouts.keepAliveIdle
    }

    var isClosed: Bool { phase == .closed }
    /// Input is parsed only in these phases: responses go out strictly in request order.
    var acceptsInput: Bool { phase == .awaitingRequest || phase == .receivingHead || phase == .receivingBody }
    var isIdle: Bool { phase == .awaitingRequest }

    /// Bytes of a request arrived (or were found buffered) while waiting for one.
    mutating func requestStarted(now: UInt64) {
        guard phase == .awaitingRequest else { return }
        phase = .receivingHead
        deadline = now &+ timeouts.header
    }

    mutating func headReceived(now: UInt64) {
        guard phase == .receivingHead || phase == .awaitingRequest else { return }
        phase = .receivingBody
        deadline = now &+ timeouts.bodyIdle
    }

    /// Body bytes arrived: the body deadline is an idle deadline, it moves with progress.
    mutating func bodyProgress(now: UInt64) {
        guard phase == .receivingBody else { return }
        deadline = now &+ timeouts.bodyIdle
    }

    mutating func messageReceived() {
        guard phase == .receivingBody || phase == .receivingHead else { return }
        phase = .handling
        deadline = .max
    }

    /// A response (final, or an error for a refused request) is queued. Returns whether the
    /// connection closes after it. `clientAskedToClose`: the request itself ended the connection
    /// (Connection: close, HTTP/1.0), as opposed to a refusal, a timeout or a retiring worker.
    /// `morePipelined`: requests already sent behind this one; a retiring worker answers them too and
    /// closes after the last.
    mutating func responseQueued(keepAlive: Bool, clientAskedToClose: Bool = false, morePipelined: Bool = false,
                                 now: UInt64) -> Bool {
        let closeAfter = !keepAlive || (retiring && !morePipelined)
        clientClosing = closeAfter && clientAskedToClose && !retiring
        phase = .writing(closeAfter: closeAfter)
        deadline = now &+ timeouts.write
        return closeAfter
    }

    /// Some output was written: the write deadline is an idle deadline too.
    mutating func writeProgress(now: UInt64) {
        guard case .writing = phase else { return }
        deadline = now &+ timeouts.write
    }

    mutating func outputDrained(now: UInt64) -> Action {
        guard case .writing(let closeAfter) = phase else { return .none }
        requestsServed += 1
        if closeAfter {
            phase = .draining
            deadline = now &+ timeouts.drain
            return clientClosing ? .closeIfQuiet : .shutdownWrite
        }
        phase = .awaitingRequest
        deadline = now &+ (retiring ? min(timeouts.keepAliveIdle, retireGrace) : timeouts.keepAliveIdle)
        return .parse
    }

    /// Bytes read while draining; returns .close once enough were thrown away.
    mutating func drained(_ count: Int) -> Action {
        guard phase == .draining else { return .none }
        drainedBytes += count
        if drainedBytes >= timeouts.drainBytes {
            phase = .closed
            return .close
        }
        return .none
    }

    /// The client closed its side (read returned 0).
    mutating func peerClosed() -> Action {
        switch phase {
        case .closed:
            return .none
        case .handling, .writing:
            // A half-closed client may still read the response (shutdown(SHUT_WR) after its request).
            return .none
        default:
            phase = .closed
            return .close
        }
    }

    /// Closed at once after `.closeIfQuiet` found nothing unread.
    mutating func closedQuietly() {
        guard phase == .draining else { return }
        phase = .closed
    }

    /// A reset, a write error, or anything else after which nothing more can be delivered.
    mutating func failed() -> Action {
        guard phase != .closed else { return .none }
        phase = .closed
        return .close
    }

    mutating func deadlinePassed(now: UInt64) -> Action {
        guard now >= deadline else { return .none }
        switch phase {
        case .awaitingRequest, .draining, .writing:
            phase = .closed
            return .close
        case .receivingHead, .receivingBody:
            return .respondRequestTimeout
        case .handling, .closed:
            return .none
        }
    }

    private var retireGrace: UInt64 = .max

    /// The worker retires: later responses close the connection; an idle connection waits at most
    /// `grace` for the client's next request.
    mutating func retire(grace: UInt64, now: UInt64) {
        retiring = true
        retireGrace = grace
        // A response already queued keeps the keep-alive it announced: the client may send its next
        // request on this connection, and that one is answered with Connection: close.
        if phase == .awaitingRequest { deadline = min(deadline, now &+ grace) }
    }
}
