import CathammerContract
@preconcurrency import Glibc
import HTTPWire

/// A blocking TCP connection for load: connect with a timeout, write (optionally in pieces with
/// pauses), read responses with the wire parser until complete, EOF, reset or timeout.
final class RawConnection {
    let fd: Int32
    let openedAt: UInt64
    var requestsSent = 0

    private init(fd: Int32, openedAt: UInt64) {
        self.fd = fd
        self.openedAt = openedAt
    }

    deinit { close(fd) }

    /// Connects; on failure returns the outcome class and detail.
    static func open(_ target: LoadTarget, connectTimeoutMilliseconds: Int32) -> Result<RawConnection, ConnectFailure> {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue | SOCK_CLOEXEC.rawValue | SOCK_NONBLOCK.rawValue), 0)
        guard fd >= 0 else { return .failure(ConnectFailure(outcome: .refused, detail: "socket: \(ExchangeClassifier.errnoName(errno))")) }
        var noDelay: Int32 = 1
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &noDelay, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = target.port.bigEndian
        address.sin_addr.s_addr = inet_addr(target.host)
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        var code: Int32 = 0
        if result != 0 {
            code = errno
            if code == EINPROGRESS {
                var waiter = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
                if poll(&waiter, 1, connectTimeoutMilliseconds) <= 0 {
                    close(fd)
                    return .failure(ConnectFailure(outcome: .connectTimeout, detail: "no answer to SYN within \(connectTimeoutMilliseconds) ms"))
                }
                var length = socklen_t(MemoryLayout<Int32>.size)
                getsockopt(fd, SOL_SOCKET, SO_ERROR, &code, &length)
            }
        }
        if code != 0 {
            close(fd)
            let outcome: OutcomeClass = code == ECONNRESET ? .eofFresh : .refused
            return .failure(ConnectFailure(outcome: outcome, detail: "connect: \(ExchangeClassifier.errnoName(code))"))
        }
        // Blocking from here on: reads and writes are bounded by poll timeouts.
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK)
        return .success(RawConnection(fd: fd, openedAt: MonotonicClock.now()))
    }

    struct ConnectFailure: Error {
        var outcome: OutcomeClass
        var detail: String
    }

    /// Writes `pieces` in order, pausing `pause` ms between them.
    func write(_ pieces: [[UInt8]], pauseMilliseconds: Int = 0) -> ExchangeClassifier.Write {
        var total = 0
        for (index, piece) in pieces.enumerated() {
            if index > 0 && pauseMilliseconds > 0 { usleep(UInt32(pauseMilliseconds * 1000)) }
            var sent = 0
            while sent < piece.count {
                let count = piece.withUnsafeBytes { send(fd, $0.baseAddress! + sent, $0.count - sent, Int32(MSG_NOSIGNAL)) }
                if count < 0 {
                    if errno == EINTR { continue }
                    return .failed(written: total, errno: errno)
                }
                sent += count
                total += count
            }
        }
        return .complete
    }

    struct ReadResult {
        var parser: ResponseStreamParser
        var received: Int
        var ending: ExchangeClassifier.Ending
    }

    /// Reads until `count` final responses are complete, or EOF, reset, or `timeout` ms of silence.
    func read(methods: [String], count: Int, timeoutMilliseconds: Int32) -> ReadResult {
        var result = ReadResult(parser: ResponseStreamParser(requestMethods: methods), received: 0, ending: .timeout)
        var buffer = [UInt8](repeating: 0, count: 16384)
        var waiter = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        while true {
            if result.parser.responses.filter({ !$0.isInterim && $0.complete }).count >= count {
                result.ending = .response
                return result
            }
            let ready = poll(&waiter, 1, timeoutMilliseconds)
            if ready < 0 && errno == EINTR { continue }
            guard ready > 0 else {
                result.ending = .timeout
                return result
            }
            let got = recv(fd, &buffer, buffer.count, 0)
            if got > 0 {
                result.received += got
                result.parser.feed(buffer[0..<got])
                continue
            }
            if got < 0 && errno == EINTR { continue }
            result.ending = got == 0 ? .eof : .reset
            result.parser.finish()
            return result
        }
    }
}

/// Where the load goes: an IPv4 loopback address and port, and the Host header to send.
public struct LoadTarget: Sendable {
    public var host: String
    public var port: UInt16
    public init(host: String = "127.0.0.1", port: UInt16) {
        self.host = host
        self.port = port
    }
    var authority: String { "\(host):\(port)" }
}
