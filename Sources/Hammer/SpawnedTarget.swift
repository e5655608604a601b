import Foundation
@preconcurrency import Glibc

/// A server started for a run (`--spawn 'CMD {port}'`, or the reference server by default) on a
/// free loopback port, and stopped (its whole process group) afterwards.
public final class SpawnedTarget {
    public let port: UInt16
    private let process = Process()
    /// The process that runs the command (the server itself when the command is simple).
    public var pid: Int32 { process.processIdentifier }
    public var isRunning: Bool { process.isRunning }

    public struct Failure: Error, CustomStringConvertible {
        public var description: String
        public init(description: String) { self.description = description }
    }

    /// Runs `command` through /bin/sh with `{port}` replaced and waits until the server reacts to a
    /// request on the port.
    public init(command: String, timeout: Double = 30) throws {
        port = try Self.freePort()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        // A simple command is exec'd, so the shell becomes the server and signals reach it; a compound
        // one (`a && exec b`) stays under the shell, whose children `stop` signals as well.
        let simple = !["&&", "||", ";", "|", "\n"].contains { command.contains($0) } && !command.hasPrefix("exec ")
        process.arguments = ["-c", (simple ? "exec " : "") + command.replacingOccurrences(of: "{port}", with: String(port))]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            guard process.isRunning else {
                throw Failure(description: "the target command exited with status \(process.terminationStatus): \(command)")
            }
            if let probe = try? ClientConnection(to: .loopback(port), timeout: 0.5) {
                defer { probe.close() }
                if Self.reacts(probe) { return }
            }
            usleep(50_000)
        }
        stop()
        throw Failure(description: "nothing listened on port \(port) within \(Int(timeout)) s: \(command)")
    }

    /// Whether something on the other end read a request and reacted (any answer, or a close). The
    /// port accepts as soon as the listener exists, before a pre-forking server (this project's,
    /// nginx, gunicorn) has a worker to serve it; on a loaded machine that gap made the first cases of
    /// a run time out. Plain HTTP/1.1 is enough: a TLS or HTTP/2-only server reacts to it too, with
    /// an error or a close.
    private static func reacts(_ probe: ClientConnection) -> Bool {
        guard probe.send(Array("HEAD / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n".utf8)) == .complete else {
            return false
        }
        switch probe.receive(timeout: 2) {
        case .bytes, .ended(.eof), .ended(.reset): return true
        case .ended(.timeout): return false
        }
    }

    /// SIGTERM to the process and its children, a grace period, then SIGKILL.
    public func stop() {
        guard process.isRunning else { return }
        let pid = process.processIdentifier
        for child in Self.children(of: pid) { kill(child, SIGTERM) }
        kill(pid, SIGTERM)
        let deadline = Date().addingTimeInterval(15)
        while process.isRunning && Date() < deadline { usleep(20_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }

    deinit { stop() }

    public static func children(of pid: Int32) -> [Int32] {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/task/\(pid)/children", encoding: .utf8) else { return [] }
        return text.split(separator: " ").compactMap { Int32($0) }
    }

    public static func freePort() throws -> UInt16 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
                bind(fd, pointer, length) == 0 && getsockname(fd, pointer, &length) == 0
            }
        }
        guard bound else { throw Failure(description: "cannot find a free port") }
        return UInt16(bigEndian: address.sin_port)
    }
}
