import Foundation
import Glibc
import HTTPWire

/// A small origin for fuzzer tests: the strict parser behind a rewrite of the bytes, so it differs
/// from a strict server in exactly one way. Every request gets `200 ok`; a refused one gets 400
/// and the connection closes.
public final class FakeHTTPServer: @unchecked Sendable {
    public let port: UInt16
    private let listener: Int32
    private let rewrite: @Sendable ([UInt8]) -> [UInt8]

    /// Frames CL.TE the wrong way: in a head that has Content-Length, Transfer-Encoding is ignored
    /// (the back-end of a CL.TE desync).
    public static func contentLengthOverTransferEncoding() throws -> FakeHTTPServer {
        try FakeHTTPServer { bytes in
            rewriteHeads(bytes) { lines in
                guard lines.contains(where: { $0.lowercased().hasPrefix("content-length") }) else { return lines }
                return lines.map { line in
                    line.lowercased().hasPrefix("transfer-encoding") ? "X-Ignored-Encoding" + line.dropFirst(17) : line
                }
            }
        }
    }

    /// Accepts whitespace between a field name and its colon (RFC 9112 §5.1 says 400).
    public static func spaceBeforeColon() throws -> FakeHTTPServer {
        try FakeHTTPServer { bytes in
            rewriteHeads(bytes) { lines in
                lines.map { line in
                    guard let colon = line.firstIndex(of: ":") else { return line }
                    let name = line[..<colon]
                    let trimmed = name.reversed().drop { $0 == " " || $0 == "\t" }.reversed()
                    guard !trimmed.isEmpty, !trimmed.contains(" "), !trimmed.contains("\t") else { return line }
                    return String(trimmed) + line[colon...]
                }
            }
        }
    }

    /// Applies `change` to the field lines of every block of CRLF-separated lines (heads, and
    /// anything that looks like one); the bytes keep their line structure otherwise.
    static func rewriteHeads(_ bytes: [UInt8], _ change: ([String]) -> [String]) -> [UInt8] {
        // Latin-1 keeps every byte as one character, so the bytes round-trip.
        let text = String(bytes.map { Character(Unicode.Scalar($0)) })
        var blocks = text.components(separatedBy: "\r\n\r\n")
        for index in blocks.indices {
            var lines = blocks[index].components(separatedBy: "\r\n")
            guard lines.count > 1 else { continue }
            lines = [lines[0]] + change(Array(lines.dropFirst()))
            blocks[index] = lines.joined(separator: "\r\n")
        }
        return blocks.joined(separator: "\r\n\r\n").unicodeScalars.map { UInt8(truncatingIfNeeded: $0.value) }
    }

    init(rewrite: @escaping @Sendable ([UInt8]) -> [UInt8]) throws {
        self.rewrite = rewrite
        (listener, port) = try LoopbackListener.open()
        LoopbackListener.serve(listener) { [self] fd, _ in self.handle(fd) }
    }

    /// Ends the accept loop.
    public func stop() { LoopbackListener.stop(listener) }

    private func handle(_ fd: Int32) {
        defer { close(fd) }
        var received: [UInt8] = []
        var answered = 0
        var buffer = [UInt8](repeating: 0, count: 16384)
        var waiter = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        func reply(_ text: String) {
            let bytes = Array(text.utf8)
            _ = bytes.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        }
        while poll(&waiter, 1, 3000) > 0 {
            let count = recv(fd, &buffer, buffer.count, 0)
            if count <= 0 { return }
            received += buffer[0..<count]
            // Parsed again from the start: the rewrite may depend on bytes that came later.
            var stream = RequestStreamParser()
            stream.feed(rewrite(received))
            while answered < stream.requests.count {
                let request = stream.requests[answered]
                answered += 1
                reply("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
                if !request.keepAlive { return }
            }
            if stream.violation != nil {
                reply("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
                return
            }
        }
    }
}
