import CathammerContract
import Foundation
import Glibc
import Hammer
import XCTest

/// The thundering herd, seen in the scoreboard: how many workers wake for each accepted connection.
final class AcceptModeTests: XCTestCase {
    /// Voluntary context switches of a process: each one is a sleep after a wakeup. Wakeups that end
    /// inside the kernel (the listener was already drained) never reach user space, so this, not
    /// EAGAIN or epoll returns, is what shows the herd.
    static func voluntarySwitches(_ pid: Int32) -> Int { ProcessStatusFile.read(pid: pid)?.voluntaryContextSwitches ?? 0 }

    /// Kernel wakeups per accepted connection for `mode`, with 4 workers and a serial client.
    private func wakeupsPerAccept(_ mode: String) throws -> Double {
        let server = try ServerProcess(["-p", "4", "--accept", mode, "--stats", "127.0.0.1:0"])
        let statsPort = try XCTUnwrap(server.statsPort)
        func workers() -> [StatsSnapshot.WorkerRow] { fetchStatsWorkers(port: statsPort) }
        XCTAssertTrue(ServerProcess.eventually { workers().filter { $0.state == "ready" }.count == 4 })
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
        var rows: [StatsSnapshot.WorkerRow] = []
        XCTAssertTrue(ServerProcess.eventually {
            rows = workers()
            return rows.reduce(0) { $0 + $1.accepts } == connections
        })
        let switches = pids.map(Self.voluntarySwitches).reduce(0, +) - before
        let reported = rows.reduce(0) { $0 + $1.voluntaryContextSwitches }
        XCTAssertGreaterThanOrEqual(reported, switches, "the stats endpoint reports the same counter")
        let listenerWakeups = rows.reduce(0) { $0 + $1.listenerWakeups }
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
        XCTAssertTrue(ServerProcess.eventually { load.count(.ok) >= 300 }, "requests flow through the lock")
        let counts = load.stop()
        XCTAssertEqual(counts.filter { $0.key != .ok }.values.reduce(0, +), 0, "\(counts)")
        let workers = fetchStatsWorkers(port: try XCTUnwrap(server.statsPort))
        XCTAssertEqual(workers.count, 3)
    }

    func testUnknownModesAreRefused() throws {
        let result = try CathammerBinary.run(["serve", "--http", "127.0.0.1:0", "--accept", "stampede"])
        XCTAssertEqual(result.status, 2)
        XCTAssertTrue(result.stderr.contains("--accept"), result.stderr)
    }
}

/// `--accept reuseport` needs connection migration; inside a private network namespace the test can
/// switch it on without touching the machine's own settings.
final class ReusePortTests: XCTestCase {
    func testRefusedWithoutConnectionMigration() throws {
        // A fresh namespace starts with migration off, whatever the machine's own setting is.
        let result = try CathammerBinary.runTool("/usr/bin/unshare", [
            "--net", "/bin/sh", "-c",
            "ip link set lo up; '\(CathammerBinary.url.path)' serve --http 127.0.0.1:0 --accept reuseport; echo \"exit=$?\"",
        ], capture: true)
        XCTAssertTrue(result.output.contains("exit=2"), result.output)
        XCTAssertTrue(result.output.contains("net.ipv4.tcp_migrate_req"), result.output)
    }

    func testServesAndReloadsInANamespaceWithMigration() throws {
        let script = """
            set -u
            ip link set lo up && sysctl -qw net.ipv4.tcp_migrate_req=1 || exit 77
            dir=$(mktemp -d)
            '\(CathammerBinary.url.path)' serve --http 127.0.0.1:0 -p 2 --accept reuseport --retire-idle-grace 1 > "$dir/out" 2> "$dir/err" &
            master=$!
            for _ in $(seq 200); do grep -q 'ready on' "$dir/out" && break; sleep 0.05; done
            port=$(sed -n 's/.*ready on http:\\/\\/127\\.0\\.0\\.1:\\([0-9]*\\).*/\\1/p' "$dir/out")
            [ -n "$port" ] || { cat "$dir/err"; kill $master; exit 3; }
            sleep 0.3
            echo "listeners=$(ss -Hltn "sport = :$port" | wc -l)"
            ok=0; failed=0
            for i in $(seq 300); do
              code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 "http://127.0.0.1:$port/cats/1")
              if [ "$code" = 200 ]; then ok=$((ok + 1)); else failed=$((failed + 1)); fi
              [ $((i % 50)) -eq 0 ] && kill -HUP $master
            done
            kill -TERM $master
            wait $master
            echo "ok=$ok failed=$failed exit=$?"
            rm -rf "$dir"
            """
        let (status, text) = try CathammerBinary.runTool("/usr/bin/unshare", ["--net", "/bin/sh", "-c", script], capture: true)
        XCTAssertNotEqual(status, 77, "the test needs its own network namespace: \(text)")
        XCTAssertTrue(text.contains("listeners=2"), "one listening socket per worker: \(text)")
        XCTAssertTrue(text.contains("ok=300 failed=0"), "every request answered through 5 reloads: \(text)")
    }
}
