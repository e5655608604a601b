import Foundation
@preconcurrency import Glibc
import XCTest

/// Runs Tests/H2Peer/h2peer.py, the hand-driven HTTP/2 client (python-hpack), and reads the one JSON
/// line it prints about what the server answered. Spawned and reaped here with posix_spawn and
/// waitpid: Foundation's Process stopped reaping children once a server it had started re-executed
/// itself (SIGUSR2), and `waitUntilExit` then waited for ever.
final class H2Peer {
    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("H2Peer/h2peer.py").path

    private let pid: pid_t
    private let output: Int32
    private let errors: Int32
    /// The write end of its standard input, when asked for (`tell`).
    private var input: Int32 = -1
    private let arguments: [String]
    private var status: Int32?

    /// Starts `h2peer.py PORT ARGUMENTS...`; `result()` waits for it. With `input`, its standard
    /// input is a pipe that `tell` writes lines to.
    init(port: UInt16, _ arguments: [String], input: Bool = false) throws {
        self.arguments = arguments
        var out: [Int32] = [0, 0]
        var err: [Int32] = [0, 0]
        var stdin: [Int32] = [-1, -1]
        guard pipe(&out) == 0, pipe(&err) == 0, !input || pipe(&stdin) == 0 else { throw POSIXError(.EMFILE) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, out[1], 1)
        posix_spawn_file_actions_adddup2(&actions, err[1], 2)
        if input { posix_spawn_file_actions_adddup2(&actions, stdin[0], 0) }
        for fd in out + err + stdin where fd >= 0 { posix_spawn_file_actions_addclose(&actions, fd) }
        let argv = ["/usr/bin/env", "python3", Self.script, String(port)] + arguments
        var cArguments = argv.map { strdup($0) } + [nil]
        defer { for pointer in cArguments { free(pointer) } }
        var child: pid_t = 0
        let spawned = posix_spawn(&child, "/usr/bin/env", &actions, nil, &cArguments, environ)
        close(out[1])
        close(err[1])
        if input { close(stdin[0]) }
        guard spawned == 0 else {
            close(out[0])
            close(err[0])
            if input { close(stdin[1]) }
            throw POSIXError(POSIXErrorCode(rawValue: spawned) ?? .ENOENT)
        }
        pid = child
        output = out[0]
        errors = err[0]
        self.input = input ? stdin[1] : -1
    }

    /// Writes one line to its standard input (started with `input: true`).
    func tell(_ line: String) {
        guard input >= 0 else { return }
        let bytes = Array((line + "\n").utf8)
        _ = bytes.withUnsafeBytes { write(input, $0.baseAddress, $0.count) }
    }

    deinit {
        close(output)
        close(errors)
        if input >= 0 { close(input) }
        if status == nil {
            kill(pid, SIGKILL)
            var ignored: Int32 = 0
            waitpid(pid, &ignored, 0)
        }
    }

    var isRunning: Bool {
        guard status == nil else { return false }
        var raw: Int32 = 0
        guard waitpid(pid, &raw, WNOHANG) == pid else { return true }
        status = raw
        return false
    }

    private static func readAll(_ fd: Int32) -> [UInt8] {
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = read(fd, &buffer, buffer.count)
            if count > 0 { bytes += buffer[0..<count] } else if count < 0 && errno == EINTR { continue } else { break }
        }
        return bytes
    }

    /// The JSON it printed, once it exited (every scenario is bounded in time).
    func result(file: StaticString = #filePath, line: UInt = #line) throws -> [String: Any] {
        let out = Self.readAll(output)
        let err = Self.readAll(errors)
        if status == nil {
            var raw: Int32 = 0
            while waitpid(pid, &raw, 0) < 0 && errno == EINTR {}
            status = raw
        }
        guard status == 0, let object = try? JSONSerialization.jsonObject(with: Data(out)) as? [String: Any] else {
            XCTFail("h2peer.py \(arguments.joined(separator: " ")) exited with wait status \(status ?? -1): "
                    + String(decoding: out + err, as: UTF8.self), file: file, line: line)
            return [:]
        }
        return object
    }

    static func run(port: UInt16, _ arguments: [String], file: StaticString = #filePath, line: UInt = #line) throws -> [String: Any] {
        try H2Peer(port: port, arguments).result(file: file, line: line)
    }
}

extension Dictionary where Key == String, Value == Any {
    /// Final statuses by stream (interim ones are under "interim").
    func statuses() -> [String: Int] { (self["statuses"] as? [String: Any] ?? [:]).compactMapValues { $0 as? Int } }
    func resets() -> [String: String] { self["resets"] as? [String: String] ?? [:] }
    func goAwayCode() -> String? { (self["goaway"] as? [String: Any])?["code"] as? String }
    func body(_ stream: Int) -> String { (self["bodies"] as? [String: String])?[String(stream)] ?? "" }
}
