import Foundation
import Glibc
import HTTPWire
import Synchronization

/// A small front proxy for the chain tests: it reads what a client sends (until the client goes
/// quiet or closes), rewrites the bytes in one way, forwards them over ONE pooled connection to the
/// origin (as real fronts reuse upstream connections), and relays what the origin answers. Each
/// factory commits one discrepancy class on purpose.
public final class FakeFront: @unchecked Sendable {
    public let port: UInt16
    private let listener: Int32
    private let originPort: UInt16
    private let rewrite: @Sendable ([UInt8]) -> [UInt8]
    /// The pooled upstream connection (-1: none), used by one client at a time.
    private let upstream = Mutex<Int32>(-1)

    /// Forwards the bytes as they are: whatever the strict origin refuses, it refuses (forwarded-invalid).
    public static func passthrough(originPort: UInt16) throws -> FakeFront {
        try FakeFront(originPort: originPort) { $0 }
    }

    /// Frames a body by Content-Length even when Transfer-Encoding is there, then drops the
    /// Content-Length line and forwards (the front of a CL.TE desync): the bytes after the chunked
    /// body's end stay on the pooled origin connection (request-count).
    public static func contentLengthOverTransferEncoding(originPort: UInt16) throws -> FakeFront {
        try FakeFront(originPort: originPort) { bytes in
            var out: [UInt8] = []
            var rest = bytes[...]
            while let end = FakeFront.headEnd(rest) {
                let head = String(decoding: rest[rest.startIndex..<end], as: UTF8.self)
                var lines = head.components(separatedBy: "\r\n")
                let length = lines.compactMap { line -> Int? in
                    guard line.lowercased().hasPrefix("content-length:") else { return nil }
                    return Int(line.dropFirst(15).trimmingCharacters(in: .whitespaces))
                }.first ?? 0
                if lines.contains(where: { $0.lowercased().hasPrefix("transfer-encoding:") }) {
                    lines.removeAll { $0.lowercased().hasPrefix("content-length:") }
                }
                out += Array(lines.joined(separator: "\r\n").utf8) + Array("\r\n\r\n".utf8)
                let bodyStart = end + 4
                let bodyEnd = min(rest.endIndex, bodyStart + length)
                out += rest[bodyStart..<bodyEnd]
                rest = rest[bodyEnd...]
            }
            return out + rest
        }
    }

    /// Turns a bare CR inside a head into CRLF, so one field line becomes two (injected-field).
    public static func bareCRSplitsLines(originPort: UInt16) throws -> FakeFront {
        try FakeFront(originPort: originPort) { bytes in
            var out: [UInt8] = []
            for (index, byte) in bytes.enumerated() {
                out.append(byte)
                if byte == 0x0D && (index + 1 == bytes.count || bytes[index + 1] != 0x0A) { out.append(0x0A) }
            }
            return out
        }
    }

    /// De-chunks every request and forwards it with a Content-Length one short, the body's last
    /// byte dropped (framing).
    public static func reframesOneByteShort(originPort: UInt16) throws -> FakeFront {
        try FakeFront(originPort: originPort) { bytes in
            var stream = RequestStreamParser()
            stream.feed(bytes)
            return stream.requests.flatMap { request -> [UInt8] in
                var out = request.method + [0x20] + request.target + Array(" HTTP/1.1\r\n".utf8)
                for field in request.fields {
                    let name = String(decoding: field.name, as: UTF8.self).lowercased()
                    if name == "transfer-encoding" || name == "content-length" { continue }
                    out += field.name + Array(": ".utf8) + field.value + [0x0D, 0x0A]
                }
                let body = request.body.dropLast()
                out += Array("Content-Length: \(body.count)\r\n\r\n".utf8) + body
                return out
            }
        }
    }

    /// Adds `Via: 1.1 fakefront` to every request head: a harmless rewrite (normalization).
    public static func addsVia(originPort: UInt16) throws -> FakeFront {
        try FakeFront(originPort: originPort) { bytes in
            var stream = RequestStreamParser()
            stream.feed(bytes)
            return stream.requests.flatMap { request -> [UInt8] in
                var out = request.method + [0x20] + request.target + Array(" HTTP/1.1\r\nVia: 1.1 fakefront\r\n".utf8)
                for field in request.fields { out += field.name + Array(": ".utf8) + field.value + [0x0D, 0x0A] }
                out += [0x0D, 0x0A]
                if request.framing == .chunked {
                    out += Array(String(request.body.count, radix: 16).utf8) + [0x0D, 0x0A] + request.body + Array("\r\n0\r\n\r\n".utf8)
                } else {
                    out += request.body
                }
                return out
            }
        }
    }

    static func headEnd(_ bytes: ArraySlice<UInt8>) -> Int? {
        guard bytes.count >= 4 else { return nil }
        for index in bytes.startIndex...(bytes.endIndex - 4)
        where bytes[index] == 0x0D && bytes[index + 1] == 0x0A && bytes[index + 2] == 0x0D && bytes[index + 3] == 0x0A {
            return index
        }
        return nil
    }

    init(originPort: UInt16, rewrite: @escaping @Sendable ([UInt8]) -> [UInt8]) throws {
        self.originPort = originPort
        self.rewrite = rewrite
        (listener, port) = try LoopbackListener.open()
        LoopbackListener.serve(listener) { [self] fd, _ in self.handle(fd) }
    }

    public func stop() {
        LoopbackListener.stop(listener)
        upstream.withLock { fd in
            if fd >= 0 { close(fd) }
            fd = -1
        }
    }

    private func handle(_ client: Int32) {
        defer { close(client) }
        // Store and forward: everything the client sends until it pauses or closes.
        let received = Self.readUntilQuiet(client, quietMilliseconds: 80, firstWaitMilliseconds: 3000)
        guard !received.bytes.isEmpty else { return }
        let forwarded = rewrite(received.bytes)
        upstream.withLock { fd in
            if fd < 0 || Self.peerClosed(fd) {
                if fd >= 0 { close(fd) }
                fd = Self.connect(port: originPort)
            }
            guard fd >= 0 else { return }
            _ = forwarded.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            let answer = Self.readUntilQuiet(fd, quietMilliseconds: 150, firstWaitMilliseconds: 1000)
            _ = answer.bytes.withUnsafeBytes { send(client, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if answer.closed {
                close(fd)
                fd = -1
            }
        }
    }

    static func readUntilQuiet(_ fd: Int32, quietMilliseconds: Int32, firstWaitMilliseconds: Int32) -> (bytes: [UInt8], closed: Bool) {
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        var waiter = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        while poll(&waiter, 1, bytes.isEmpty ? firstWaitMilliseconds : quietMilliseconds) > 0 {
            let count = recv(fd, &buffer, buffer.count, 0)
            if count <= 0 { return (bytes, true) }
            bytes += buffer[0..<count]
        }
        return (bytes, false)
    }

    static func peerClosed(_ fd: Int32) -> Bool {
        var waiter = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        guard poll(&waiter, 1, 0) > 0 else { return false }
        var byte: UInt8 = 0
        return recv(fd, &byte, 1, Int32(MSG_PEEK | MSG_DONTWAIT)) <= 0
    }

    static func connect(port: UInt16) -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
        if !connected {
            close(fd)
            return -1
        }
        return fd
    }
}
