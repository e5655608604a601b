import CLinuxShim

/// Which readiness each direction of a transport waits for, and what an epoll event means for it.
/// Plain TCP reads on EPOLLIN and writes on EPOLLOUT. TLS can cross them: SSL_read may have to
/// write first (an alert, a handshake message) and SSL_write may have to read first (a record the
/// peer sent before it can go on), and a close_notify that did not fit the socket waits for
/// EPOLLOUT while the session only reads. Pure, so the mapping is tested without sockets.
struct TransportWaits: Equatable {
    /// The last read stopped on SSL_ERROR_WANT_WRITE.
    var readNeedsWritable = false
    /// The last write stopped on SSL_ERROR_WANT_READ.
    var writeNeedsReadable = false
    /// SSL_shutdown could not send close_notify yet: the staged close waits for EPOLLOUT.
    var closeNotifyPending = false

    static let readable = EPOLLIN.rawValue | EPOLLRDHUP.rawValue
    static let writable = EPOLLOUT.rawValue

    /// The epoll interest for a session that wants to read (`wantsInput`) and/or has output.
    func events(wantsInput: Bool, wantsOutput: Bool) -> UInt32 {
        var events: UInt32 = 0
        if wantsInput { events |= readNeedsWritable ? Self.writable : Self.readable }
        if wantsOutput { events |= writeNeedsReadable ? Self.readable : Self.writable }
        if closeNotifyPending { events |= Self.writable }
        return events
    }

    /// Which directions an epoll event lets the session try again. A hang-up or an error wakes
    /// the reading side, which finds the end of the stream or the failure.
    func readiness(_ events: UInt32) -> (input: Bool, output: Bool) {
        let hangUp = events & (EPOLLHUP.rawValue | EPOLLERR.rawValue) != 0
        let readableNow = hangUp || events & Self.readable != 0
        let writableNow = events & Self.writable != 0
        return (input: (readNeedsWritable ? writableNow : readableNow) || hangUp,
                output: writeNeedsReadable ? readableNow : writableNow)
    }
}
