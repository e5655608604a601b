import CathammerContract
import Foundation
import Glibc
import Hammer
import Synchronization
import XCTest

/// A `cathammer serve` started for one test on an ephemeral loopback port, stopped by pid.
final class ServerProcess {
    let process = Process()
    /// The first `--http` listener's port (the first `--https` one's when there is no `--http`).
    let port: UInt16
    /// Every listener's port, by scheme, in the order of the ready line.
    private(set) var httpPorts: [UInt16] = []
    private(set) var httpsPorts: [UInt16] = []
    /// The first `--https` listener's port.
    var httpsPort: UInt16? { httpsPorts.first }
    /// Set when the server was started with `--stats 127.0.0.1:0`.
    private(set) var statsPort: UInt16?
    private let output = Pipe()
    private let errors = Pipe()
    /// stderr as it arrives, so a test can wait for a log line while the server runs.
    private let errorBytes = ByteSink()
    /// Everything the server wrote to stderr, once it has exited.
    private(set) var errorText = ""

    convenience init(_ arguments: [String] = [], environment: [String: String] = [:]) throws {
        try self.init(arguments: ["serve", "--http", "127.0.0.1:0"] + arguments, host: "127.0.0.1", environment: environment)
    }

    /// `arguments` in full (after the binary); `host` as the ready line prints it.
    static func start(arguments: [String], host: String) throws -> ServerProcess {
        try ServerProcess(arguments: arguments, host: host, environment: [:])
    }

    private init(arguments: [String], host: String, environment: [String: String]) throws {
        process.executableURL = CathammerBinary.url
        process.arguments = arguments
        if !environment.isEmpty {
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        }
        process.standardOutput = output
        process.standardError = errors
        let bytes = errorBytes
        errors.fileHandleForReading.readabilityHandler = { handle in
            let chunk = handle.availableData
            if chunk.isEmpty {
                handle.readabilityHandler = nil
            } else {
                bytes.append(chunk)
            }
        }
        try process.run()
        // The master prints one line once every worker has said READY.
        var collected = Data()
        let deadline = Date().addingTimeInterval(30)
        var found: UInt16?
        var cleartext: [UInt16] = [], secure: [UInt16] = []
        let outputFD = output.fileHandleForReading.fileDescriptor
        var buffer = [UInt8](repeating: 0, count: 4096)
        while found == nil && Date() < deadline && process.isRunning {
            // poll, not a blocking read: a server that never gets ready must not hang the test run.
            var waiter = pollfd(fd: outputFD, events: Int16(POLLIN), revents: 0)
            guard poll(&waiter, 1, 100) > 0 else { continue }
            let count = read(outputFD, &buffer, buffer.count)
            if count <= 0 { break }
            collected += buffer[0..<count]
            let text = String(decoding: collected, as: UTF8.self)
            // `ready on http://H:P, https://H:P (N workers), stats on http://H:P`, read once the line is whole.
            if let range = text.range(of: "ready on ", options: .literal), text[range.upperBound...].contains("\n") {
                let line = text[range.upperBound...].prefix { $0 != "\n" }
                let listeners = line.prefix { $0 != "(" }
                for url in listeners.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) {
                    guard let port = url.split(separator: ":").last.flatMap({ UInt16($0) }) else { continue }
                    if url.hasPrefix("https://\(host):") { secure.append(port) }
                    if url.hasPrefix("http://\(host):") { cleartext.append(port) }
                }
                found = cleartext.first ?? secure.first
                if let stats = line.range(of: #"stats on http://127\.0\.0\.1:\d+"#, options: .regularExpression) {
                    statsPort = UInt16(line[stats].split(separator: ":").last!)
                }
                if found == nil { break }
            }
        }
        guard let found else {
            // A start-up regression must fail every test that needs the server, never skip it.
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
            process.waitUntilExit()
            let stderr = Self.drain(errors, into: errorBytes)
            throw ServerStartFailure(
                arguments: arguments, stdout: String(decoding: collected, as: UTF8.self), stderr: stderr)
        }
        port = found
        httpPorts = cleartext
        httpsPorts = secure
    }

    var pid: Int32 { process.processIdentifier }

    /// Worker pids: the master's children, from /proc.
    func workerPIDs() -> [Int32] { SpawnedTarget.children(of: pid) }

    func signal(_ signal: Int32) { kill(pid, signal) }

    /// Waits (polling, generous bound) for the master to exit; returns its status.
    func waitForExit(timeout: TimeInterval = 30) -> Int32? {
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { usleep(20_000) }
        guard !process.isRunning else { return nil }
        errorText = Self.drain(errors, into: errorBytes)
        return process.terminationStatus
    }

    /// stderr written so far, while the server runs.
    var errorSoFar: String { errorBytes.text(plus: Data()) }

    /// After exit: stops the live reader and returns all of stderr, including what it had not read yet.
    private static func drain(_ pipe: Pipe, into bytes: ByteSink) -> String {
        pipe.fileHandleForReading.readabilityHandler = nil
        return bytes.text(plus: pipe.fileHandleForReading.readDataToEndOfFile())
    }

    /// Waits until some worker reports a request in progress (its `busy_ms` clock runs).
    func someWorkerIsBusy(statsPort: UInt16) -> Bool {
        Self.eventually { fetchStatsWorkers(port: statsPort).contains { $0.busyMilliseconds > 0 } }
    }

    /// Polls until `condition` holds or the bound passes.
    static func eventually(timeout: TimeInterval = 20, _ condition: () -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if condition() { return true }
            usleep(20_000)
        }
        return condition()
    }

    deinit {
        if process.isRunning {
            kill(pid, SIGKILL)
            process.waitUntilExit()
        }
    }
}

/// Bytes collected by a pipe's reader thread and read by the test's thread.
final class ByteSink: Sendable {
    private let bytes = Mutex<[UInt8]>([])
    func append(_ data: Data) { bytes.withLock { $0 += data } }
    func text(plus rest: Data) -> String { bytes.withLock { String(decoding: $0 + rest, as: UTF8.self) } }
}

/// Thrown (an error, so XCTest fails the test) when a server under test never printed its ready line.
struct ServerStartFailure: Error, CustomStringConvertible {
    var arguments: [String]
    var stdout: String
    var stderr: String
    var description: String {
        "cathammer \(arguments.joined(separator: " ")) did not become ready within 30 s\nstdout: \(stdout)\nstderr: \(stderr)"
    }
}

/// What a stats endpoint (`--stats`) serves; nil when it does not answer.
func fetchStats(port: UInt16) -> StatsSnapshot? {
    guard let response = try? HTTPGet.fetch(host: "127.0.0.1", port: port, path: "/") else { return nil }
    return try? StatsSnapshot(json: response.body)
}

func fetchStatsWorkers(port: UInt16) -> [StatsSnapshot.WorkerRow] { fetchStats(port: port)?.workers ?? [] }
func fetchStatsMaster(port: UInt16) -> StatsSnapshot.Master? { fetchStats(port: port)?.master }

/// The tests' face of Hammer's byte-exact client (the one the corpus runner uses): text in, replies
/// with the statuses they contain. A reset after the response counts as a close, not an error.
struct RawClient {
    struct Reply {
        var bytes: [UInt8]
        /// The server closed (EOF or reset) rather than the read timing out.
        var closed: Bool
        var reset: Bool
        var text: String { String(decoding: bytes, as: UTF8.self) }
        var statuses: [Int] {
            text.components(separatedBy: "HTTP/1.1 ").dropFirst().compactMap { Int($0.prefix(3)) }
        }
    }

    let socket: ClientConnection
    var fd: Int32 { socket.fd }

    init(port: UInt16) throws {
        socket = try ClientConnection(to: .loopback(port))
    }

    func send(_ bytes: [UInt8]) { socket.send(bytes) }

    func send(_ text: String) { send(Array(text.utf8)) }

    /// Reads until EOF, reset, or `timeout` seconds without data.
    func readAll(timeout: Double = 5) -> Reply {
        let reply = socket.readUntilClosed(idleTimeout: timeout)
        return Reply(bytes: reply.bytes, closed: reply.ending != .timeout, reset: reply.ending == .reset)
    }

    /// Reads what arrives until the stream has been quiet for `quiet` seconds.
    func readAvailable(quiet: Double = 0.5) -> Reply { readAll(timeout: quiet) }

    func close() { socket.close() }

    /// One request on a fresh connection, read to EOF or quiet.
    static func exchange(port: UInt16, _ text: String, timeout: Double = 5) throws -> Reply {
        let client = try RawClient(port: port)
        defer { client.close() }
        client.send(text)
        return client.readAll(timeout: timeout)
    }
}
