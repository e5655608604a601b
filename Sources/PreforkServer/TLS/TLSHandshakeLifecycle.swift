/// The life of a connection on an `--https` listener until its session starts, without sockets:
/// peek at the first byte, run OpenSSL's handshake step by step as readiness allows (it never
/// blocks the loop), and end in exactly one way: the session starts (chosen by ALPN), a plain HTTP
/// request is refused in plain text, or the connection closes for a counted reason. `deadline`
/// (`--tls-handshake-timeout`) covers it all. Tested pair by pair (TLSHandshakeLifecycleTests).
///
/// awaitingClientHello ─TLS record→ handshaking(read|write) ─complete→ established
///         │  └─upper-case letter→ refusingPlainHTTP                 └─failed→ closed(reason)
///         └─other byte, EOF, deadline→ closed(reason)
struct TLSHandshakeLifecycle: Lifecycle {
    /// Which readiness OpenSSL waits for.
    enum Direction: Equatable {
        case read, write
    }

    enum State: Equatable {
        /// Accepted; the first byte has not arrived.
        case awaitingClientHello
        /// SSL_do_handshake is under way and waits for `Direction`.
        case handshaking(Direction)
        /// The session took the connection over.
        case established
        /// A plain HTTP request: an HTTP/1.1 session answers 400 and closes in stages.
        case refusingPlainHTTP
        case closed(CloseReason)
    }

    /// Why a connection ended before its session started; each is a stats counter except
    /// `clientLeft` before any byte (a probe or a client that changed its mind).
    enum CloseReason: Equatable {
        /// `--tls-handshake-timeout` passed: a client that stopped mid-handshake (or never began).
        case timeout
        /// The first byte was neither a TLS record nor a request method.
        case garbage
        /// The client sent an alert (e.g. it did not trust our certificate).
        case alertReceived
        /// The client offered ALPN but nothing we speak: answered no_application_protocol.
        case alpnRefused
        /// OpenSSL refused the handshake: a malformed ClientHello, no common version or cipher.
        case handshakeFailed
        /// EOF or reset before the first byte.
        case clientLeft
    }

    /// What a peek at the first byte found.
    enum FirstBytes: Equatable {
        case byte(ConnectionPreamble)
        /// Nothing yet (EAGAIN).
        case nothingYet
        /// EOF or reset.
        case gone
    }

    /// What one SSL_do_handshake call returned.
    enum HandshakeStep: Equatable {
        case complete
        case wants(Direction)
        case failed(CloseReason)
    }

    enum Event: Equatable {
        /// The socket is ready (epoll) or the connection was just accepted.
        case socketReady
        case peeked(FirstBytes)
        case stepped(HandshakeStep)
        case deadlinePassed
    }

    enum Action: Equatable {
        case peek
        case runHandshake
        case waitFor(Direction)
        case refusePlainHTTP
        case startSession
        case close(CloseReason)
    }

    private(set) var state: State = .awaitingClientHello
    let deadline: UInt64

    init(deadline: UInt64) { self.deadline = deadline }

    mutating func handle(_ event: Event) -> [Action] { Self.apply(event, to: &state) }

    static func transition(from state: State, on event: Event) -> Transition<State, Action> {
        switch (state, event) {
        case (.awaitingClientHello, .socketReady):
            return .next(state, [.peek])
        case (.awaitingClientHello, .peeked(.byte(.tlsHandshake))):
            return .next(.handshaking(.read), [.runHandshake])
        case (.awaitingClientHello, .peeked(.byte(.plainHTTP))):
            return .next(.refusingPlainHTTP, [.refusePlainHTTP])
        case (.awaitingClientHello, .peeked(.byte(.garbage))):
            return .next(.closed(.garbage), [.close(.garbage)])
        case (.awaitingClientHello, .peeked(.nothingYet)):
            return .next(state, [.waitFor(.read)])
        case (.awaitingClientHello, .peeked(.gone)):
            return .next(.closed(.clientLeft), [.close(.clientLeft)])
        case (.awaitingClientHello, .stepped):
            // No handshake runs before the first byte said TLS.
            return .illegal

        case (.handshaking, .socketReady):
            return .next(state, [.runHandshake])
        case (.handshaking, .peeked):
            // The first byte is peeked once.
            return .illegal
        case (.handshaking, .stepped(.complete)):
            return .next(.established, [.startSession])
        case (.handshaking, .stepped(.wants(let direction))):
            return .next(.handshaking(direction), [.waitFor(direction)])
        case (.handshaking, .stepped(.failed(let reason))):
            return .next(.closed(reason), [.close(reason)])

        case (.awaitingClientHello, .deadlinePassed), (.handshaking, .deadlinePassed):
            return .next(.closed(.timeout), [.close(.timeout)])

        case (.established, _), (.refusingPlainHTTP, _), (.closed, _):
            // The connection belongs to its session now, or is gone: its handler and timer are not ours.
            return .illegal
        }
    }
}
