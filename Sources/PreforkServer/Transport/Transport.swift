import Glibc

/// What a read from a transport gave.
enum TransportRead: Equatable {
    case bytes(Int)
    /// The peer closed its sending side.
    case endOfStream
    /// Nothing now; readiness will say when (`Transport.interest` says which).
    case wouldBlock
    /// A reset or another error after which nothing more can be read.
    case failed
}

/// What a write to a transport took.
enum TransportWrite: Equatable {
    case wrote(Int)
    case wouldBlock
    case failed
}

/// The byte stream under a session: plain TCP or TLS. A session never calls the socket itself, so
/// an HTTP/2 session or a TLS transport slots in without touching the other.
/// An enum rather than a protocol: the hot path switches on one tag instead of a witness table.
enum Transport {
    case plain(PlainTransport)
    case tls(TLSTransport)

    var fd: Int32 {
        switch self {
        case .plain(let plain): return plain.fd
        case .tls(let tls): return tls.fd
        }
    }

    /// The scheme requests on this transport arrive under (RFC 9110 §4.2).
    var scheme: RequestScheme {
        switch self {
        case .plain: return .http
        case .tls: return .https
        }
    }

    func read(into buffer: UnsafeMutableRawPointer, count: Int) -> TransportRead {
        switch self {
        case .plain(let plain): return plain.read(into: buffer, count: count)
        case .tls(let tls): return tls.read(into: buffer, count: count)
        }
    }

    /// `beforeClose`: the connection's last response, after which it is shut down or closed; its
    /// last partial segment may wait for the FIN (see `prepareLastResponse`).
    func write(_ bytes: UnsafeRawBufferPointer, beforeClose: Bool = false) -> TransportWrite {
        switch self {
        case .plain(let plain): return plain.write(bytes, moreFollows: beforeClose)
        case .tls(let tls): return tls.write(bytes)
        }
    }

    /// A response's body will come from a file (the stats count how TLS sends them).
    func fileResponseStarted(throughSendFile: Bool) {
        switch self {
        case .plain: break
        case .tls(let tls): tls.fileResponseStarted(throughSendFile: throughSendFile)
        }
    }

    /// Sends `length` bytes of `file` from `offset` without copying them through user space where
    /// the transport allows it; `offset` advances by what was sent.
    func sendFile(_ file: Int32, offset: inout Int, length: Int) -> TransportWrite {
        switch self {
        case .plain(let plain): return plain.sendFile(file, offset: &offset, length: length)
        case .tls(let tls): return tls.sendFile(file, offset: &offset, length: length)
        }
    }

    /// Input the transport already took from the socket (TLS records OpenSSL holds): no readiness
    /// event will announce it, so a session reads it as soon as it can take input.
    var hasBufferedInput: Bool {
        switch self {
        case .plain: return false
        case .tls(let tls): return tls.hasBufferedInput
        }
    }

    /// Whether the read that gave `result` (asked for `asked` bytes) proves the socket's receive
    /// queue empty at that moment. A session that learned so in the event it is still handling
    /// skips the peek of `hasUnreadBytes(socketKnownEmpty:)`, as nginx trusts its last short read.
    func readLeftSocketEmpty(_ result: TransportRead, asked: Int) -> Bool {
        switch self {
        case .plain(let plain): return plain.readLeftSocketEmpty(result, asked: asked)
        case .tls(let tls): return tls.readLeftSocketEmpty(result)
        }
    }

    /// Bytes the peer sent that nobody has read yet (a FIN alone does not count): close() with
    /// such bytes pending sends an RST, which can destroy a response in flight (RFC 9112 §9.6).
    /// `socketKnownEmpty`: a read in the current event found the socket empty, so only what the
    /// transport itself holds counts and no MSG_PEEK is spent. Bytes a client sends between that
    /// read and close() (a few microseconds in the same event) are not seen, as they would not be
    /// between a peek and close(): a client that asked to close sends nothing more (RFC 9112 §9.6).
    func hasUnreadBytes(socketKnownEmpty: Bool) -> Bool {
        switch self {
        case .plain(let plain): return !socketKnownEmpty && plain.hasUnreadBytes
        case .tls(let tls): return tls.hasUnreadBytes(socketKnownEmpty: socketKnownEmpty)
        }
    }

    /// The epoll interest for a session that wants to read and/or write.
    func interest(wantsInput: Bool, wantsOutput: Bool) -> UInt32 {
        switch self {
        case .plain: return TransportWaits().events(wantsInput: wantsInput, wantsOutput: wantsOutput)
        case .tls(let tls): return tls.waits.events(wantsInput: wantsInput, wantsOutput: wantsOutput)
        }
    }

    /// Which directions an epoll event lets the session try again.
    func readiness(_ events: UInt32) -> (input: Bool, output: Bool) {
        switch self {
        case .plain: return TransportWaits().readiness(events)
        case .tls(let tls): return tls.waits.readiness(events)
        }
    }

    /// Before the connection's last response: its bytes, TLS's close_notify and the FIN leave
    /// together when the connection is shut down or closed, instead of a segment each. Plain TCP
    /// needs nothing here (its writes of that response say MSG_MORE); TLS writes through OpenSSL,
    /// so its socket is corked (TCP_CORK), one system call.
    func prepareLastResponse() {
        guard case .tls = self else { return }
        var on: Int32 = 1
        _ = setsockopt(fd, Int32(IPPROTO_TCP), TCP_CORK, &on, socklen_t(MemoryLayout<Int32>.size))
    }

    /// Ends our sending side (TLS: close_notify first, then a FIN), keeping the receiving side open
    /// for the staged close.
    func shutdownWrite() {
        switch self {
        case .plain(let plain): plain.shutdownWrite()
        case .tls(let tls): tls.shutdownWrite()
        }
    }

    /// Finishes a `shutdownWrite` that had to wait for the socket (TLS only).
    func continueShutdown() {
        switch self {
        case .plain: break
        case .tls(let tls): tls.continueShutdown()
        }
    }

    func close() {
        switch self {
        case .plain(let plain): plain.close()
        case .tls(let tls): tls.close()
        }
    }
}
