import Foundation
@preconcurrency import Glibc
import XCTest

/// A listening socket the test owns, as a systemd .socket unit owns its ListenStream=: it outlives
/// every server started on it.
final class PassedListener {
    let fd: Int32
    let port: UInt16

    init() throws {
        let raw = socket(AF_INET, Int32(SOCK_STREAM.rawValue | SOCK_CLOEXEC.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let ready = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
                bind(raw, pointer, length) == 0 && listen(raw, 128) == 0 && getsockname(raw, pointer, &length) == 0
            }
        }
        guard raw >= 0, ready else { throw POSIXError(.EADDRNOTAVAIL) }
        // Clear of fd 3, where the child gets it: posix_spawn's dup2 onto the same number would keep CLOEXEC.
        fd = fcntl(raw, F_DUPFD_CLOEXEC, 100)
        close(raw)
        port = UInt16(bigEndian: address.sin_port)
    }

    deinit { close(fd) }
}

/// `cathammer serve` started as systemd starts a socket-activated service: the listener at fd 3,
/// LISTEN_FDS=1, LISTEN_FDNAMES, and LISTEN_PID set to the server's own pid by a shell that then
/// execs the server (same pid). Foundation's Process closes every inherited descriptor, hence
/// posix_spawn here. stdout goes nowhere, stderr to a file read after the exit.
final class ActivatedServer {
    let pid: Int32
    private let stderrPath: String
    private var status: Int32?

    init(listener: PassedListener, arguments: [String], environment extra: [String: String]) throws {
        stderrPath = NSTemporaryDirectory() + "/cathammer-activated-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).err"
        let command = ["/bin/sh", "-c", #"LISTEN_PID=$$ exec "$0" "$@""#, CathammerBinary.url.path, "serve"] + arguments
        var environment = ProcessInfo.processInfo.environment
        for name in ["LISTEN_PID", "LISTEN_FDS", "LISTEN_FDNAMES", "NOTIFY_SOCKET"] { environment[name] = nil }
        environment.merge(["LISTEN_FDS": "1", "LISTEN_FDNAMES": "web"].merging(extra) { $1 }) { $1 }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, listener.fd, 3)
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 2, stderrPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        let argv: [UnsafeMutablePointer<CChar>?] = command.map { strdup($0) } + [nil]
        let envp: [UnsafeMutablePointer<CChar>?] = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { for pointer in argv + envp { free(pointer) } }
        var child: pid_t = 0
        let result = posix_spawn(&child, "/bin/sh", &actions, nil, argv, envp)
        guard result == 0 else { throw POSIXError(.init(rawValue: result) ?? .EIO) }
        pid = child
    }

    func signal(_ signal: Int32) { kill(pid, signal) }

    /// Waits (polling, generous bound) for the exit; returns the exit status (nil: still running).
    func waitForExit(timeout: TimeInterval = 30) -> Int32? {
        if let status { return status }
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            var raw: Int32 = 0
            if waitpid(pid, &raw, WNOHANG) == pid {
                status = raw & 0x7F == 0 ? (raw >> 8) & 0xFF : 128 + (raw & 0x7F)
                return status
            }
            guard Date() < deadline else { return nil }
            usleep(20_000)
        }
    }

    /// What the server wrote to stderr so far.
    var errorText: String { (try? String(contentsOfFile: stderrPath, encoding: .utf8)) ?? "" }

    deinit {
        if waitForExit(timeout: 0) == nil {
            kill(pid, SIGKILL)
            _ = waitForExit()
        }
        unlink(stderrPath)
    }
}
