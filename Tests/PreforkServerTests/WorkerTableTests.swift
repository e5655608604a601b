import XCTest
@testable import PreforkServer

final class WorkerTableTests: XCTestCase {
    func testAWorkerCountsOnlyAfterReady() {
        var table = WorkerTable()
        table.spawned(slot: 0, pid: 100, generation: 1, now: 0)
        table.spawned(slot: 1, pid: 101, generation: 1, now: 0)
        XCTAssertEqual(table.readyCount, 0)
        table.markReady(pid: 100)
        XCTAssertEqual(table.readyCount, 1)
        table.markReady(pid: 999)
        XCTAssertEqual(table.readyCount, 1)
    }

    func testUnexpectedDeathIsRespawnedInItsSlot() {
        var table = WorkerTable()
        table.spawned(slot: 3, pid: 100, generation: 2, now: 0)
        table.markReady(pid: 100)
        XCTAssertEqual(table.exited(pid: 100, now: 10, stopping: false), .respawn(slot: 3, generation: 2, delay: 0))
        XCTAssertTrue(table.isEmpty)
        XCTAssertEqual(table.respawns, 1)
    }

    func testRetiringWorkersAndStopsAreNotRespawned() {
        var table = WorkerTable()
        table.spawned(slot: 0, pid: 100, generation: 1, now: 0)
        table.markRetiring(pid: 100)
        XCTAssertEqual(table.exited(pid: 100, now: 10, stopping: false), .nothing)
        table.spawned(slot: 0, pid: 101, generation: 1, now: 0)
        XCTAssertEqual(table.exited(pid: 101, now: 10, stopping: true), .nothing)
        XCTAssertEqual(table.exited(pid: 4242, now: 10, stopping: false), .nothing, "not our child")
    }

    func testRespawnStormsAreDamped() {
        var table = WorkerTable(damping: .init(burst: 5, window: 2_000, pause: 1_000))
        var delays: [UInt64] = []
        for index in 0..<7 {
            let pid = Int32(100 + index)
            table.spawned(slot: 0, pid: pid, generation: 1, now: UInt64(index * 10))
            if case .respawn(_, _, let delay) = table.exited(pid: pid, now: UInt64(index * 10), stopping: false) {
                delays.append(delay)
            }
        }
        XCTAssertEqual(delays, [0, 0, 0, 0, 0, 1_000, 1_000], "more than 5 respawns in 2 s wait")
        table.spawned(slot: 0, pid: 200, generation: 1, now: 10_000)
        XCTAssertEqual(table.exited(pid: 200, now: 10_000, stopping: false), .respawn(slot: 0, generation: 1, delay: 0),
                       "the window forgets old respawns")
    }
}
