import CathammerContract
import CTLS
@preconcurrency import Glibc

/// The one client transport of the harness: a TCP connection, or TLS over one, for byte-exact
/// traffic. The corpus runner, the fuzzer, the load generator, the control fetches and the
/// readiness probes all go through it.
///
/// - `send` writes exactly the given bytes as one write: over TLS one `SSL_write` of the whole
///   step, i.e. one TLS record (a step above 16,384 bytes, the largest record, takes several),
///   flushed at once (TCP_NODELAY). One byte per `send` is one record per byte.
/// - `halfClose` shuts our write side: over TCP SHUT_WR; over TLS close_notify, then SHUT_WR.
/// - Reads are bounded by poll and tolerate resets: what arrived before a reset (over TLS, what
///   OpenSSL already decrypted) is returned first, the reset after it.
///
/// Blocking style for threads: every wait is a poll with a timeout; the socket itself is
/// non-blocking so a stalled peer can never hold a read or a write past its bound.
/// One connection is used by one thread at a time.
public final class ClientConnection {
    public enum Ending: String, Sendable, Equatable {
        /// The server closed (FIN, or close_notify over TLS).
        case eof
        /// The server reset the connection.
        case reset
        /// Nothing arrived within the wait; the connection is still open.
        case timeout
    }

    public enum SendResult: Equatable, Sendable {
        case complete
        /// The bytes could not all go: `written` of them had left before the error.
        case failed(written: Int, errno: Int32)

        public var isComplete: Bool { self == .complete }
    }

    /// One read: bytes, or how the stream ended (or that nothing came in time).
    public enum Received: Equatable, Sendable {
        case bytes([UInt8])
        case ended(Ending)
    }

    public struct Reply: Sendable, Equatable {
        public var bytes: [UInt8]
        public var ending: Ending
    }

    /// The largest TLS record's plaintext (RFC 8446 §5.1): a longer step is cut into records.
    public static let maximumRecordPlaintext = 16384

    public let endpoint: Endpoint
    public let fd: Int32
    /// When the connection was established (MonotonicClock nanoseconds).
    public let openedAt: UInt64
    /// What the TLS handshake negotiated; nil over cleartext.
    public private(set) var tls: TLSSessionInfo?
    /// TLS records written so far (0 over cleartext): the record plan, as sent.
    public private(set) var recordsSent = 0
    /// A TLS error that ended reading (an alert from the server, a bad record), when one did.
    public private(set) var tlsReadFailure: String?

    private let writeTimeout: Double
    private var ssl: OpaquePointer?
    private var state = ClientConnectionLifecycle.State.connecting
    /// Once reading ended, later reads report the same ending without touching OpenSSL again.
    private var readEnded: Ending?
    /// A fatal TLS error happened (a failed write or read): OpenSSL must not be asked to shut down.
    private var tlsBroken = false
    /// One read buffer per connection, taken on the first read.
    private var buffer: [UInt8] = []

    /// Connects within `timeout` seconds, with TCP_NODELAY; the TLS handshake gets `handshakeTimeout`
    /// (default: the same bound). Over TLS the newest session of the target is offered when `offerSession`.
    public init(to endpoint: Endpoint, timeout: Double = 5, handshakeTimeout: Double? = nil, offerSession: Bool = true) throws(TransportError) {
        self.endpoint = endpoint
        writeTimeout = max(timeout, 1)
        fd = try Self.connect(endpoint, timeout: timeout)
        var one: Int32 = 1
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        openedAt = MonotonicClock.now()
        for action in ClientConnectionLifecycle.apply(.connected(tls: endpoint.isTLS), to: &state) where action == .startHandshake {
            do throws(TransportError) {
                try handshake(timeout: handshakeTimeout ?? timeout, offerSession: offerSession)
            } catch {
                release(ClientConnectionLifecycle.apply(.connectFailed, to: &state))
                throw error
            }
            _ = ClientConnectionLifecycle.apply(.handshakeFinished, to: &state)
        }
    }

    deinit { close() }

    // MARK: Writing

    /// Writes all of `bytes` as one write (one TLS record up to 16 KiB); waits at most the
    /// connect timeout (1 s at least) for the socket to take more.
    @discardableResult
    public func send(_ bytes: [UInt8]) -> SendResult {
        for action in ClientConnectionLifecycle.apply(.send, to: &state) {
            switch action {
            case .refuseWrite: return .failed(written: 0, errno: EPIPE)
            case .write: return ssl.map { write(bytes, over: $0) } ?? write(bytes)
            default: break
            }
        }
        return .failed(written: 0, errno: EBADF)
    }

    private func write(_ bytes: [UInt8]) -> SendResult {
        var sent = 0
        while sent < bytes.count {
            let count = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress! + sent, $0.count - sent, Int32(MSG_NOSIGNAL)) }
            if count > 0 {
                sent += count
                continue
            }
            if count < 0 && errno == EINTR { continue }
            if count < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) {
                if wait(for: Int16(POLLOUT), seconds: writeTimeout) { continue }
                return .failed(written: sent, errno: ETIMEDOUT)
            }
            return .failed(written: sent, errno: count == 0 ? EPIPE : errno)
        }
        return .complete
    }

    private func write(_ bytes: [UInt8], over ssl: OpaquePointer) -> SendResult {
        guard !bytes.isEmpty else { return .complete }
        while true {
            ctls_clear_errors()
            // Without SSL_MODE_ENABLE_PARTIAL_WRITE, one call writes the whole step or nothing;
            // a retry after WANT_* repeats the same call, so the record stays one record.
            let result = bytes.withUnsafeBytes { SSL_write(ssl, $0.baseAddress, Int32($0.count)) }
            if result > 0 {
                recordsSent += (bytes.count + Self.maximumRecordPlaintext - 1) / Self.maximumRecordPlaintext
                return .complete
            }
            let code = errno
            switch SSL_get_error(ssl, result) {
            case SSL_ERROR_WANT_WRITE:
                if !wait(for: Int16(POLLOUT), seconds: writeTimeout) { return .failed(written: 0, errno: ETIMEDOUT) }
            case SSL_ERROR_WANT_READ:
                if !wait(for: Int16(POLLIN), seconds: writeTimeout) { return .failed(written: 0, errno: ETIMEDOUT) }
            default:
                tlsBroken = true
                return .failed(written: 0, errno: code != 0 ? code : EPIPE)
            }
        }
    }

    /// Half-closes: the server sees the end of our stream after what was sent.
    public func halfClose() {
        for action in ClientConnectionLifecycle.apply(.halfClose, to: &state) {
            switch action {
            case .sendCloseNotify:
                guard let ssl, !tlsBroken else { continue }
                ctls_clear_errors()
                // 0: close_notify sent (the server's may follow); WANT_WRITE: the socket is full.
                if SSL_shutdown(ssl) < 0, SSL_get_error(ssl, -1) == SSL_ERROR_WANT_WRITE, wait(for: Int16(POLLOUT), seconds: writeTimeout) {
                    _ = SSL_shutdown(ssl)
                }
            case .shutdownWrite:
                shutdown(fd, Int32(SHUT_WR))
            default:
                break
            }
        }
    }

    // MARK: Reading

    /// One read of at most `maximum` bytes, waiting up to `timeout` seconds (0: only what is there).
    public func receive(timeout: Double, maximum: Int = 65536) -> Received {
        guard ClientConnectionLifecycle.apply(.receive, to: &state).contains(.read) else { return .ended(.eof) }
        if let readEnded { return .ended(readEnded) }
        let deadline = MonotonicClock.now() + UInt64(max(0, timeout) * 1e9)
        if buffer.count < maximum { buffer = [UInt8](repeating: 0, count: maximum) }
        let received = ssl.map { read(maximum, over: $0, until: deadline) } ?? read(maximum, until: deadline)
        if case .ended(let ending) = received, ending != .timeout { readEnded = ending }
        return received
    }

    private func read(_ maximum: Int, until deadline: UInt64) -> Received {
        while true {
            guard wait(for: Int16(POLLIN), until: deadline) else { return .ended(.timeout) }
            let count = recv(fd, &buffer, maximum, 0)
            if count > 0 { return .bytes(Array(buffer[0..<count])) }
            if count == 0 { return .ended(.eof) }
            if errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK { continue }
            return .ended(.reset)
        }
    }

    private func read(_ maximum: Int, over ssl: OpaquePointer, until deadline: UInt64) -> Received {
        // Decrypted bytes OpenSSL holds are not visible to poll: take them first.
        var ready = SSL_pending(ssl) > 0
        while true {
            if !ready && !wait(for: Int16(POLLIN), until: deadline) { return .ended(.timeout) }
            ctls_clear_errors()
            let count = SSL_read(ssl, &buffer, Int32(maximum))
            if count > 0 { return .bytes(Array(buffer[0..<Int(count)])) }
            let code = errno
            switch SSL_get_error(ssl, count) {
            case SSL_ERROR_WANT_READ:
                // Half a record, or only session tickets: wait for more.
                ready = false
            case SSL_ERROR_WANT_WRITE:
                ready = wait(for: Int16(POLLOUT), until: deadline)
                if !ready { return .ended(.timeout) }
            case SSL_ERROR_ZERO_RETURN:
                return .ended(.eof)
            case SSL_ERROR_SYSCALL:
                tlsBroken = true
                return .ended(code == ECONNRESET || code == EPIPE ? .reset : .eof)
            default:
                tlsBroken = true
                // A fatal alert from the server or a record that does not decrypt ends the stream;
                // a reset under it is still a reset.
                let alert = ctls_received_alert(ssl)
                tlsReadFailure = alert >= 0 ? "the server sent the alert '\(String(cString: SSL_alert_desc_string_long(alert)))'"
                    : TLSClientContext.takeError()
                return .ended(code == ECONNRESET ? .reset : .eof)
            }
        }
    }

    /// Reads until EOF, a reset, or `idleTimeout` seconds without a byte. With `returnAfterData`,
    /// returns as soon as what has arrived is read (ending `.timeout`: the connection is open).
    public func readUntilClosed(idleTimeout: Double = 5, limit: Int = 64 * 1024 * 1024, returnAfterData: Bool = false) -> Reply {
        var reply = Reply(bytes: [], ending: .timeout)
        while reply.bytes.count < limit {
            let wait = returnAfterData && !reply.bytes.isEmpty ? 0 : idleTimeout
            switch receive(timeout: wait) {
            case .bytes(let bytes):
                reply.bytes += bytes
            case .ended(let ending):
                reply.ending = ending
                return reply
            }
        }
        return reply
    }

    /// Closes the socket (without close_notify: a half-close is a step of its own). Idempotent.
    public func close() {
        guard state != .closed else { return }
        release(ClientConnectionLifecycle.apply(.close, to: &state))
    }

    private func release(_ actions: [ClientConnectionLifecycle.Action]) {
        guard actions.contains(.release) else { return }
        if let ssl {
            // Closing without close_notify is how a test ends a connection, not a sign of a bad
            // session: without this, OpenSSL would mark the session unresumable when it is freed.
            if tls != nil { SSL_set_shutdown(ssl, SSL_SENT_SHUTDOWN) }
            SSL_free(ssl)
        }
        ssl = nil
        _ = Glibc.close(fd)
    }

    // MARK: Establishing

    private static func connect(_ endpoint: Endpoint, timeout: Double) throws(TransportError) -> Int32 {
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_flags = AI_NUMERICSERV
        var list: UnsafeMutablePointer<addrinfo>?
        // localhost is 127.0.0.1 here: a server listening on IPv4 only must not depend on the resolver's order.
        let status = getaddrinfo(endpoint.host == "localhost" ? "127.0.0.1" : endpoint.host, String(endpoint.port), &hints, &list)
        guard status == 0, let info = list else {
            throw .unresolvable(host: endpoint.host, reason: String(cString: gai_strerror(status)))
        }
        defer { freeaddrinfo(list) }
        let fd = socket(info.pointee.ai_family, Int32(SOCK_STREAM.rawValue | SOCK_CLOEXEC.rawValue | SOCK_NONBLOCK.rawValue), 0)
        guard fd >= 0 else { throw .connectFailed(authority: endpoint.authority, errno: errno) }
        var code: Int32 = 0
        if Glibc.connect(fd, info.pointee.ai_addr, info.pointee.ai_addrlen) != 0 {
            code = errno
            if code == EINPROGRESS {
                var waiter = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
                guard poll(&waiter, 1, Int32(timeout * 1000)) == 1 else {
                    _ = Glibc.close(fd)
                    throw .connectTimeout(authority: endpoint.authority, seconds: timeout)
                }
                var length = socklen_t(MemoryLayout<Int32>.size)
                getsockopt(fd, SOL_SOCKET, SO_ERROR, &code, &length)
            }
        }
        guard code == 0 else {
            _ = Glibc.close(fd)
            throw code == ECONNREFUSED ? .refused(authority: endpoint.authority) : .connectFailed(authority: endpoint.authority, errno: code)
        }
        return fd
    }

    private func handshake(timeout: Double, offerSession: Bool) throws(TransportError) {
        let authority = endpoint.authority
        guard let context = endpoint.tls, let ssl = context.startSession(fd: fd, host: endpoint.host, offerSession: offerSession) else {
            throw .tlsHandshake(authority: authority, reason: "OpenSSL could not start a session")
        }
        self.ssl = ssl
        let deadline = MonotonicClock.now() + UInt64(timeout * 1e9)
        while true {
            ctls_clear_errors()
            let result = SSL_do_handshake(ssl)
            if result == 1 { break }
            let code = errno
            switch SSL_get_error(ssl, result) {
            case SSL_ERROR_WANT_READ:
                guard wait(for: Int16(POLLIN), until: deadline) else {
                    throw .tlsHandshake(authority: authority, reason: "no answer from the server within \(timeout) s")
                }
            case SSL_ERROR_WANT_WRITE:
                guard wait(for: Int16(POLLOUT), until: deadline) else {
                    throw .tlsHandshake(authority: authority, reason: "the socket took no data within \(timeout) s")
                }
            case SSL_ERROR_SYSCALL, SSL_ERROR_ZERO_RETURN:
                throw .tlsHandshake(authority: authority, reason: code == ECONNRESET ? "the server reset the connection during the handshake"
                                    : "the server closed the connection during the handshake")
            default:
                let verification = SSL_get_verify_result(ssl)
                if verification != X509_V_OK {
                    throw .tlsVerification(authority: authority, reason: String(cString: X509_verify_cert_error_string(verification)))
                }
                let alert = ctls_received_alert(ssl)
                if alert >= 0 {
                    throw .tlsHandshake(authority: authority, reason: "the server sent the alert '\(String(cString: SSL_alert_desc_string_long(alert)))'")
                }
                throw .tlsHandshake(authority: authority, reason: TLSClientContext.takeError())
            }
        }
        tls = TLSSessionInfo(ssl: ssl)
    }

    // MARK: Waiting

    private func wait(for events: Int16, seconds: Double) -> Bool {
        wait(for: events, until: MonotonicClock.now() + UInt64(seconds * 1e9))
    }

    /// Polls until `events` (or an error or hang-up, which the next call reports) or the deadline.
    private func wait(for events: Int16, until deadline: UInt64) -> Bool {
        var waiter = pollfd(fd: fd, events: events, revents: 0)
        while true {
            let now = MonotonicClock.now()
            let remaining = deadline > now ? Int32(min(Double(deadline - now) / 1e6, Double(Int32.max)).rounded(.up)) : 0
            let ready = poll(&waiter, 1, remaining)
            if ready > 0 { return true }
            if ready == 0 { return false }
            if errno != EINTR { return true }
        }
    }
}
