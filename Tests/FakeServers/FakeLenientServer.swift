import Foundation
import Glibc

/// A deliberately lenient origin for harness tests: it frames requests by Content-Length alone and
/// ignores Transfer-Encoding, the way the back-end of a CL.TE desync does. Any bytes behind the
/// body are taken as the next request and answered too. It answers `ok N`, N being the body length
/// it read (the peers' echo dialect), and closes after a request that asks for `Connection: close`.
public final class FakeLenientServer: @unchecked Sendable {
    public let port: UInt16
    private let listener: Int32

    public init() throws {
        (listener, port) = try LoopbackListener.open(backlog: 64)
        LoopbackListener.serve(listener) { fd, _ in Self.handle(fd) }
    }

    /// Ends the accept loop.
    public func stop() { LoopbackListener.stop(listener) }

    private static func handle(_ fd: Int32) {
        defer { close(fd) }
        var pending: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 16384)
        var waiter = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        while poll(&waiter, 1, 500) > 0 {
            let count = recv(fd, &buffer, buffer.count, 0)
            if count <= 0 { break }
            pending += buffer[0..<count]
            while let answer = LenientAnswer.next(&pending) {
                _ = answer.response.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
                if answer.close { return }
            }
        }
    }
}

/// The lenient origin's framing and answer, shared by the cleartext and the TLS fakes: a head up to
/// CRLFCRLF, then Content-Length bytes, nothing else; the answer is `ok N`.
public enum LenientAnswer {
    /// The answer to the first complete request in `pending` (removed from it), or nil when none is complete.
    public static func next(_ pending: inout [UInt8]) -> (response: [UInt8], close: Bool)? {
        guard let headEnd = pending.firstRange(of: Array("\r\n\r\n".utf8))?.upperBound else { return nil }
        let head = String(decoding: pending[0..<headEnd], as: UTF8.self).lowercased()
        let length = head.split(separator: "\r\n").first { $0.hasPrefix("content-length:") }
            .flatMap { Int($0.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces)) } ?? 0
        guard pending.count >= headEnd + length else { return nil }
        pending.removeFirst(headEnd + length)
        let body = "ok \(length)\n"
        return (Array("HTTP/1.1 200 OK\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)".utf8),
                head.contains("\r\nconnection: close\r\n"))
    }
}
