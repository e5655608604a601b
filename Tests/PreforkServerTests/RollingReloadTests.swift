import XCTest
@testable import PreforkServer

final class RollingReloadTests: XCTestCase {
    func testEachSlotIsReplacedOnlyAfterItsSuccessorIsReady() {
        var roll = RollingReload(generation: 2, newCount: 2, oldWorkers: [0: [10], 1: [11]])
        XCTAssertEqual(roll.start(), [.spawn(slot: 0, generation: 2)])
        roll.spawned(slot: 0, pid: 20)
        XCTAssertEqual(roll.ready(pid: 99), [], "READY from someone else changes nothing")
        XCTAssertEqual(roll.ready(pid: 20), [.retire(pids: [10]), .spawn(slot: 1, generation: 2)],
                       "retire the old worker only once its successor is READY, then go on")
        roll.spawned(slot: 1, pid: 21)
        XCTAssertEqual(roll.ready(pid: 21), [.retire(pids: [11]), .finished])
        XCTAssertEqual(roll.phase, .finished)
    }

    func testANewWorkerThatDiesBeforeReadyAbortsAndRetiresNobody() {
        var roll = RollingReload(generation: 3, newCount: 2, oldWorkers: [0: [10], 1: [11]])
        _ = roll.start()
        roll.spawned(slot: 0, pid: 20)
        XCTAssertEqual(roll.failed(pid: 20, reason: "exit 1"), [.aborted(reason: "exit 1")])
        XCTAssertEqual(roll.phase, .aborted)
        XCTAssertEqual(roll.oldWorkers, [0: [10], 1: [11]], "the old generation keeps serving")
        XCTAssertEqual(roll.ready(pid: 20), [])
    }

    func testASpawnFailureAborts() {
        var roll = RollingReload(generation: 2, newCount: 1, oldWorkers: [0: [10]])
        _ = roll.start()
        XCTAssertEqual(roll.failed(pid: nil, reason: "posix_spawn"), [.aborted(reason: "posix_spawn")])
    }

    func testTheWorkerCountCanGrowOrShrink() {
        var grow = RollingReload(generation: 2, newCount: 3, oldWorkers: [0: [10], 1: [11]])
        _ = grow.start()
        grow.spawned(slot: 0, pid: 20)
        _ = grow.ready(pid: 20)
        grow.spawned(slot: 1, pid: 21)
        XCTAssertEqual(grow.ready(pid: 21), [.retire(pids: [11]), .spawn(slot: 2, generation: 2)])
        grow.spawned(slot: 2, pid: 22)
        XCTAssertEqual(grow.ready(pid: 22), [.finished], "a new slot replaces nobody")

        var shrink = RollingReload(generation: 2, newCount: 1, oldWorkers: [0: [10], 1: [11]])
        _ = shrink.start()
        shrink.spawned(slot: 0, pid: 20)
        XCTAssertEqual(shrink.ready(pid: 20), [.retire(pids: [10]), .retire(pids: [11]), .finished],
                       "the slot that is no longer configured goes last")
    }
}
