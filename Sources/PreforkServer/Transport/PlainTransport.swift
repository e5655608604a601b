import CLinuxShim
import Glibc

/// Cleartext TCP: the accepted, non-blocking socket itself.
struct PlainTransport {
    let fd: Int32

    func read(into buffer: UnsafeMutableRawPointer, count: Int) -> TransportRead {
        while true {
            let result = Glibc.read(fd, buffer, count)
            if result > 0 { return .bytes(result) }
            if result == 0 { return .endOfStream }
            if errno == EINTR { continue }
            return errno == EAGAIN ? .wouldBlock : .failed
        }
    }

    /// `moreFollows`: MSG_MORE, so a last partial segment waits for the FIN that follows at once.
    func write(_ bytes: UnsafeRawBufferPointer, moreFollows: Bool = false) -> TransportWrite {
        while true {
            let result = moreFollows
                ? send(fd, bytes.baseAddress, bytes.count, Int32(MSG_MORE) | Int32(MSG_NOSIGNAL))
                : Glibc.write(fd, bytes.baseAddress, bytes.count)
            if result >= 0 { return .wrote(result) }
            if errno == EINTR { continue }
            // EPIPE or ECONNRESET: the client is gone.
            return errno == EAGAIN ? .wouldBlock : .failed
        }
    }

    func sendFile(_ file: Int32, offset: inout Int, length: Int) -> TransportWrite {
        while true {
            var position = off_t(offset)
            let result = sendfile(fd, file, &position, length)
            if result > 0 {
                offset = Int(position)
                return .wrote(result)
            }
            if result < 0 && errno == EINTR { continue }
            if result < 0 && errno == EAGAIN { return .wouldBlock }
            // 0 bytes with bytes still promised: the file shrank under us.
            return .failed
        }
    }

    /// A short read took everything the socket held; EAGAIN found it empty.
    func readLeftSocketEmpty(_ result: TransportRead, asked: Int) -> Bool {
        switch result {
        case .bytes(let count): return count < asked
        case .wouldBlock: return true
        case .endOfStream, .failed: return false
        }
    }

    var hasUnreadBytes: Bool {
        var byte: UInt8 = 0
        let count = recv(fd, &byte, 1, Int32(MSG_PEEK | MSG_DONTWAIT))
        return !(count == 0 || (count < 0 && errno == EAGAIN))
    }

    func shutdownWrite() { _ = shutdown(fd, Int32(SHUT_WR)) }

    func close() { _ = Glibc.close(fd) }
}
