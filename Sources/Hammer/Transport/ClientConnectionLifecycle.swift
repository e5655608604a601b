import CathammerContract

/// A harness client connection's life, without sockets: connecting, the TLS handshake, open, our
/// write side shut (a half-close: close_notify first over TLS), closed. `ClientConnection` feeds the
/// events and executes the actions. Tested pair by pair (ClientConnectionLifecycleTests).
///
/// connecting ─tcp→ handshaking ─finished→ open ─halfClose→ writeShut ─close→ closed
///     └─tcp (cleartext)───────────────────────↗   └──────────────close────────────↗
struct ClientConnectionLifecycle: Lifecycle {
    enum State: Equatable {
        case connecting
        case handshaking
        case open(tls: Bool)
        /// We half-closed: reads go on, writes are refused (the bytes could never leave).
        case writeShut(tls: Bool)
        case closed
    }

    enum Event: Hashable {
        /// The TCP connection is established.
        case connected(tls: Bool)
        case handshakeFinished
        /// TCP or TLS could not be established; the connection is never handed out.
        case connectFailed
        case send
        case receive
        case halfClose
        case close
    }

    enum Action: Equatable {
        case startHandshake
        case write
        /// Report the send as failed without touching the socket.
        case refuseWrite
        case read
        case sendCloseNotify
        case shutdownWrite
        /// Free the TLS session and close the socket.
        case release
    }

    static func transition(from state: State, on event: Event) -> Transition<State, Action> {
        switch (state, event) {
        case (.connecting, .connected(let tls)):
            return tls ? .next(.handshaking, [.startHandshake]) : .next(.open(tls: false), [])
        case (.connecting, .connectFailed), (.handshaking, .connectFailed):
            return .next(.closed, [.release])
        case (.handshaking, .handshakeFinished):
            return .next(.open(tls: true), [])
        case (.connecting, _), (.handshaking, _):
            // Nothing can use a connection before it is handed out.
            return .illegal

        case (.open, .send):
            return .next(state, [.write])
        case (.writeShut, .send):
            return .next(state, [.refuseWrite])
        case (.open, .receive), (.writeShut, .receive):
            return .next(state, [.read])
        case (.open(let tls), .halfClose):
            return .next(.writeShut(tls: tls), tls ? [.sendCloseNotify, .shutdownWrite] : [.shutdownWrite])
        case (.writeShut, .halfClose):
            // A second half-close has nothing left to shut.
            return .next(state, [])
        case (.open, .close), (.writeShut, .close):
            return .next(.closed, [.release])
        case (.open, _), (.writeShut, _):
            // Establishment events after the connection was handed out.
            return .illegal

        case (.closed, _):
            return .illegal
        }
    }
}
