import CTLS
import Foundation
import Glibc

/// A session a client kept to resume with later.
final class TLSTestSession: @unchecked Sendable {
    let pointer: OpaquePointer
    init(_ pointer: OpaquePointer) { self.pointer = pointer }
    deinit { SSL_SESSION_free(pointer) }
}

/// A small blocking TLS client over CTLS for the end-to-end tests, where a test needs what curl and
/// `openssl s_client` do not give it directly: the session object to resume with, the peer
/// certificate's name, whether close_notify ended the stream, an alert the server sent,
/// renegotiation. Reads are bounded by SO_RCVTIMEO.
final class TLSTestClient {
    struct Options {
        var serverName: String?
        /// Offered ALPN protocols; nil offers no ALPN at all.
        var alpn: [String]? = ["http/1.1"]
        var session: TLSTestSession?
        var minVersion = TLS1_2_VERSION
        var maxVersion = TLS1_3_VERSION
        /// Verify the server's certificate against the system store (ours are self-signed: the
        /// client then refuses them with an alert).
        var verify = false
    }

    /// How a read ended.
    enum Ending: Equatable {
        /// The server said close_notify.
        case closeNotify
        /// TCP EOF without close_notify.
        case eof
        /// A reset, an alert or another TLS error.
        case error
        case timeout
    }

    struct Failure: Error, CustomStringConvertible {
        var description: String
        /// The alert the server sent, if any (e.g. 120, no_application_protocol).
        var alertReceived: Int32
    }

    let fd: Int32
    private let context: OpaquePointer
    private let ssl: OpaquePointer

    init(port: UInt16, _ options: Options = Options(), readTimeout: Double = 10) throws {
        _ = ctls_init()
        // OpenSSL writes with write(2): a record sent after the server closed would raise SIGPIPE
        // and kill the whole test process (seen on a loaded machine in testBadInputIsCounted…);
        // ignored, the write fails with EPIPE and `send` returns false.
        signal(SIGPIPE, SIG_IGN)
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        self.fd = fd
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else {
            Glibc.close(fd)
            throw Failure(description: "connect to port \(port): \(String(cString: strerror(errno)))", alertReceived: -1)
        }
        Self.setReadTimeout(fd, readTimeout)
        let context = SSL_CTX_new(TLS_client_method())!
        self.context = context
        _ = ctls_ctx_limit_versions(context, options.minVersion, options.maxVersion)
        ctls_ctx_watch_connection_events(context)
        SSL_CTX_set_verify(context, options.verify ? SSL_VERIFY_PEER : SSL_VERIFY_NONE, nil)
        if options.verify { _ = SSL_CTX_set_default_verify_paths(context) }
        let ssl = SSL_new(context)!
        self.ssl = ssl
        _ = SSL_set_fd(ssl, fd)
        if let name = options.serverName { _ = ctls_set_server_name(ssl, name) }
        if let alpn = options.alpn {
            let wire = alpn.flatMap { [UInt8($0.utf8.count)] + Array($0.utf8) }
            _ = SSL_set_alpn_protos(ssl, wire, UInt32(wire.count))
        }
        // A copy again: the test may offer the same session on many connections.
        if let session = options.session, let copy = SSL_SESSION_dup(session.pointer) {
            _ = SSL_set_session(ssl, copy)
            SSL_SESSION_free(copy)
        }
        guard SSL_connect(ssl) == 1 else {
            var reason = [CChar](repeating: 0, count: 256)
            ctls_take_error(&reason, reason.count)
            // Fully initialized: deinit frees what was made.
            throw Failure(description: "TLS handshake: \(reason.withUnsafeBufferPointer { String(cString: $0.baseAddress!) })",
                          alertReceived: ctls_received_alert(ssl))
        }
    }

    deinit {
        SSL_free(ssl)
        SSL_CTX_free(context)
        Glibc.close(fd)
    }

    static func setReadTimeout(_ fd: Int32, _ seconds: Double) {
        var timeout = timeval(tv_sec: Int(seconds), tv_usec: Int((seconds - seconds.rounded(.down)) * 1_000_000))
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }

    var negotiatedProtocol: String? {
        var buffer = [CChar](repeating: 0, count: 64)
        ctls_selected_alpn(ssl, &buffer, buffer.count)
        return buffer[0] == 0 ? nil : buffer.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
    }

    var version: String { String(cString: SSL_get_version(ssl)) }
    var resumed: Bool { SSL_session_reused(ssl) == 1 }

    /// The common name of the certificate the server presented.
    var peerCommonName: String? {
        guard let certificate = SSL_get1_peer_certificate(ssl) else { return nil }
        defer { X509_free(certificate) }
        var buffer = [CChar](repeating: 0, count: 256)
        guard X509_NAME_get_text_by_NID(X509_get_subject_name(certificate), NID_commonName, &buffer, Int32(buffer.count)) > 0
        else { return nil }
        return buffer.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
    }

    /// A copy of the session to resume with (TLS 1.3 tickets arrive after the handshake: read a
    /// response first). A copy, because OpenSSL marks a connection's own session not resumable when
    /// the connection is freed without having sent close_notify.
    func session() -> TLSTestSession? {
        guard let current = SSL_get_session(ssl), SSL_SESSION_is_resumable(current) == 1,
              let copy = SSL_SESSION_dup(current)
        else { return nil }
        return TLSTestSession(copy)
    }

    @discardableResult
    func send(_ text: String) -> Bool { send(Array(text.utf8)) }

    /// One SSL_write per call: the bytes go out as one record (up to 16 KiB).
    @discardableResult
    func send(_ bytes: [UInt8]) -> Bool {
        var sent = 0
        while sent < bytes.count {
            var written = 0
            let ok = bytes.withUnsafeBytes { SSL_write_ex(ssl, $0.baseAddress! + sent, $0.count - sent, &written) }
            guard ok == 1 else { return false }
            sent += written
        }
        return true
    }

    /// Reads until the server ends the stream or `timeout` passes without data.
    func readUntilClosed(timeout: Double = 10) -> (text: String, bytes: [UInt8], ending: Ending) {
        Self.setReadTimeout(fd, timeout)
        var collected: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 16 * 1024)
        while true {
            var count = 0
            if buffer.withUnsafeMutableBytes({ SSL_read_ex(ssl, $0.baseAddress, $0.count, &count) }) == 1 {
                collected += buffer[0..<count]
                continue
            }
            let error = SSL_get_error(ssl, 0)
            let ending: Ending
            switch error {
            case SSL_ERROR_ZERO_RETURN: ending = .closeNotify
            case SSL_ERROR_WANT_READ: ending = .timeout
            case SSL_ERROR_SYSCALL where errno == 0: ending = .eof
            case SSL_ERROR_SSL where ctls_received_alert(ssl) < 0 && Self.unexpectedEOF(): ending = .eof
            default: ending = .error
            }
            ctls_clear_errors()
            return (String(decoding: collected, as: UTF8.self), collected, ending)
        }
    }

    /// Reads until `count` responses' worth of text ending in `marker` arrived, or `timeout`.
    func read(until marker: String, occurrences: Int = 1, timeout: Double = 10) -> String {
        Self.setReadTimeout(fd, timeout)
        var collected: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 16 * 1024)
        while String(decoding: collected, as: UTF8.self).components(separatedBy: marker).count - 1 < occurrences {
            var count = 0
            guard buffer.withUnsafeMutableBytes({ SSL_read_ex(ssl, $0.baseAddress, $0.count, &count) }) == 1 else { break }
            collected += buffer[0..<count]
        }
        ctls_clear_errors()
        return String(decoding: collected, as: UTF8.self)
    }

    /// OpenSSL 3 reports an EOF without close_notify as an SSL error with this reason.
    private static func unexpectedEOF() -> Bool {
        ERR_GET_REASON(ERR_peek_error()) == SSL_R_UNEXPECTED_EOF_WHILE_READING
    }

    /// Starts a TLS 1.2 renegotiation; false when the server refused it.
    func renegotiate() -> Bool {
        guard SSL_renegotiate(ssl) == 1 else { return false }
        let result = SSL_do_handshake(ssl)
        ctls_clear_errors()
        return result == 1
    }

    /// Runs `body` with the socket corked: the records it writes leave in one TCP segment, so they
    /// arrive in the server's receive queue together.
    func corked(_ body: () -> Void) {
        var on: Int32 = 1, off: Int32 = 0
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_CORK, &on, socklen_t(MemoryLayout<Int32>.size))
        body()
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_CORK, &off, socklen_t(MemoryLayout<Int32>.size))
    }

    /// close_notify only: the client is done sending and keeps reading (a TLS half-close).
    func sendCloseNotify() {
        _ = SSL_shutdown(ssl)
        ctls_clear_errors()
    }

    /// How the TCP stream ended under the TLS records, read after `readUntilClosed` saw close_notify:
    /// a FIN, or a reset (the server closed with our bytes unread, RFC 9112 §9.6).
    func tcpEnding(timeout: Double = 5) -> String {
        Self.setReadTimeout(fd, timeout)
        var byte: UInt8 = 0
        let count = recv(fd, &byte, 1, 0)
        if count == 0 { return "FIN" }
        if count < 0 { return errno == ECONNRESET ? "reset" : "error \(errno)" }
        return "more bytes"
    }

    /// close_notify, then close (or just close, without it).
    func close(notify: Bool = true) {
        if notify { _ = SSL_shutdown(ssl) }
        shutdown(fd, Int32(SHUT_RDWR))
    }
}
