import Glibc

/// What a read from a transport gave.
enum TransportRead: Equatable {
    case bytes(Int)
    /// The peer closed its sending side.
    case endOfStream
    /// Nothing now; readiness will say when.
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

/// The byte stream under a session: plain TCP today, TLS beside it. A session never calls the
/// socket itself, so an HTTP/2 session or a TLS transport slots in without touching the other.
/// An enum rather than a protocol: the hot path switches on one tag instead of a witness table.
enum Transport {
    case plain(PlainTransport)

    var fd: Int32 {
        switch self {
        case .plain(let plain): return plain.fd
        }
    }

    func read(into buffer: UnsafeMutableRawPointer, count: Int) -> TransportRead {
        switch self {
        case .plain(let plain): return plain.read(into: buffer, count: count)
        }
    }

    func write(_ bytes: UnsafeRawBufferPointer) -> TransportWrite {
        switch self {
        case .plain(let plain): return plain.write(bytes)
        }
    }

    /// Sends `length` bytes of `file` from `offset` without copying them through user space where
    /// the transport allows it; `offset` advances by what was sent.
    func sendFile(_ file: Int32, offset: inout Int, length: Int) -> TransportWrite {
        switch self {
        case .plain(let plain): return plain.sendFile(file, offset: &offset, length: length)
        }
    }

    /// Bytes the peer sent that nobody has read yet (a FIN alone does not count): close() with
    /// such bytes pending sends an RST, which can destroy a response in flight (RFC 9112 §9.6).
    var hasUnreadBytes: Bool {
        switch self {
        case .plain(let plain): return plain.hasUnreadBytes
        }
    }

    /// Ends our sending side (a FIN), keeping the receiving side open for the staged close.
    func shutdownWrite() {
        switch self {
        case .plain(let plain): plain.shutdownWrite()
        }
    }

    func close() {
        switch self {
        case .plain(let plain): plain.close()
        }
    }
}
