import Foundation
import Glibc
import XCTest

/// `--fault-fail-start`, set in the ini file before a SIGHUP: the new workers exit before READY, the
/// roll aborts, the old generation keeps serving; the next good reload rolls in.
final class FaultFailStartTests: XCTestCase {
    func testWorkersThatFailToStartAbortTheRollUntilTheFaultIsRemoved() throws {
        let ini = FileManager.default.temporaryDirectory.appendingPathComponent("cathammer-fault-\(getpid()).ini")
        try Data("[cathammer]\nprocesses = 2\n".utf8).write(to: ini)
        defer { try? FileManager.default.removeItem(at: ini) }
        let server = try ServerProcess(["--ini", ini.path, "--stats", "127.0.0.1:0"])
        let statsPort = try XCTUnwrap(server.statsPort)
        let before = Set(server.workerPIDs())
        XCTAssertEqual(before.count, 2)

        try Data("[cathammer]\nprocesses = 2\nfault-fail-start = true\n".utf8).write(to: ini)
        server.signal(SIGHUP)
        XCTAssertTrue(ServerProcess.eventually { fetchStatsMaster(port: statsPort)?.failedReloads == 1 }, "the roll aborts")
        XCTAssertEqual(Set(server.workerPIDs()), before, "the old generation is untouched")
        XCTAssertEqual(try RawClient.exchange(port: server.port, "GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n").statuses, [200])

        try Data("[cathammer]\nprocesses = 2\nfault-fail-start = false\n".utf8).write(to: ini)
        server.signal(SIGHUP)
        XCTAssertTrue(ServerProcess.eventually(timeout: 30) {
            let rows = fetchStatsWorkers(port: statsPort)
            return rows.count == 2 && rows.allSatisfy { $0.generation == 3 && $0.state == "ready" }
        }, "the next good reload rolls generation 3 in")
        XCTAssertTrue(Set(server.workerPIDs()).isDisjoint(with: before))
    }

    func testCheckConfigAcceptsTheFlag() throws {
        let result = try CathammerBinary.run(["serve", "--fault-fail-start", "true", "--check-config"])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertEqual(try CathammerBinary.run(["serve", "--fault-fail-start", "sometimes", "--check-config"]).status, 2)
    }
}
