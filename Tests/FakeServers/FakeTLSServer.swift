import CTLS
import Foundation
import Glibc

/// A TLS origin for the harness's TLS tests (OpenSSL through CTLS), one thread per connection, each
/// connection doing what the script says: answer HTTP/1.1 like the lenient fake, abort the
/// handshake, answer and then reset, or relay the plaintext to a cleartext server on loopback (one
/// send per record read, the server's close as close_notify, its reset as a reset), which puts any
/// cleartext server behind https. It keeps what each connection showed: the SNI, the ALPN chosen,
/// the version, whether the session resumed, the plaintext length of every record read (SSL_read
/// returns one record at most), and whether the client sent close_notify. Session tickets are on
/// (OpenSSL's defaults), so a client can resume on a later connection.
public final class FakeTLSServer: @unchecked Sendable {
    public enum Behaviour: Sendable, Equatable {
        /// `ok N` to every request (LenientAnswer), close after `Connection: close`.
        case answer
        /// Read the start of the ClientHello, then close: the client's handshake fails.
        case abortHandshake
        /// The first request's answer, then a reset (SO_LINGER 0).
        case answerThenReset
        /// Relay to 127.0.0.1:port.
        case relay(port: UInt16)
    }

    public struct Options: Sendable {
        public var certificate: String
        public var key: String
        /// The server's ALPN preference; empty: no ALPN.
        public var alpn: [String] = ["http/1.1"]
        public var maxVersion = TLS1_3_VERSION
        /// The behaviour of the n-th connection (0-based, in accept order).
        public var script: @Sendable (Int) -> Behaviour = { _ in .answer }

        public init(certificate: String, key: String) {
            self.certificate = certificate
            self.key = key
        }
    }

    /// What one connection showed.
    public struct Seen: Sendable, Equatable {
        public var serverName: String?
        public var alpn: String?
        public var version = ""
        public var resumed = false
        public var handshakeCompleted = false
        public var records: [Int] = []
        public var closeNotify = false
    }

    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    public let port: UInt16
    private let listener: Int32
    private let context: OpaquePointer
    private let options: Options
    private let lock = NSLock()
    private var log: [Int: Seen] = [:]

    public init(_ options: Options) throws {
        _ = ctls_init()
        signal(SIGPIPE, SIG_IGN)
        guard let context = SSL_CTX_new(TLS_server_method()) else { throw Failure(description: "SSL_CTX_new failed") }
        self.context = context
        self.options = options
        guard ctls_ctx_limit_versions(context, TLS1_2_VERSION, options.maxVersion) == 1 else {
            throw Failure(description: "cannot limit the versions")
        }
        var message = [CChar](repeating: 0, count: 512)
        guard ctls_ctx_use_pem_files(context, options.certificate, options.key, &message, message.count) == 1 else {
            throw Failure(description: String(decoding: message.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
        }
        let wire = options.alpn.flatMap { [UInt8($0.utf8.count)] + Array($0.utf8) }
        if !wire.isEmpty { _ = ctls_ctx_set_alpn_protocols(context, wire, wire.count) }
        (listener, port) = try LoopbackListener.open(backlog: 128)
        LoopbackListener.serve(listener) { [self] fd, index in
            lock.withLock { log[index] = Seen() }
            handle(fd, index: index, behaviour: options.script(index))
        }
    }

    /// Every connection so far, in accept order (those still open as far as they got).
    public var seen: [Seen] { lock.withLock { log.keys.sorted().compactMap { log[$0] } } }

    /// Ends the accept loop.
    public func stop() { LoopbackListener.stop(listener) }

    private func update(_ index: Int, _ change: (inout Seen) -> Void) {
        lock.withLock { change(&log[index, default: Seen()]) }
    }

    private func handle(_ fd: Int32, index: Int, behaviour: Behaviour) {
        var timeout = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var one: Int32 = 1
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        if behaviour == .abortHandshake {
            // The whole ClientHello record is read, so the close is a FIN, not a reset over unread bytes.
            var header = [UInt8](repeating: 0, count: 5)
            if recv(fd, &header, header.count, Int32(MSG_WAITALL)) == 5 {
                var body = [UInt8](repeating: 0, count: Int(header[3]) << 8 | Int(header[4]))
                _ = recv(fd, &body, body.count, Int32(MSG_WAITALL))
            }
            close(fd)
            return
        }
        guard let ssl = SSL_new(context) else {
            close(fd)
            return
        }
        defer { SSL_free(ssl) }
        SSL_set_fd(ssl, fd)
        ctls_clear_errors()
        guard SSL_accept(ssl) == 1 else {
            close(fd)
            return
        }
        var alpn = [CChar](repeating: 0, count: 256)
        ctls_selected_alpn(ssl, &alpn, alpn.count)
        update(index) { seen in
            seen.handshakeCompleted = true
            seen.serverName = ctls_requested_server_name(ssl).map { String(cString: $0) }
            let chosen = String(decoding: alpn.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            seen.alpn = chosen.isEmpty ? nil : chosen
            seen.version = String(cString: SSL_get_version(ssl))
            seen.resumed = SSL_session_reused(ssl) == 1
        }
        if case .relay(let port) = behaviour {
            relay(ssl, fd: fd, index: index, to: port)
        } else {
            answer(ssl, fd: fd, index: index, thenReset: behaviour == .answerThenReset)
        }
    }

    /// One SSL_read: the record's plaintext, nil at close_notify, an error or a timeout.
    private func readRecord(_ ssl: OpaquePointer, index: Int) -> [UInt8]? {
        var buffer = [UInt8](repeating: 0, count: 65536)
        ctls_clear_errors()
        let count = SSL_read(ssl, &buffer, Int32(buffer.count))
        if count > 0 {
            update(index) { $0.records.append(Int(count)) }
            return Array(buffer[0..<Int(count)])
        }
        if SSL_get_error(ssl, count) == SSL_ERROR_ZERO_RETURN { update(index) { $0.closeNotify = true } }
        return nil
    }

    private func writeAll(_ ssl: OpaquePointer, _ bytes: [UInt8]) {
        _ = bytes.withUnsafeBytes { SSL_write(ssl, $0.baseAddress, Int32($0.count)) }
    }

    private func answer(_ ssl: OpaquePointer, fd: Int32, index: Int, thenReset: Bool) {
        var pending: [UInt8] = []
        while let record = readRecord(ssl, index: index) {
            pending += record
            while let answer = LenientAnswer.next(&pending) {
                writeAll(ssl, answer.response)
                if thenReset {
                    // The answer is on its way before the reset, as a server's refusal would be.
                    usleep(50_000)
                    var linger = Glibc.linger(l_onoff: 1, l_linger: 0)
                    setsockopt(fd, SOL_SOCKET, SO_LINGER, &linger, socklen_t(MemoryLayout<Glibc.linger>.size))
                    close(fd)
                    return
                }
                if answer.close { return closeGracefully(ssl, fd: fd) }
            }
        }
        closeGracefully(ssl, fd: fd)
    }

    /// close_notify, our write side shut, what the client still sends drained (up to 1 s), close.
    private func closeGracefully(_ ssl: OpaquePointer, fd: Int32) {
        _ = SSL_shutdown(ssl)
        shutdown(fd, Int32(SHUT_WR))
        var waiter = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        var scratch = [UInt8](repeating: 0, count: 4096)
        while poll(&waiter, 1, 1000) > 0 && recv(fd, &scratch, scratch.count, 0) > 0 {}
        close(fd)
    }

    private func relay(_ ssl: OpaquePointer, fd: Int32, index: Int, to port: UInt16) {
        let backend = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(backend, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
        guard connected else {
            close(backend)
            return closeGracefully(ssl, fd: fd)
        }
        var one: Int32 = 1
        setsockopt(backend, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        var clientOpen = true
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            var waiters = [pollfd(fd: clientOpen ? fd : -1, events: Int16(POLLIN), revents: 0),
                           pollfd(fd: backend, events: Int16(POLLIN), revents: 0)]
            let clientBuffered = clientOpen && SSL_pending(ssl) > 0
            guard clientBuffered || poll(&waiters, 2, 10_000) > 0 else { break }
            if clientBuffered || waiters[0].revents != 0 {
                if let record = readRecord(ssl, index: index) {
                    _ = record.withUnsafeBytes { send(backend, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
                } else {
                    // close_notify or the client's close: the origin sees the end of the request stream.
                    clientOpen = false
                    shutdown(backend, Int32(SHUT_WR))
                }
                continue
            }
            if waiters[1].revents != 0 {
                let count = recv(backend, &buffer, buffer.count, 0)
                if count > 0 {
                    writeAll(ssl, Array(buffer[0..<count]))
                } else if count == 0 {
                    break
                } else {
                    // The origin reset: so does the front.
                    var linger = Glibc.linger(l_onoff: 1, l_linger: 0)
                    setsockopt(fd, SOL_SOCKET, SO_LINGER, &linger, socklen_t(MemoryLayout<Glibc.linger>.size))
                    close(backend)
                    close(fd)
                    return
                }
            }
        }
        close(backend)
        closeGracefully(ssl, fd: fd)
    }
}
