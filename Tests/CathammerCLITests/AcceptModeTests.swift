import Foundation
import Glibc
import Hammer
import XCTest

/// The thundering herd, seen in the scoreboard: how many workers wake for each accepted connection.
final class AcceptModeTests: XCTestCase {
    /// Voluntary context switches of a process: each one is a sleep after a wakeup. Wakeups that end
    /// inside the kernel (the listener was already drained) never reach user space, so this, not
    /// EAGAIN or epoll returns, is what shows the herd.
    static func voluntarySwitches(_ pid: Int32) -> Int {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("voluntary_ctxt_switches:") })
        else { return 0 }
        return Int(line.split(separator: "\t").last?.trimmingCharacters(in: .whitespaces) ?? "") ?? 0
    }

    /// Kernel wakeups per accepted connection for `mode`, with 4 workers and a serial client.
    private func wakeupsPerAccept(_ mode: String) throws -> Double {
        let server = try ServerProcess(["-p", "4", "--accept", mode, "--stats", "127.0.0.1:0"])
        let statsPort = try XCTUnwrap(server.statsPort)
        func workers() -> [[String: Any]] { fetchStatsWorkers(port: statsPort) }
        XCTAssertTrue(ServerProcess.eventually { workers().filter { $0["state"] as? String == "ready" }.count == 4 })
        let connections = 150
        let pids = server.workerPIDs()
        XCTAssertEqual(pids.count, 4)
        usleep(200_000)
        let before = pids.map(Self.voluntarySwitches).reduce(0, +)
        for _ in 0..<connections {
            let reply = try RawClient.exchange(port: server.port, "GET /cats/1 HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n")
            XCTAssertEqual(reply.statuses, [200], mode)
            usleep(2_000)  // let every worker go back to epoll_wait: a serial client at light load
        }
        var rows: [[String: Any]] = []
        XCTAssertTrue(ServerProcess.eventually {
            rows = workers()
            return rows.reduce(0) { $0 + ($1["accepts"] as? Int ?? 0) } == connections
        })
        let switches = pids.map(Self.voluntarySwitches).reduce(0, +) - before
        let reported = rows.reduce(0) { $0 + ($1["voluntary_context_switches"] as? Int ?? 0) }
        XCTAssertGreaterThanOrEqual(reported, switches, "the stats endpoint reports the same counter")
        let listenerWakeups = rows.reduce(0) { $0 + ($1["listener_wakeups"] as? Int ?? 0) }
        print("\(mode): \(Double(switches) / Double(connections)) voluntary context switches and "
              + "\(Double(listenerWakeups) / Double(connections)) listener wakeups per connection")
        return Double(switches) / Double(connections)
    }

    func testPlainWakesTheHerdAndExclusiveWakesOne() throws {
        let plain = try wakeupsPerAccept("plain")
        let exclusive = try wakeupsPerAccept("exclusive")
        XCTAssertGreaterThan(plain, exclusive + 1.5, "plain epoll wakes every idle worker for each connection")
        XCTAssertLessThan(exclusive, 3, "EPOLLEXCLUSIVE wakes one worker (which may sleep once more for the request bytes)")
    }

    func testLockModeSerializesAcceptAndServes() throws {
        let lock = try wakeupsPerAccept("lock")
        XCTAssertGreaterThan(lock, 0)
        let server = try ServerProcess(["-p", "3", "--accept", "lock", "--stats", "127.0.0.1:0"])
        let load = LoadLoop(port: server.port)
        load.start(clients: 6)
        usleep(1_500_000)
        let counts = load.stop()
        XCTAssertGreaterThan(counts[.ok] ?? 0, 50)
        XCTAssertEqual(counts.filter { $0.key != .ok }.values.reduce(0, +), 0, "\(counts)")
        let workers = fetchStatsWorkers(port: try XCTUnwrap(server.statsPort))
        XCTAssertEqual(workers.count, 3)
        XCTAssertNotNil(workers.first?["accept_lock_contended"] as? Int)
    }

    func testUnknownModesAreRefused() throws {
        let result = try CathammerBinary.run(["serve", "--http", "127.0.0.1:0", "--accept", "stampede"])
        XCTAssertEqual(result.status, 2)
        XCTAssertTrue(result.stderr.contains("--accept"), result.stderr)
    }
}
