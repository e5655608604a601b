import CathammerContract
import Foundation
import Glibc
import XCTest

/// What systemd's end of NOTIFY_SOCKET sees: a datagram socket the test binds (a file, or a name in
/// the abstract namespace) that receives each sd_notify message with the sender's pid, as the
/// kernel attests it (SO_PASSCRED; systemd's NotifyAccess=main drops what the main pid did not send).
final class FakeNotifySocket {
    struct Message {
        var pid: Int32
        var text: String
        /// `NAME=VALUE` lines by name.
        var fields: [String: String] {
            var fields: [String: String] = [:]
            for line in text.split(separator: "\n") {
                let parts = line.split(separator: "=", maxSplits: 1)
                if parts.count == 2 { fields[String(parts[0])] = String(parts[1]) }
            }
            return fields
        }
    }

    let fd: Int32
    /// The value for NOTIFY_SOCKET.
    let variable: String
    private let path: String?

    /// `abstract`: a name in the abstract namespace (`@…`); otherwise a socket file in the temporary folder.
    init(abstract: Bool) throws {
        fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue | SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw POSIXError(.init(rawValue: errno) ?? .EIO) }
        let name = "cathammer-notify-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes: [UInt8]
        if abstract {
            variable = "@" + name
            path = nil
            bytes = [0] + Array(name.utf8)
        } else {
            let file = NSTemporaryDirectory() + "/" + name
            variable = file
            path = file
            bytes = Array(file.utf8) + [0]
        }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (index, byte) in bytes.enumerated() { raw[index] = byte }
        }
        let length = socklen_t(MemoryLayout<sa_family_t>.size + bytes.count)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) }
        }
        guard bound == 0 else { throw POSIXError(.init(rawValue: errno) ?? .EIO) }
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_PASSCRED, &one, socklen_t(MemoryLayout<Int32>.size))
    }

    /// The next message, or nil when none came within `timeout` seconds.
    func next(timeout: Double = 30) -> Message? {
        var waiter = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        guard poll(&waiter, 1, Int32(timeout * 1000)) > 0 else { return nil }
        var buffer = [UInt8](repeating: 0, count: 4096)
        // struct cmsghdr (size_t len, int level, int type) then struct ucred (pid, uid, gid).
        var control = [UInt8](repeating: 0, count: 64)
        let count = buffer.withUnsafeMutableBytes { data in
            control.withUnsafeMutableBytes { controlBytes in
                var vector = iovec(iov_base: data.baseAddress, iov_len: data.count)
                return withUnsafeMutablePointer(to: &vector) { vectorPointer in
                    var header = msghdr()
                    header.msg_iov = vectorPointer
                    header.msg_iovlen = 1
                    header.msg_control = controlBytes.baseAddress
                    header.msg_controllen = controlBytes.count
                    return recvmsg(fd, &header, 0)
                }
            }
        }
        guard count >= 0 else { return nil }
        let headerSize = MemoryLayout<Int>.size + 8
        let level = control.withUnsafeBytes { $0.load(fromByteOffset: MemoryLayout<Int>.size, as: Int32.self) }
        let type = control.withUnsafeBytes { $0.load(fromByteOffset: MemoryLayout<Int>.size + 4, as: Int32.self) }
        // SCM_CREDENTIALS is 2.
        let pid = level == SOL_SOCKET && type == 2 ? control.withUnsafeBytes { $0.load(fromByteOffset: headerSize, as: Int32.self) } : -1
        return Message(pid: pid, text: String(decoding: buffer[0..<count], as: UTF8.self))
    }

    /// The next message that has field `name`; fails the test with what came instead.
    func expect(_ name: String, timeout: Double = 30, file: StaticString = #filePath, line: UInt = #line) -> Message? {
        guard let message = next(timeout: timeout) else {
            XCTFail("no sd_notify message within \(timeout) s; expected \(name)", file: file, line: line)
            return nil
        }
        XCTAssertNotNil(message.fields[name], "expected \(name), got \(message.text.debugDescription)", file: file, line: line)
        return message
    }

    /// True when no message is waiting now (after a state the test polled for, not after a sleep).
    var isDrained: Bool {
        var waiter = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        return poll(&waiter, 1, 0) == 0
    }

    deinit {
        close(fd)
        if let path { unlink(path) }
    }
}

/// CLOCK_MONOTONIC in microseconds, the clock of MONOTONIC_USEC.
func monotonicMicroseconds() -> UInt64 { MonotonicClock.now() / 1000 }
