import CLinuxShim
import CTLS
import Glibc

/// TLS over an accepted, non-blocking socket, with OpenSSL. Nothing here blocks: every call returns
/// what it could do and remembers which readiness the stalled direction waits for (`waits`), since
/// SSL_read may have to write and SSL_write may have to read. The connection's events that the stats
/// count (alerts from the client, refused renegotiations, how files were sent) are recorded here.
final class TLSTransport {
    let fd: Int32
    private let ssl: OpaquePointer
    private(set) var waits = TransportWaits()
    private let scoreboard: ScoreboardSlot?
    /// The worker's loop outlives its connections; its dispatch count dates what reads found.
    private unowned(unsafe) let loop: EventLoop
    /// The dispatch in which OpenSSL's latest read of the socket found it drained (0: it did not),
    /// from the read watch `TLSServerContext.makeConnection` installs.
    private var socketDrainedInDispatch: UInt64 = 0
    /// After SSL_ERROR_SSL or SSL_ERROR_SYSCALL OpenSSL must not be asked to send anything (no close_notify).
    private var failed = false
    private var closeNotifySent = false
    /// SSL_free was called (the connection closed, or went to a plain session): nothing may touch `ssl`.
    private var released = false
    private var renegotiationsCounted: Int32 = 0
    /// The buffered file path: a chunk read from the file and not yet fully written. SSL_write must be
    /// retried with the same bytes after WANT_WRITE, so the chunk stays until it is all out.
    private var fileChunk: UnsafeMutableRawPointer?
    private var fileChunkCount = 0
    private var fileChunkSent = 0
    static let fileChunkCapacity = 16 * 1024

    init(fd: Int32, ssl: OpaquePointer, scoreboard: ScoreboardSlot?, loop: EventLoop) {
        self.fd = fd
        self.ssl = ssl
        self.scoreboard = scoreboard
        self.loop = loop
    }

    // MARK: - Handshake

    /// One step of the server handshake.
    func handshake() -> TLSHandshakeLifecycle.HandshakeStep {
        let result = SSL_do_handshake(ssl)
        noteSocketReads()
        if result == 1 { return .complete }
        switch SSL_get_error(ssl, result) {
        case SSL_ERROR_WANT_READ: return .wants(.read)
        case SSL_ERROR_WANT_WRITE: return .wants(.write)
        default:
            failed = true
            let reason: TLSHandshakeLifecycle.CloseReason
            if ctls_received_alert(ssl) > 0 {
                reason = .alertReceived
            } else if ctls_alpn_refused(ssl) == 1 {
                reason = .alpnRefused
            } else {
                reason = .handshakeFailed
            }
            ctls_clear_errors()
            return .failed(reason)
        }
    }

    /// The protocol ALPN chose; nil when the client offered no ALPN.
    var negotiatedProtocol: String? {
        var buffer = [CChar](repeating: 0, count: 256)
        ctls_selected_alpn(ssl, &buffer, buffer.count)
        return buffer[0] == 0 ? nil : buffer.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
    }

    var resumedSession: Bool { SSL_session_reused(ssl) == 1 }

    /// Whether OpenSSL moved the sending side into the kernel (kTLS): files then go out with SSL_sendfile.
    private lazy var kernelSends = ctls_ktls_send_active(ssl) == 1

    // MARK: - Bytes

    func read(into buffer: UnsafeMutableRawPointer, count: Int) -> TransportRead {
        var received = 0
        let succeeded = SSL_read_ex(ssl, buffer, count, &received) == 1
        noteSocketReads()
        if succeeded {
            waits.readNeedsWritable = false
            return .bytes(received)
        }
        switch SSL_get_error(ssl, 0) {
        case SSL_ERROR_WANT_READ:
            waits.readNeedsWritable = false
            // A refused renegotiation is consumed inside SSL_read, which then has nothing to return.
            countRenegotiations()
            return .wouldBlock
        case SSL_ERROR_WANT_WRITE:
            waits.readNeedsWritable = true
            return .wouldBlock
        case SSL_ERROR_ZERO_RETURN:
            // close_notify, or an EOF without it (SSL_OP_IGNORE_UNEXPECTED_EOF).
            return .endOfStream
        default:
            failed = true
            ctls_clear_errors()
            return .failed
        }
    }

    func write(_ bytes: UnsafeRawBufferPointer) -> TransportWrite {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return .wrote(0) }
        var written = 0
        let succeeded = SSL_write_ex(ssl, base, bytes.count, &written) == 1
        // A write may read first (a record the client sent mid-handshake or a key update).
        noteSocketReads()
        if succeeded {
            waits.writeNeedsReadable = false
            return .wrote(written)
        }
        switch SSL_get_error(ssl, 0) {
        case SSL_ERROR_WANT_WRITE:
            waits.writeNeedsReadable = false
            return .wouldBlock
        case SSL_ERROR_WANT_READ:
            waits.writeNeedsReadable = true
            return .wouldBlock
        default:
            failed = true
            ctls_clear_errors()
            return .failed
        }
    }

    /// A file response is about to be sent: counted by the way it will go. A file cut into HTTP/2
    /// DATA frames (`throughSendFile` false) is always read and written with SSL_write.
    func fileResponseStarted(throughSendFile: Bool) {
        scoreboard?.add(throughSendFile && kernelSends ? .tlsFilesKernel : .tlsFilesBuffered)
    }

    /// With kTLS, SSL_sendfile: the kernel reads the file and encrypts it. Otherwise the file is read
    /// in chunks and written with SSL_write. The choice is made at run time, per connection.
    func sendFile(_ file: Int32, offset: inout Int, length: Int) -> TransportWrite {
        if kernelSends {
            let sent = SSL_sendfile(ssl, file, off_t(offset), length, 0)
            if sent > 0 {
                offset += sent
                return .wrote(sent)
            }
            if SSL_get_error(ssl, Int32(truncatingIfNeeded: sent)) == SSL_ERROR_WANT_WRITE { return .wouldBlock }
            failed = true
            ctls_clear_errors()
            return .failed
        }
        let chunk = fileChunk ?? UnsafeMutableRawPointer.allocate(byteCount: Self.fileChunkCapacity, alignment: 16)
        fileChunk = chunk
        if fileChunkSent == fileChunkCount {
            let count = pread(file, chunk, min(Self.fileChunkCapacity, length), off_t(offset))
            // 0 bytes with bytes still promised: the file shrank under us.
            guard count > 0 else { return .failed }
            fileChunkCount = count
            fileChunkSent = 0
        }
        let result = write(UnsafeRawBufferPointer(start: chunk + fileChunkSent, count: fileChunkCount - fileChunkSent))
        if case .wrote(let count) = result {
            fileChunkSent += count
            offset += count
            if fileChunkSent == fileChunkCount && count == length { releaseFileChunk() }
        }
        return result
    }

    private func releaseFileChunk() {
        fileChunk?.deallocate()
        fileChunk = nil
        fileChunkCount = 0
        fileChunkSent = 0
    }

    /// Decrypted bytes, or bytes of a record, that OpenSSL holds: no readiness event will announce them.
    var hasBufferedInput: Bool { !released && !failed && SSL_has_pending(ssl) == 1 }

    /// Only SSL_ERROR_WANT_READ proves it: OpenSSL's own read of the socket found it empty. A short
    /// SSL_read says nothing (it returns one record; more may wait in the socket).
    func readLeftSocketEmpty(_ result: TransportRead) -> Bool {
        result == .wouldBlock && !waits.readNeedsWritable
    }

    /// `socketKnownEmpty`: a read in the current event found the socket empty (no peek needed). So
    /// does OpenSSL's own latest read in this event when it was short: with read-ahead it asks for a
    /// whole buffer, so the usual request read proves the socket drained (as the handshake's read
    /// does for a request that came with the client's Finished), and the close needs no MSG_PEEK.
    func hasUnreadBytes(socketKnownEmpty: Bool) -> Bool {
        if hasBufferedInput { return true }
        if socketKnownEmpty || (socketDrainedInDispatch != 0 && socketDrainedInDispatch == loop.dispatches) { return false }
        var byte: UInt8 = 0
        let count = recv(fd, &byte, 1, Int32(MSG_PEEK | MSG_DONTWAIT))
        return !(count == 0 || (count < 0 && errno == EAGAIN))
    }

    // MARK: - Closing

    /// close_notify (RFC 8446 §6.1), then the TCP FIN. A close_notify the socket cannot take yet
    /// waits for EPOLLOUT (`waits.closeNotifyPending`) and the FIN waits with it.
    func shutdownWrite() {
        if !failed && !closeNotifySent {
            let result = SSL_shutdown(ssl)
            if result >= 0 {
                closeNotifySent = true
            } else if SSL_get_error(ssl, result) == SSL_ERROR_WANT_WRITE {
                waits.closeNotifyPending = true
                return
            } else {
                failed = true
                ctls_clear_errors()
            }
        }
        waits.closeNotifyPending = false
        _ = shutdown(fd, Int32(SHUT_WR))
    }

    /// Retries a close_notify that waited for the socket.
    func continueShutdown() {
        if waits.closeNotifyPending { shutdownWrite() }
    }

    /// Frees OpenSSL's side and leaves the socket open: a plain HTTP request goes to a plain session.
    func releaseKeepingSocket() {
        releaseFileChunk()
        released = true
        SSL_free(ssl)
    }

    /// Closes the connection; one that ends without the staged close (an idle keep-alive connection
    /// at its deadline, a client that asked to close) still says close_notify if the socket takes it.
    func close() {
        if !failed && !closeNotifySent && !waits.closeNotifyPending { _ = SSL_shutdown(ssl) }
        ctls_clear_errors()
        countRenegotiations()
        // close_notify is the orderly end, not an alert worth counting.
        if ctls_received_alert(ssl) > 0 { scoreboard?.add(.tlsAlertsReceived) }
        releaseFileChunk()
        released = true
        SSL_free(ssl)
        _ = Glibc.close(fd)
    }

    private func noteSocketReads() {
        switch ctls_take_socket_read_finding(ssl) {
        case 1: socketDrainedInDispatch = loop.dispatches
        case 0: socketDrainedInDispatch = 0
        default: break
        }
    }

    private func countRenegotiations() {
        let attempts = ctls_renegotiation_attempts(ssl)
        guard attempts > renegotiationsCounted else { return }
        scoreboard?.add(.tlsRenegotiationsRefused, Int(attempts - renegotiationsCounted))
        renegotiationsCounted = attempts
    }
}
