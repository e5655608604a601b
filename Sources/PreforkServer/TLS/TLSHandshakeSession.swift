import CLinuxShim
import Glibc

/// A connection on an `--https` listener until its session starts: carries out what
/// `TLSHandshakeLifecycle` decides. It peeks at the first byte, steps OpenSSL's handshake as the
/// socket allows, and then hands the connection (the same fd, the same TLS transport) to the session
/// ALPN chose, or to an HTTP/1.1 session that refuses a plain HTTP request, through `Worker.handOver`.
final class TLSHandshakeSession: ServerSession {
    let fd: Int32
    private let transport: TLSTransport
    /// The worker owns its connections and outlives every one of them.
    unowned(unsafe) let worker: Worker
    private var lifecycle: TLSHandshakeLifecycle
    private var interest: UInt32 = 0
    var timerGeneration: UInt64 = 0

    static let plainHTTPRefusal = "plain HTTP request sent to an HTTPS port"

    init(transport: TLSTransport, worker: Worker, deadline: UInt64) {
        fd = transport.fd
        self.transport = transport
        self.worker = worker
        lifecycle = TLSHandshakeLifecycle(deadline: deadline)
    }

    func start() {
        worker.loop.schedule(self, at: lifecycle.deadline)
        // The ClientHello follows the TCP handshake a moment later: a peek at accept would nearly
        // always find nothing, so the first look waits for readiness.
        watch(TransportWaits.readable)
    }

    func handleEvents(_ events: UInt32, loop: EventLoop) { run(.socketReady) }

    func timerFired(loop: EventLoop) { run(.deadlinePassed) }

    /// The handshake goes on: the client has not sent a request yet. The session it starts is
    /// retired by `Worker.handOver` like any other.
    func retire(grace: UInt64) {}

    private func run(_ first: TLSHandshakeLifecycle.Event) {
        var next: TLSHandshakeLifecycle.Event? = first
        while let event = next {
            next = nil
            for action in lifecycle.handle(event) {
                switch action {
                case .peek: next = .peeked(peek())
                case .runHandshake: next = .stepped(transport.handshake())
                case .waitFor(let direction): watch(direction == .read ? TransportWaits.readable : TransportWaits.writable)
                case .refusePlainHTTP: refusePlainHTTP()
                case .startSession: startSession()
                case .close(let reason): close(reason)
                }
            }
        }
    }

    private func peek() -> TLSHandshakeLifecycle.FirstBytes {
        var byte: UInt8 = 0
        let count = recv(fd, &byte, 1, Int32(MSG_PEEK | MSG_DONTWAIT))
        if count == 1 { return .byte(ConnectionPreamble(firstByte: byte)) }
        if count < 0 && (errno == EAGAIN || errno == EINTR) { return .nothingYet }
        return .gone
    }

    private func watch(_ events: UInt32) {
        guard events != interest else { return }
        interest = events
        worker.loop.watch(fd, events: events, handler: self)
    }

    private func startSession() {
        worker.count(.tlsHandshakes)
        if transport.resumedSession { worker.count(.tlsResumed) }
        // A client that offered no ALPN speaks HTTP/1.1 (RFC 7301 §3.1 leaves the choice to us).
        let chosen = transport.negotiatedProtocol.flatMap(SessionProtocol.init(alpnIdentifier:)) ?? .http1
        timerGeneration &+= 1
        worker.handOver(fd, to: worker.makeSession(chosen, transport: .tls(transport)))
    }

    /// As nginx does: a plain-text 400 that says what happened, then the staged close of HTTP/1.1.
    private func refusePlainHTTP() {
        worker.count(.tlsPlainHTTP)
        transport.releaseKeepingSocket()
        timerGeneration &+= 1
        let session = HTTP1Session(transport: .plain(PlainTransport(fd: fd)), worker: worker, now: worker.loop.now,
                                   refusal: (400, Self.plainHTTPRefusal))
        worker.handOver(fd, to: session)
    }

    private func close(_ reason: TLSHandshakeLifecycle.CloseReason) {
        switch reason {
        case .timeout: worker.count(.tlsHandshakeTimeouts)
        case .garbage: worker.count(.tlsGarbage)
        case .alpnRefused: worker.count(.tlsALPNRefused)
        case .handshakeFailed: worker.count(.tlsHandshakeFailures)
        // Counted by the transport as it closes, with the alerts that end established connections.
        case .alertReceived: break
        case .clientLeft: break
        }
        timerGeneration &+= 1
        // close() removes the fd from the epoll set (nothing else holds it): no EPOLL_CTL_DEL needed.
        worker.loop.forget(fd)
        transport.close()
        worker.connectionClosed(self)
    }
}
