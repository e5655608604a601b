import CathammerContract
import Foundation
import Glibc
import Hammer
import XCTest

/// SIGHUP rolls a new generation in without losing a single request.
final class ReloadTests: XCTestCase {
    private func workers(_ statsPort: UInt16) -> [StatsSnapshot.WorkerRow] { fetchStatsWorkers(port: statsPort) }
    private func master(_ statsPort: UInt16) -> StatsSnapshot.Master? { fetchStatsMaster(port: statsPort) }

    /// Waits until exactly `count` READY workers of `generation` serve and nothing else is left.
    private func settled(_ statsPort: UInt16, count: Int, generation: Int) -> Bool {
        ServerProcess.eventually(timeout: 30) {
            let rows = workers(statsPort)
            return rows.count == count && rows.allSatisfy { $0.generation == generation && $0.state == "ready" }
        }
    }

    func testTwentyHUPsUnderLoadLoseNothing() throws {
        let server = try ServerProcess(["-p", "2", "--stats", "127.0.0.1:0", "--retire-idle-grace", "2"])
        let statsPort = try XCTUnwrap(server.statsPort)
        XCTAssertTrue(settled(statsPort, count: 2, generation: 1))
        let firstWorkers = Set(server.workerPIDs())
        let load = LoadLoop(port: server.port)
        load.start(clients: 4)
        usleep(300_000)
        for _ in 0..<20 {
            server.signal(SIGHUP)
            usleep(200_000)
        }
        // Coalesced HUPs end in one more roll. Settled means: two READY workers of one generation G,
        // nothing else in the table (a roll in progress has more), and G - 1 completed reloads.
        var generation = 0
        XCTAssertTrue(ServerProcess.eventually(timeout: 30) {
            let rows = workers(statsPort)
            guard rows.count == 2, let current = rows.first?.generation,
                  rows.allSatisfy({ $0.generation == current && $0.state == "ready" }),
                  master(statsPort)?.reloads == current - 1
            else { return false }
            generation = current
            return true
        })
        let reloads = generation - 1
        XCTAssertGreaterThan(reloads, 0)
        usleep(300_000)
        let counts = load.stop()
        let total = counts.values.reduce(0, +)
        let failed = counts.filter { $0.key != .ok }.values.reduce(0, +)
        XCTAssertGreaterThan(total, 200, "the loop kept requests flowing: \(counts)")
        XCTAssertEqual(failed, 0, "every request answered through the reloads: \(counts)")

        XCTAssertTrue(Set(server.workerPIDs()).isDisjoint(with: firstWorkers), "every worker was replaced")
        XCTAssertEqual(master(statsPort)?.pid, Int(server.pid), "the master stays the same process")
        XCTAssertEqual(master(statsPort)?.forcedKills, 0)
        XCTAssertGreaterThan(load.workersSeen.count, 4, "responses came from several generations")
        print("reload storm: \(reloads) rolls for 20 HUPs, \(total) requests, \(failed) failed: \(counts)")
    }

    func testAReloadWithABadConfigurationKeepsTheOldGeneration() throws {
        let ini = FileManager.default.temporaryDirectory.appendingPathComponent("cathammer-reload-\(getpid()).ini")
        try Data("[cathammer]\nprocesses = 2\n".utf8).write(to: ini)
        defer { try? FileManager.default.removeItem(at: ini) }
        let server = try ServerProcess(["--ini", ini.path, "--stats", "127.0.0.1:0"])
        let statsPort = try XCTUnwrap(server.statsPort)
        XCTAssertTrue(settled(statsPort, count: 2, generation: 1))
        let before = Set(server.workerPIDs())

        try Data("[cathammer]\nprocesses = zero\n".utf8).write(to: ini)
        server.signal(SIGHUP)
        XCTAssertTrue(ServerProcess.eventually { self.master(statsPort)?.failedReloads == 1 },
                      "the bad file was read and the reload refused")
        XCTAssertEqual(Set(server.workerPIDs()), before, "a refused reload touches no worker")
        XCTAssertEqual(try RawClient.exchange(port: server.port, "GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n").statuses, [200])

        // The worker count follows the file on the next good reload.
        try Data("[cathammer]\nprocesses = 3\n".utf8).write(to: ini)
        server.signal(SIGHUP)
        XCTAssertTrue(settled(statsPort, count: 3, generation: 2), "N → N+1 across a reload")
        XCTAssertEqual(master(statsPort)?.reloads, 1)
        XCTAssertEqual(master(statsPort)?.failedReloads, 1)
        try Data("[cathammer]\nprocesses = 1\n".utf8).write(to: ini)
        server.signal(SIGHUP)
        XCTAssertTrue(settled(statsPort, count: 1, generation: 3), "N → 1 across a reload")
    }

    func testNewWorkersThatFailToStartAbortTheRollAndTheOldOnesServe() throws {
        let server = try ServerProcess(["-p", "2", "--stats", "127.0.0.1:0"],
                                       environment: ["CATHAMMER_FAULT_FAIL_GENERATION": "2"])
        let statsPort = try XCTUnwrap(server.statsPort)
        XCTAssertTrue(settled(statsPort, count: 2, generation: 1))
        let before = Set(server.workerPIDs())
        let load = LoadLoop(port: server.port)
        load.start(clients: 2)
        server.signal(SIGHUP)
        XCTAssertTrue(ServerProcess.eventually { self.master(statsPort)?.failedReloads == 1 },
                      "the roll is aborted and counted")
        usleep(300_000)
        let counts = load.stop()
        XCTAssertEqual(counts.filter { $0.key != .ok }.values.reduce(0, +), 0, "\(counts)")
        XCTAssertEqual(Set(server.workerPIDs()), before, "the old generation keeps serving, untouched")
        XCTAssertEqual(master(statsPort)?.reloads, 0)
        // The next generation (3) starts fine: the server is not stuck after an aborted roll.
        server.signal(SIGHUP)
        XCTAssertTrue(settled(statsPort, count: 2, generation: 3))
    }

    func testARequestInFlightDuringAReloadCompletesAndMercyKillsAreCounted() throws {
        let server = try ServerProcess(["-p", "1", "--stats", "127.0.0.1:0"])
        let statsPort = try XCTUnwrap(server.statsPort)
        XCTAssertTrue(settled(statsPort, count: 1, generation: 1))
        let client = try RawClient(port: server.port)
        defer { client.close() }
        client.send("GET /sleep?ms=1500 HTTP/1.1\r\nHost: a\r\n\r\n")
        XCTAssertTrue(server.someWorkerIsBusy(statsPort: statsPort), "the worker holds the request when the reload starts")
        server.signal(SIGHUP)
        let reply = client.readAll(timeout: 10)
        XCTAssertEqual(reply.statuses, [200], "the old worker finishes the request it had")
        XCTAssertTrue(reply.text.contains("Connection: close"), "and closes the connection after it")
        XCTAssertTrue(settled(statsPort, count: 1, generation: 2))

        let impatient = try ServerProcess(["-p", "1", "--stats", "127.0.0.1:0", "--reload-mercy", "1"])
        let impatientStats = try XCTUnwrap(impatient.statsPort)
        XCTAssertTrue(settled(impatientStats, count: 1, generation: 1))
        let long = try RawClient(port: impatient.port)
        defer { long.close() }
        long.send("GET /sleep?ms=5000 HTTP/1.1\r\nHost: a\r\n\r\n")
        XCTAssertTrue(impatient.someWorkerIsBusy(statsPort: impatientStats), "the worker holds the request when the reload starts")
        impatient.signal(SIGHUP)
        XCTAssertTrue(ServerProcess.eventually(timeout: 15) { self.master(impatientStats)?.forcedKills == 1 },
                      "the worker still busy after the mercy is killed, and the kill is counted")
        XCTAssertTrue(long.readAll(timeout: 10).statuses.isEmpty, "its request is lost: that is what a forced kill means")
    }
}

/// SIGUSR2: the master re-executes its binary in place and adopts its workers.
final class ReexecTests: XCTestCase {

    func testFiveReexecsUnderLoadKeepThePidAndLoseNothing() throws {
        let server = try ServerProcess(["-p", "2", "--stats", "127.0.0.1:0", "--retire-idle-grace", "1"])
        let statsPort = try XCTUnwrap(server.statsPort)
        func settled(_ generation: Int) -> Bool {
            ServerProcess.eventually(timeout: 30) {
                let workers = fetchStatsWorkers(port: statsPort)
                return workers.count == 2 && workers.allSatisfy { $0.generation == generation && $0.state == "ready" }
            }
        }
        XCTAssertTrue(settled(1))
        let load = LoadLoop(port: server.port)
        load.start(clients: 3)
        for round in 1...5 {
            let before = Set(server.workerPIDs())
            server.signal(SIGUSR2)
            XCTAssertTrue(settled(round + 1), "re-exec \(round) rolled generation \(round + 1) in")
            XCTAssertTrue(Set(server.workerPIDs()).isDisjoint(with: before), "re-exec \(round) replaced every worker")
        }
        let counts = load.stop()
        XCTAssertEqual(counts.filter { $0.key != .ok }.values.reduce(0, +), 0, "\(counts)")
        let master = fetchStatsMaster(port: statsPort)
        XCTAssertEqual(master?.pid, Int(server.pid), "same pid: the master re-executed in place")
        XCTAssertEqual(master?.reloads, 5, "the books survive the re-exec")
        XCTAssertEqual(master?.forcedKills, 0)
        print("re-exec: 5 re-execs, \(counts)")
        server.signal(SIGTERM)
        XCTAssertEqual(server.waitForExit(), 0)
    }
}

final class RetireTests: XCTestCase {
    /// A worker retired by a reload keeps an idle keep-alive connection for the grace; a graceful
    /// stop then cuts the grace short, so the worker exits before its mercy instead of being killed.
    func testAGracefulStopClosesTheIdleConnectionsOfARetiringWorker() throws {
        // The idle connection would outlive the mercy on its own: only the stop can end it in time.
        let server = try ServerProcess(["-p", "1", "--stats", "127.0.0.1:0", "--keepalive-timeout", "120",
                                        "--retire-idle-grace", "120", "--reload-mercy", "6"])
        let statsPort = try XCTUnwrap(server.statsPort)
        XCTAssertTrue(ServerProcess.eventually { fetchStatsWorkers(port: statsPort).first?.state == "ready" })
        let idle = try RawClient(port: server.port)
        defer { idle.close() }
        idle.send("GET /cats/1 HTTP/1.1\r\nHost: a\r\n\r\n")
        XCTAssertEqual(idle.readAvailable().statuses, [200], "answered, and the connection stays open")
        server.signal(SIGHUP)
        XCTAssertTrue(ServerProcess.eventually {
            let states = fetchStatsWorkers(port: statsPort).map { "\($0.generation) \($0.state)" }
            return states.sorted() == ["1 retiring", "2 ready"]
        }, "the old worker retires and holds the idle connection for the grace")
        server.signal(SIGTERM)
        XCTAssertEqual(server.waitForExit(), 0)
        XCTAssertFalse(server.errorText.contains("forced kill"), server.errorText)
    }

    func testPipelinedRequestsAtRetireAreAnsweredInOrderAndTheLastCloses() throws {
        let server = try ServerProcess(["-p", "1", "--stats", "127.0.0.1:0"])
        let statsPort = try XCTUnwrap(server.statsPort)
        let client = try RawClient(port: server.port)
        defer { client.close() }
        client.send("GET /sleep?ms=600 HTTP/1.1\r\nHost: a\r\n\r\nGET /cats/1 HTTP/1.1\r\nHost: a\r\n\r\nGET /cats/2 HTTP/1.1\r\nHost: a\r\n\r\n")
        XCTAssertTrue(server.someWorkerIsBusy(statsPort: statsPort), "the worker holds the first request when the reload starts")
        server.signal(SIGHUP)
        let reply = client.readAll(timeout: 10)
        XCTAssertEqual(reply.statuses, [200, 200, 200], reply.text)
        XCTAssertTrue(reply.closed)
        let responses = reply.text.components(separatedBy: "HTTP/1.1 200 OK").dropFirst()
        XCTAssertEqual(responses.map { $0.contains("Connection: close") }, [false, false, true],
                       "only the last pipelined response closes")
        let order = ["slept 600 ms", "\"name\":\"Tom\"", "\"name\":\"Mittens\""].compactMap { reply.text.range(of: $0)?.lowerBound }
        XCTAssertEqual(order.count, 3)
        XCTAssertEqual(order, order.sorted(), "in request order")
    }
}
