import Foundation
import FakeServers
import Glibc

/// A deliberately lenient origin for harness tests: it frames requests by Content-Length alone and
/// ignores Transfer-Encoding, the way the back-end of a CL.TE desync does. Any bytes behind the
/// body are taken as the next request and answered too. It answers `ok N`, N being the body length
/// it read (the peers' echo dialect), and closes after a request that asks for `Connection: close`.
final class FakeLenientServer: @unchecked Sendable {
    let port: UInt16
    private let listener: Int32

    init() throws {
        (listener, port) = try LoopbackListener.open(backlog: 64)
        Thread { [self] in self.serve() }.start()
    }

    /// Ends the accept loop (accept fails once the socket is shut down).
    func stop() {
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
    }

    private func serve() {
        while true {
            let client = accept(listener, nil, nil)
            guard client >= 0 else { return }
            Thread { Self.handle(client) }.start()
        }
    }

    private static func handle(_ fd: Int32) {
        defer { close(fd) }
        var pending: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 16384)
        var waiter = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        while poll(&waiter, 1, 500) > 0 {
            let count = recv(fd, &buffer, buffer.count, 0)
            if count <= 0 { break }
            pending += buffer[0..<count]
            // Answer every complete request: head up to CRLFCRLF, then Content-Length bytes, nothing else.
            while let headEnd = pending.firstRange(of: Array("\r\n\r\n".utf8))?.upperBound {
                let head = String(decoding: pending[0..<headEnd], as: UTF8.self).lowercased()
                let length = head.split(separator: "\r\n").first { $0.hasPrefix("content-length:") }
                    .flatMap { Int($0.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces)) } ?? 0
                guard pending.count >= headEnd + length else { break }
                pending.removeFirst(headEnd + length)
                let body = "ok \(length)\n"
                let response = Array("HTTP/1.1 200 OK\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)".utf8)
                _ = response.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
                if head.contains("\r\nconnection: close\r\n") { return }
            }
        }
    }
}
