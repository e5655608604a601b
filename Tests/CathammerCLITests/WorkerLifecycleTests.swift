import CathammerContract
import Foundation
import Glibc
import Hammer
import XCTest

/// Workers replaced while serving: max-requests, lifetime, memory, harakiri, SIGTTIN / SIGTTOU.
final class WorkerLifecycleTests: XCTestCase {
    private func masterValue(_ port: UInt16, _ key: KeyPath<StatsSnapshot.Master, Int>) -> Int {
        fetchStatsMaster(port: port)?[keyPath: key] ?? -1
    }

    private func readyWorkers(_ port: UInt16) -> Int {
        fetchStatsWorkers(port: port).filter { $0.state == "ready" }.count
    }

    func testMaxRequestsRecyclesWorkersWithoutLosingARequest() throws {
        let server = try ServerProcess(["-p", "2", "--stats", "127.0.0.1:0", "--max-requests", "5",
                                        "--max-requests-jitter", "3", "--retire-idle-grace", "1"])
        let statsPort = try XCTUnwrap(server.statsPort)
        XCTAssertTrue(ServerProcess.eventually { self.readyWorkers(statsPort) == 2 })
        let first = Set(server.workerPIDs())
        let load = LoadLoop(port: server.port)
        load.start(clients: 3)
        XCTAssertTrue(ServerProcess.eventually(timeout: 30) { self.masterValue(statsPort, \.recycles) >= 10 })
        let counts = load.stop()
        XCTAssertEqual(counts.filter { $0.key != .ok }.values.reduce(0, +), 0, "\(counts)")
        XCTAssertFalse(Set(server.workerPIDs()).isSubset(of: first), "workers were replaced")
        XCTAssertEqual(masterValue(statsPort, \.forcedKills), 0)
        print("max-requests 5: \(masterValue(statsPort, \.recycles)) recycles, \(counts)")
    }

    func testHarakiriKillsAStuckWorkerAndCountsIt() throws {
        let server = try ServerProcess(["-p", "1", "--stats", "127.0.0.1:0", "--harakiri", "1"])
        let statsPort = try XCTUnwrap(server.statsPort)
        XCTAssertTrue(ServerProcess.eventually { self.readyWorkers(statsPort) == 1 })
        let victim = try XCTUnwrap(server.workerPIDs().first)
        let stuck = try RawClient(port: server.port)
        defer { stuck.close() }
        stuck.send("GET /sleep?ms=5000 HTTP/1.1\r\nHost: a\r\n\r\n")
        XCTAssertTrue(ServerProcess.eventually(timeout: 10) { self.masterValue(statsPort, \.harakiriKills) == 1 })
        XCTAssertTrue(stuck.readAll(timeout: 5).closed, "the stuck request's connection dies with its worker")
        XCTAssertTrue(ServerProcess.eventually { !server.workerPIDs().contains(victim) && self.readyWorkers(statsPort) == 1 },
                      "and a new worker takes the slot")
        XCTAssertEqual(try RawClient.exchange(port: server.port, "GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n").statuses, [200])
        // The dead worker's busy clock must not be charged to its replacement while that one starts
        // (it was, on a busy machine: every replacement killed in turn, the slot never served again).
        XCTAssertEqual(masterValue(statsPort, \.harakiriKills), 1, "one kill: the replacements were left alone")
        XCTAssertEqual(masterValue(statsPort, \.respawns), 1)
    }

    func testLifetimeAndMemoryLimitsRecycle() throws {
        let old = try ServerProcess(["-p", "1", "--stats", "127.0.0.1:0", "--max-worker-lifetime", "1"])
        let oldStats = try XCTUnwrap(old.statsPort)
        XCTAssertTrue(ServerProcess.eventually(timeout: 15) { self.masterValue(oldStats, \.recycles) >= 1 })
        XCTAssertEqual(try RawClient.exchange(port: old.port, "GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n").statuses, [200])

        let fat = try ServerProcess(["-p", "1", "--stats", "127.0.0.1:0", "--reload-on-rss", "1"])
        let fatStats = try XCTUnwrap(fat.statsPort)
        XCTAssertTrue(ServerProcess.eventually(timeout: 15) { self.masterValue(fatStats, \.recycles) >= 1 },
                      "every worker is above 1 MiB")
    }

    func testTTINAndTTOUChangeTheWorkerCount() throws {
        let server = try ServerProcess(["-p", "2", "--stats", "127.0.0.1:0"])
        let statsPort = try XCTUnwrap(server.statsPort)
        XCTAssertTrue(ServerProcess.eventually { self.readyWorkers(statsPort) == 2 })
        server.signal(SIGTTIN)
        XCTAssertTrue(ServerProcess.eventually { self.readyWorkers(statsPort) == 3 && server.workerPIDs().count == 3 })
        // One signal at a time: two of a kind sent before the master reads them arrive as one.
        server.signal(SIGTTOU)
        XCTAssertTrue(ServerProcess.eventually { server.workerPIDs().count == 2 && self.readyWorkers(statsPort) == 2 })
        server.signal(SIGTTOU)
        XCTAssertTrue(ServerProcess.eventually { server.workerPIDs().count == 1 && self.readyWorkers(statsPort) == 1 })
        server.signal(SIGTTOU)
        XCTAssertTrue(ServerProcess.eventually { server.errorSoFar.contains("SIGTTOU: keeping the last worker") },
                      "the last SIGTTOU was handled")
        XCTAssertEqual(server.workerPIDs().count, 1, "never below one worker")
        XCTAssertEqual(readyWorkers(statsPort), 1)
    }
}

final class MasterFIFOTests: XCTestCase {
    func testOneCharacterCommands() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("cathammer-fifo-\(getpid())").path
        unlink(path)
        let server = try ServerProcess(["-p", "2", "--stats", "127.0.0.1:0", "--master-fifo", path])
        let statsPort = try XCTUnwrap(server.statsPort)
        func send(_ text: String) throws {
            let handle = try XCTUnwrap(FileHandle(forWritingAtPath: path))
            handle.write(Data(text.utf8))
            try handle.close()
        }
        func workers() -> [StatsSnapshot.WorkerRow] { fetchStatsWorkers(port: statsPort) }
        XCTAssertTrue(ServerProcess.eventually { workers().filter { $0.state == "ready" }.count == 2 })
        try send("+\n")
        XCTAssertTrue(ServerProcess.eventually { server.workerPIDs().count == 3 })
        try send("-")
        XCTAssertTrue(ServerProcess.eventually { server.workerPIDs().count == 2 })
        try send("r")
        XCTAssertTrue(ServerProcess.eventually {
            let rows = workers()
            return rows.count == 2 && rows.allSatisfy { $0.generation == 2 && $0.state == "ready" }
        }, "r rolls a new generation in")
        let masterPID = server.pid
        try send("R")
        XCTAssertTrue(ServerProcess.eventually {
            let rows = workers()
            return rows.count == 2 && rows.allSatisfy { $0.generation == 3 && $0.state == "ready" }
        }, "R re-executes the master, which rolls generation 3 in")
        XCTAssertEqual(fetchStatsMaster(port: statsPort)?.pid, Int(masterPID))
        try send("s x")
        try send("q")
        XCTAssertEqual(server.waitForExit(), 0)
        XCTAssertTrue(server.errorText.contains("stats: {\"master\""), server.errorText)
        XCTAssertTrue(server.errorText.contains("unknown command 'x'"))
        XCTAssertFalse(FileManager.default.fileExists(atPath: path), "the FIFO it created is removed")

        let notAFIFO = try CathammerBinary.run(["serve", "--http", "127.0.0.1:0", "--master-fifo", "/etc/hostname"])
        XCTAssertEqual(notAFIFO.status, 2)
        XCTAssertTrue(notAFIFO.stderr.contains("not a FIFO"), notAFIFO.stderr)
    }
}
