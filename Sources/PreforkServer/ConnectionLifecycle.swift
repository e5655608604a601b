/// The life of one HTTP/1.1 client connection in a worker, without sockets: which phase it is in,
/// which deadline applies, and what the session must do next. Every event switches on the phase
/// and returns an action; an event that cannot happen in a phase is the session's bug and traps in
/// debug builds, naming both (in release it closes the connection, the safe answer).
/// Tested on its own, every (phase, event) pair: ConnectionLifecycleTests.
///
/// awaitingRequest ─bytes→ receivingHead ─head→ receivingBody ─end→ handling ─respond→ writing
///        ↑                                                                            │
///        └──────────── output drained, keep-alive ───────────────────────────────────┘
/// writing ─output drained, close→ draining ─EOF, 64 KiB or deadline→ closed
/// (a refusal goes from any receiving phase straight to writing, closing after it)
struct ConnectionLifecycle: Equatable {
    enum Phase: Equatable {
        /// Between requests (or before the first): the keep-alive idle deadline applies.
        case awaitingRequest
        case receivingHead
        case receivingBody
        /// The application has the request; its response may come later (a timer, /sleep).
        case handling
        /// A response is being written. `closeAfter` when the connection ends with it;
        /// `clientClosing` when that is because the client asked (it sends nothing more).
        case writing(closeAfter: Bool, clientClosing: Bool)
        /// Staged close: our side is shut down for writing, the client's bytes are read and dropped
        /// so that close() cannot turn them into an RST that destroys the response (RFC 9112 §9.6).
        case draining(bytesDropped: Int)
        case closed
    }

    /// What the session does after an event.
    enum Action: Equatable {
        case none
        /// Keep reading and parsing the bytes already buffered.
        case parse
        /// Send 408 and close: the client was too slow with the head or the body.
        case respondRequestTimeout
        /// shutdown(SHUT_WR), then read and discard until EOF, the byte budget or the deadline.
        case shutdownWriteAndDrain
        /// close() now: nothing more can or need be delivered.
        case close
    }

    /// Events, named for tests and for the trap message.
    enum Event: String, CaseIterable {
        case requestBytesArrived, headReceived, bodyProgress, messageReceived, responseQueued, refusalQueued
        case writeProgress, outputDrained, bytesDropped, peerClosed, failed, deadlinePassed, retire
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
    private var retireGrace: UInt64 = .max

    init(timeouts: Timeouts, now: UInt64) {
        self.timeouts = timeouts
        deadline = now &+ timeouts.keepAliveIdle
    }

    var isClosed: Bool { phase == .closed }
    /// Input is parsed only in these phases: responses go out strictly in request order.
    var acceptsInput: Bool {
        switch phase {
        case .awaitingRequest, .receivingHead, .receivingBody: return true
        case .handling, .writing, .draining, .closed: return false
        }
    }
    var isIdle: Bool { phase == .awaitingRequest }
    var isWriting: Bool { if case .writing = phase { return true } else { return false } }
    /// Writing the connection's last response: a close (staged or not) follows it.
    var isWritingLastResponse: Bool { if case .writing(closeAfter: true, _) = phase { return true } else { return false } }
    var isDraining: Bool { if case .draining = phase { return true } else { return false } }

    /// Whether `event` can happen in `phase`; the table test checks every pair against its own list.
    static func isLegal(_ event: Event, in phase: Phase) -> Bool {
        switch (event, phase) {
        case (.requestBytesArrived, .awaitingRequest): return true
        case (.headReceived, .awaitingRequest), (.headReceived, .receivingHead): return true
        case (.bodyProgress, .receivingBody), (.messageReceived, .receivingBody): return true
        case (.responseQueued, .handling): return true
        case (.refusalQueued, .awaitingRequest), (.refusalQueued, .receivingHead), (.refusalQueued, .receivingBody):
            return true
        case (.writeProgress, .writing), (.outputDrained, .writing): return true
        case (.bytesDropped, .draining): return true
        case (.peerClosed, _), (.failed, _), (.deadlinePassed, _), (.retire, _): return phase != .closed
        default: return false
        }
    }

    /// The session called an event its phase cannot have: its bug, never the client's.
    private mutating func illegal(_ event: Event) -> Action {
        assertionFailure("ConnectionLifecycle: event \(event) in phase \(phase)")
        phase = .closed
        return .close
    }

    /// The first byte of a request arrived (or was found buffered) while waiting for one.
    mutating func requestBytesArrived(now: UInt64) {
        switch phase {
        case .awaitingRequest:
            phase = .receivingHead
            deadline = now &+ timeouts.header
        case .receivingHead, .receivingBody, .handling, .writing, .draining, .closed:
            _ = illegal(.requestBytesArrived)
        }
    }

    /// The head is complete (in the same read as its first byte, or later).
    mutating func headReceived(now: UInt64) {
        switch phase {
        case .awaitingRequest, .receivingHead:
            phase = .receivingBody
            deadline = now &+ timeouts.bodyIdle
        case .receivingBody, .handling, .writing, .draining, .closed:
            _ = illegal(.headReceived)
        }
    }

    /// Body bytes arrived: the body deadline is an idle deadline, it moves with progress.
    mutating func bodyProgress(now: UInt64) {
        switch phase {
        case .receivingBody: deadline = now &+ timeouts.bodyIdle
        case .awaitingRequest, .receivingHead, .handling, .writing, .draining, .closed: _ = illegal(.bodyProgress)
        }
    }

    /// The message is complete: the application takes it, with no deadline (harakiri is the master's).
    mutating func messageReceived() {
        switch phase {
        case .receivingBody:
            phase = .handling
            deadline = .max
        case .awaitingRequest, .receivingHead, .handling, .writing, .draining, .closed:
            _ = illegal(.messageReceived)
        }
    }

    /// The application's response is queued. Returns whether the connection closes after it.
    /// `keepAlive`: the request allows another (RFC 9112 §9.3); `morePipelined`: bytes of another
    /// request wait, which a retiring worker still answers before closing after the last.
    mutating func responseQueued(keepAlive: Bool, morePipelined: Bool, now: UInt64) -> Bool {
        switch phase {
        case .handling:
            let closeAfter = !keepAlive || (retiring && !morePipelined)
            // Only the client's own close lets us close at once; the server's close is staged.
            phase = .writing(closeAfter: closeAfter, clientClosing: !keepAlive && !retiring)
            deadline = now &+ timeouts.write
            return closeAfter
        case .awaitingRequest, .receivingHead, .receivingBody, .writing, .draining, .closed:
            _ = illegal(.responseQueued)
            return true
        }
    }

    /// A refusal (a parse error, a timeout) is queued: whatever follows is not parsed, and the
    /// connection closes in stages after it.
    mutating func refusalQueued(now: UInt64) {
        switch phase {
        case .awaitingRequest, .receivingHead, .receivingBody:
            phase = .writing(closeAfter: true, clientClosing: false)
            deadline = now &+ timeouts.write
        case .handling, .writing, .draining, .closed:
            _ = illegal(.refusalQueued)
        }
    }

    /// Some output was written: the write deadline is an idle deadline too.
    mutating func writeProgress(now: UInt64) {
        switch phase {
        case .writing: deadline = now &+ timeouts.write
        case .awaitingRequest, .receivingHead, .receivingBody, .handling, .draining, .closed:
            _ = illegal(.writeProgress)
        }
    }

    /// The response is out. `unreadBytesWaiting`: bytes sit in our buffer or the socket's queue;
    /// they would make close() send an RST, so a client that asked to close is closed at once only
    /// when there are none (RFC 9112 §9.6).
    mutating func outputDrained(unreadBytesWaiting: Bool, now: UInt64) -> Action {
        switch phase {
        case .writing(let closeAfter, let clientClosing):
            requestsServed += 1
            if closeAfter {
                if clientClosing && !unreadBytesWaiting {
                    phase = .closed
                    return .close
                }
                phase = .draining(bytesDropped: 0)
                deadline = now &+ timeouts.drain
                return .shutdownWriteAndDrain
            }
            phase = .awaitingRequest
            deadline = now &+ (retiring ? min(timeouts.keepAliveIdle, retireGrace) : timeouts.keepAliveIdle)
            return .parse
        case .awaitingRequest, .receivingHead, .receivingBody, .handling, .draining, .closed:
            return illegal(.outputDrained)
        }
    }

    /// Bytes read and thrown away while draining; .close once the budget is spent.
    mutating func bytesDropped(_ count: Int) -> Action {
        switch phase {
        case .draining(let dropped):
            let total = dropped + count
            if total >= timeouts.drainBytes {
                phase = .closed
                return .close
            }
            phase = .draining(bytesDropped: total)
            return .none
        case .awaitingRequest, .receivingHead, .receivingBody, .handling, .writing, .closed:
            return illegal(.bytesDropped)
        }
    }

    /// The client closed its side (read returned 0).
    mutating func peerClosed() -> Action {
        switch phase {
        case .handling, .writing:
            // A half-closed client may still read the response (shutdown(SHUT_WR) after its request).
            return .none
        case .awaitingRequest, .receivingHead, .receivingBody, .draining:
            // An incomplete request is not answered (RFC 9112 §8).
            phase = .closed
            return .close
        case .closed:
            return illegal(.peerClosed)
        }
    }

    /// A reset, a write error, or anything else after which nothing more can be delivered.
    mutating func failed() -> Action {
        switch phase {
        case .awaitingRequest, .receivingHead, .receivingBody, .handling, .writing, .draining:
            phase = .closed
            return .close
        case .closed:
            return illegal(.failed)
        }
    }

    mutating func deadlinePassed(now: UInt64) -> Action {
        switch phase {
        case .closed:
            return illegal(.deadlinePassed)
        case _ where now < deadline:
            // A timer entry armed for an earlier deadline that has since moved.
            return .none
        case .awaitingRequest, .draining, .writing:
            phase = .closed
            return .close
        case .receivingHead, .receivingBody:
            return .respondRequestTimeout
        case .handling:
            return .none
        }
    }

    /// The worker retires: later responses close the connection; an idle connection waits at most
    /// `grace` for the client's next request. Returns .close for an idle connection with no grace.
    mutating func retire(grace: UInt64, bufferedBytes: Bool, now: UInt64) -> Action {
        switch phase {
        case .closed:
            return illegal(.retire)
        case .awaitingRequest:
            retiring = true
            retireGrace = grace
            if grace == 0 && !bufferedBytes {
                phase = .closed
                return .close
            }
            deadline = min(deadline, now &+ grace)
            return .none
        case .receivingHead, .receivingBody, .handling, .writing, .draining:
            // A response already queued keeps the keep-alive it announced: the client may send its
            // next request on this connection, and that one is answered with Connection: close.
            retiring = true
            retireGrace = grace
            return .none
        }
    }
}
