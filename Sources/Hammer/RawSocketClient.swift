@preconcurrency import Glibc

/// A TCP client for byte-exact traffic: what it sends is exactly what the caller gave, and reading
/// tolerates a reset after data (a 400 followed by RST is a rejection, not a harness error).
public struct RawSocketClient {
    public enum Ending: String, Sendable, Equatable {
        /// The server closed cleanly (FIN).
        case eof
        /// The server reset the connection.
        case reset
        /// Nothing arrived for the read timeout; the connection is still open.
        case timeout
    }

    public struct Reply: Sendable, Equatable {
        public var bytes: [UInt8]
        public var ending: Ending
    }

    public struct ConnectError: Error, CustomStringConvertible {
        public var host: String
        public var port: UInt16
        public var reason: String
        public var description: String { "cannot connect to \(host):\(port): \(reason)" }
    }

    public let fd: Int32

    /// Connects to a numeric IPv4 or IPv6 address (or localhost) within `timeout` seconds.
    public init(host: String, port: UInt16, timeout: Double = 5) throws(ConnectError) {
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_flags = AI_NUMERICSERV
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host == "localhost" ? "127.0.0.1" : host, String(port), &hints, &list)
        guard status == 0, let info = list else {
            throw ConnectError(host: host, port: port, reason: String(cString: gai_strerror(status)))
        }
        defer { freeaddrinfo(list) }
        let fd = socket(info.pointee.ai_family, Int32(SOCK_STREAM.rawValue | SOCK_CLOEXEC.rawValue | SOCK_NONBLOCK.rawValue), 0)
        guard fd >= 0 else { throw ConnectError(host: host, port: port, reason: String(cString: strerror(errno))) }
        if connect(fd, info.pointee.ai_addr, info.pointee.ai_addrlen) != 0 && errno != EINPROGRESS {
            let reason = String(cString: strerror(errno))
            Glibc.close(fd)
            throw ConnectError(host: host, port: port, reason: reason)
        }
        var waiter = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
        var error: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        guard poll(&waiter, 1, Int32(timeout * 1000)) == 1,
              getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length) == 0, error == 0
        else {
            Glibc.close(fd)
            throw ConnectError(host: host, port: port, reason: error != 0 ? String(cString: strerror(error)) : "timed out")
        }
        // Blocking from here on; reads are bounded by poll.
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK)
        var one: Int32 = 1
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        self.fd = fd
    }

    /// Sends all bytes; false when the peer is gone (EPIPE, ECONNRESET).
    @discardableResult
    public func send(_ bytes: [UInt8]) -> Bool {
        var sent = 0
        while sent < bytes.count {
            let count = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress! + sent, $0.count - sent, Int32(MSG_NOSIGNAL)) }
            if count < 0 && errno == EINTR { continue }
            if count <= 0 { return false }
            sent += count
        }
        return true
    }

    /// Half-closes: the server sees EOF after what was sent.
    public func finishSending() { shutdown(fd, Int32(SHUT_WR)) }

    /// Reads until EOF, a reset, or `idleTimeout` seconds without a byte. With `returnAfterData`,
    /// returns as soon as what has arrived is read (ending `.timeout`: the connection is open).
    public func readUntilClosed(idleTimeout: Double = 5, limit: Int = 64 * 1024 * 1024,
                                returnAfterData: Bool = false) -> Reply {
        var reply = Reply(bytes: [], ending: .timeout)
        var waiter = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        var buffer = [UInt8](repeating: 0, count: 65536)
        while reply.bytes.count < limit {
            let wait = returnAfterData && !reply.bytes.isEmpty ? 0 : Int32(idleTimeout * 1000)
            let ready = poll(&waiter, 1, wait)
            if ready < 0 && errno == EINTR { continue }
            guard ready > 0 else { return reply }
            let count = recv(fd, &buffer, buffer.count, 0)
            if count > 0 {
                reply.bytes += buffer[0..<count]
            } else if count == 0 {
                reply.ending = .eof
                return reply
            } else if errno != EINTR {
                reply.ending = .reset
                return reply
            }
        }
        return reply
    }

    public func close() { _ = Glibc.close(fd) }
}
