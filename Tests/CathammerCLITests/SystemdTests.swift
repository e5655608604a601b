import Foundation
import Glibc
import Hammer
import XCTest

/// `cathammer serve` under systemd: every sd_notify message a Type=notify unit gets, in order and
/// from the main pid, and socket activation (the listener passed at fd 3), with reloads under load.
final class SystemdTests: XCTestCase {
    /// Checks a RELOADING=1 message: MONOTONIC_USEC on CLOCK_MONOTONIC, taken between `before` and now.
    private func checkReloading(_ message: FakeNotifySocket.Message?, after before: UInt64, pid: Int32,
                                file: StaticString = #filePath, line: UInt = #line) {
        guard let message else { return }
        XCTAssertEqual(message.fields["RELOADING"], "1", file: file, line: line)
        XCTAssertEqual(message.pid, pid, "sent by the main pid", file: file, line: line)
        let stamp = UInt64(message.fields["MONOTONIC_USEC"] ?? "") ?? 0
        XCTAssertTrue(stamp >= before && stamp <= monotonicMicroseconds(), "MONOTONIC_USEC \(stamp) is CLOCK_MONOTONIC of the reload",
                      file: file, line: line)
    }

    private func checkReady(_ message: FakeNotifySocket.Message?, pid: Int32, status: String,
                            file: StaticString = #filePath, line: UInt = #line) {
        guard let message else { return }
        XCTAssertEqual(message.fields["READY"], "1", file: file, line: line)
        XCTAssertEqual(message.pid, pid, "sent by the main pid", file: file, line: line)
        XCTAssertTrue(message.fields["STATUS"]?.contains(status) == true, "STATUS has '\(status)': \(message.text)", file: file, line: line)
    }

    func testEveryNotificationThroughStartReloadReexecAndStopUnderLoad() throws {
        let notify = try FakeNotifySocket(abstract: true)
        let server = try ServerProcess(["-p", "2"], environment: ["NOTIFY_SOCKET": notify.variable])
        checkReady(notify.expect("READY"), pid: server.pid, status: "generation 1: 2 workers ready on http://127.0.0.1:\(server.port)")
        let load = LoadLoop(port: server.port)
        load.start(clients: 3)
        XCTAssertTrue(ServerProcess.eventually { load.count(.ok) > 20 })

        var before = monotonicMicroseconds()
        server.signal(SIGHUP)
        checkReloading(notify.expect("RELOADING"), after: before, pid: server.pid)
        checkReady(notify.expect("READY"), pid: server.pid, status: "generation 2: 2 workers ready")

        // SIGUSR2: the master re-executes itself; same pid, so no MAINPID=, and the new image says READY=1.
        before = monotonicMicroseconds()
        server.signal(SIGUSR2)
        let reexec = notify.expect("RELOADING")
        checkReloading(reexec, after: before, pid: server.pid)
        XCTAssertTrue(reexec?.fields["STATUS"]?.hasPrefix("re-executing") == true, reexec?.text ?? "")
        let afterReexec = notify.expect("READY")
        checkReady(afterReexec, pid: server.pid, status: "generation 3: 2 workers ready")
        XCTAssertNil(afterReexec?.fields["MAINPID"], "a re-exec keeps the pid")

        // A worker added (once it is READY) and one removed are told in STATUS= alone.
        server.signal(SIGTTIN)
        XCTAssertEqual(notify.expect("STATUS")?.text, "STATUS=generation 3: 3 workers ready on http://127.0.0.1:\(server.port)")
        server.signal(SIGTTOU)
        XCTAssertEqual(notify.expect("STATUS")?.text, "STATUS=generation 3: 2 workers ready on http://127.0.0.1:\(server.port)")

        let counts = load.stop()
        XCTAssertEqual(counts.filter { $0.key != .ok }.values.reduce(0, +), 0, "nothing dropped across the roll and the re-exec: \(counts)")
        XCTAssertGreaterThan(counts[.ok] ?? 0, 50)

        server.signal(SIGTERM)
        let stopping = notify.expect("STOPPING")
        XCTAssertEqual(stopping?.pid, server.pid)
        XCTAssertTrue(stopping?.fields["STATUS"]?.hasPrefix("stopping (graceful)") == true, stopping?.text ?? "")
        XCTAssertEqual(server.waitForExit(), 0)
        XCTAssertTrue(notify.isDrained, "nothing after STOPPING=1")
    }

    func testARefusedAndAnAbortedReloadEndInReadyWithTheReason() throws {
        let notify = try FakeNotifySocket(abstract: false)
        let ini = FileManager.default.temporaryDirectory.appendingPathComponent("cathammer-systemd-\(getpid()).ini")
        try Data("[cathammer]\nprocesses = 1\n".utf8).write(to: ini)
        defer { try? FileManager.default.removeItem(at: ini) }
        // Generation 2's workers exit before READY: the roll aborts and generation 1 goes on serving.
        let server = try ServerProcess(["--ini", ini.path],
                                       environment: ["NOTIFY_SOCKET": notify.variable, "CATHAMMER_FAULT_FAIL_GENERATION": "2"])
        checkReady(notify.expect("READY"), pid: server.pid, status: "generation 1: 1 worker ready on")

        var before = monotonicMicroseconds()
        server.signal(SIGHUP)
        checkReloading(notify.expect("RELOADING"), after: before, pid: server.pid)
        let aborted = notify.expect("READY")
        checkReady(aborted, pid: server.pid, status: "reload to generation 2 aborted")
        checkReady(aborted, pid: server.pid, status: "the previous generation serves; generation 1: 1 worker ready")

        try Data("[cathammer]\nprocesses = none\n".utf8).write(to: ini)
        before = monotonicMicroseconds()
        server.signal(SIGHUP)
        checkReloading(notify.expect("RELOADING"), after: before, pid: server.pid)
        checkReady(notify.expect("READY"), pid: server.pid, status: "reload refused")

        server.signal(SIGINT)
        XCTAssertTrue(notify.expect("STOPPING")?.fields["STATUS"]?.hasPrefix("stopping (fast)") == true)
        XCTAssertEqual(server.waitForExit(), 0)
    }

    func testPassedListenerServesThroughAReloadAndOutlivesTheServer() throws {
        let listener = try PassedListener()
        let notify = try FakeNotifySocket(abstract: true)
        // No --http: every passed socket is taken.
        let first = try ActivatedServer(listener: listener, arguments: ["-p", "2"],
                                        environment: ["NOTIFY_SOCKET": notify.variable])
        checkReady(notify.expect("READY"), pid: first.pid, status: "generation 1: 2 workers ready on http://127.0.0.1:\(listener.port)")
        XCTAssertEqual(try RawClient.exchange(port: listener.port, "GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n").statuses, [200])

        let load = LoadLoop(port: listener.port)
        load.start(clients: 3)
        XCTAssertTrue(ServerProcess.eventually { load.count(.ok) > 20 })
        var before = monotonicMicroseconds()
        first.signal(SIGHUP)
        checkReloading(notify.expect("RELOADING"), after: before, pid: first.pid)
        checkReady(notify.expect("READY"), pid: first.pid, status: "generation 2: 2 workers ready")
        // The re-executed image gets the passed sockets from the handover, not from LISTEN_FDS (gone).
        before = monotonicMicroseconds()
        first.signal(SIGUSR2)
        checkReloading(notify.expect("RELOADING"), after: before, pid: first.pid)
        checkReady(notify.expect("READY"), pid: first.pid, status: "generation 3: 2 workers ready on http://127.0.0.1:\(listener.port)")
        let counts = load.stop()
        XCTAssertEqual(counts.filter { $0.key != .ok }.values.reduce(0, +), 0,
                       "a reload and a re-exec on passed sockets drop nothing: \(counts)")

        first.signal(SIGTERM)
        XCTAssertNotNil(notify.expect("STOPPING"))
        XCTAssertEqual(first.waitForExit(), 0, first.errorText)

        // No server runs, yet the socket listens: a client's request waits in its queue...
        let waiting = try RawClient(port: listener.port)
        defer { waiting.close() }
        waiting.send("GET /cats/1 HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n")
        // ...and the next server (naming the address this time, matched by getsockname) answers it.
        let second = try ActivatedServer(listener: listener, arguments: ["-p", "1", "--http", "localhost:\(listener.port)"],
                                         environment: ["NOTIFY_SOCKET": notify.variable])
        checkReady(notify.expect("READY"), pid: second.pid, status: "on http://localhost:\(listener.port)")
        XCTAssertEqual(waiting.readAll(timeout: 10).statuses, [200], "the request made between the two servers is served")
        second.signal(SIGTERM)
        XCTAssertEqual(second.waitForExit(), 0, second.errorText)
    }

    /// systemd's own implementation of the passing protocol (systemd-socket-activate, from the
    /// systemd package): it binds, waits for the first connection, then execs the server in place
    /// with LISTEN_FDS, LISTEN_PID and LISTEN_FDNAMES set.
    func testSystemdSocketActivateStartsTheServerOnTheFirstConnection() throws {
        let port = try SpawnedTarget.freePort()
        let notify = try FakeNotifySocket(abstract: true)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/systemd-socket-activate")
        process.arguments = ["--listen", "127.0.0.1:\(port)", "--fdname", "http", "--setenv", "NOTIFY_SOCKET=\(notify.variable)",
                             CathammerBinary.url.path, "serve", "--http", "127.0.0.1:\(port)", "-p", "2"]
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        defer { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }
        // The first connection is what starts the server; it waits in the queue meanwhile.
        var client: RawClient?
        XCTAssertTrue(ServerProcess.eventually { client = try? RawClient(port: port); return client != nil })
        let first = try XCTUnwrap(client)
        defer { first.close() }
        first.send("GET /cats/1 HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n")
        XCTAssertEqual(first.readAll(timeout: 20).statuses, [200])
        checkReady(notify.expect("READY"), pid: process.processIdentifier, status: "generation 1: 2 workers ready on http://127.0.0.1:\(port)")
        process.terminate()
        XCTAssertEqual(notify.expect("STOPPING")?.pid, process.processIdentifier)
        let log = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 0, log)
        XCTAssertTrue(log.contains("1 listener passed by systemd (LISTEN_FDS)"), log)
    }

    func testPassedSocketsThatDisagreeWithTheFlagsAreRefused() throws {
        let listener = try PassedListener()
        let other = listener.port == 65535 ? listener.port - 1 : listener.port + 1
        let wrongAddress = try ActivatedServer(listener: listener, arguments: ["--http", "127.0.0.1:\(other)"], environment: [:])
        XCTAssertEqual(wrongAddress.waitForExit(), 2)
        XCTAssertTrue(wrongAddress.errorText.contains("--http '127.0.0.1:\(other)': systemd passed no socket bound there (it passed 127.0.0.1:\(listener.port) (fd 3, web))"),
                      wrongAddress.errorText)

        let unnamed = try ActivatedServer(listener: listener, arguments: ["--http", "127.0.0.1:\(listener.port)", "--http", "[::1]:0"],
                                          environment: [:])
        XCTAssertEqual(unnamed.waitForExit(), 2)
        XCTAssertTrue(unnamed.errorText.contains("--http '[::1]:0': systemd passed no socket bound there"), unnamed.errorText)

        let reuseport = try ActivatedServer(listener: listener, arguments: ["--accept", "reuseport"], environment: [:])
        XCTAssertEqual(reuseport.waitForExit(), 2)
        XCTAssertTrue(reuseport.errorText.contains("--accept reuseport cannot serve sockets passed by systemd"), reuseport.errorText)

        let notListening = try ActivatedServer(listener: listener, arguments: [], environment: ["LISTEN_FDS": "2"])
        XCTAssertEqual(notListening.waitForExit(), 2)
        XCTAssertTrue(notListening.errorText.contains("LISTEN_FDNAMES 'web' names 1 descriptors, LISTEN_FDS says 2"), notListening.errorText)
    }
}
