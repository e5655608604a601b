import Foundation
import Glibc

/// A fake origin whose answer is chosen per connection by a script: the verdict tests need servers
/// that refuse with another code, answer differently from one connection to the next (FLAKY), or
/// announce `Connection: close` and then hold the socket open (a lingering close).
public final class FakeScriptedServer: @unchecked Sendable {
    /// What to do on one connection once a request head (up to CRLFCRLF) has arrived.
    public struct Answer: Sendable {
        public var bytes: String
        /// Close right after answering; otherwise keep reading (and answer each further head).
        public var close: Bool
        /// Seconds to keep the socket open after answering when `close` (a lingering close).
        public var linger: Double

        public init(_ bytes: String, close: Bool, linger: Double = 0) {
            self.bytes = bytes
            self.close = close
            self.linger = linger
        }

        public static func status(_ code: Int, close: Bool, body: String = "") -> Answer {
            Answer("HTTP/1.1 \(code) X\r\nContent-Length: \(body.utf8.count)\r\n\(close ? "Connection: close\r\n" : "")\r\n\(body)", close: close)
        }
    }

    public let port: UInt16
    private let listener: Int32
    private let script: @Sendable (Int) -> Answer

    /// `script(n)` answers the n-th connection (0-based, in accept order).
    public init(script: @escaping @Sendable (Int) -> Answer) throws {
        self.script = script
        (listener, port) = try LoopbackListener.open(backlog: 64)
        LoopbackListener.serve(listener) { [self] fd, index in self.handle(fd, answer: script(index)) }
    }

    /// Ends the accept loop.
    public func stop() { LoopbackListener.stop(listener) }

    private func handle(_ fd: Int32, answer: Answer) {
        defer { close(fd) }
        var pending: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 16384)
        var waiter = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        // Bounded: every poll waits at most 3 s, and a connection ends when the client goes quiet.
        while poll(&waiter, 1, 3000) > 0 {
            let count = recv(fd, &buffer, buffer.count, 0)
            if count <= 0 { return }
            pending += buffer[0..<count]
            while let end = pending.firstRange(of: Array("\r\n\r\n".utf8))?.upperBound {
                pending.removeFirst(end)
                let bytes = Array(answer.bytes.utf8)
                _ = bytes.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
                if answer.close {
                    if answer.linger > 0 { usleep(useconds_t(answer.linger * 1_000_000)) }
                    return
                }
            }
        }
    }
}
