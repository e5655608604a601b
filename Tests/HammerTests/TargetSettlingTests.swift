import Hammer
import XCTest

/// When herd-check takes a spawned server to be ready to measure.
final class TargetSettlingTests: XCTestCase {
    private func reading(_ pids: [Int32], _ states: String, _ switches: [Int]) -> TargetSettling.Reading {
        TargetSettling.Reading(pids: pids, states: states.map { Optional($0) }, voluntaryContextSwitches: switches)
    }

    func testTheSameSleepingProcessesWithoutWakeupsAreAtRest() {
        XCTAssertTrue(TargetSettling.atRest(reading([1, 2, 3], "SSS", [5, 9, 9]), reading([1, 2, 3], "SSS", [5, 9, 9])))
    }

    func testAWorkerStillComingIsNotAtRest() {
        XCTAssertFalse(TargetSettling.atRest(reading([1, 2], "SS", [5, 9]), reading([1, 2, 3], "SSS", [5, 9, 1])), "a new process")
        XCTAssertFalse(TargetSettling.atRest(reading([1, 2, 3], "SSR", [5, 9, 1]), reading([1, 2, 3], "SSR", [5, 9, 1])), "one runs (booting)")
        XCTAssertFalse(TargetSettling.atRest(reading([1, 2, 3], "SSD", [5, 9, 1]), reading([1, 2, 3], "SSD", [5, 9, 1])), "one waits on disk")
        XCTAssertFalse(TargetSettling.atRest(reading([1, 2, 3], "SSS", [5, 9, 1]), reading([1, 2, 3], "SSS", [5, 9, 4])), "one woke up")
        XCTAssertFalse(TargetSettling.atRest(reading([], "", []), reading([], "", [])), "no process at all")
    }

    func testAProcessThatIsGoneIsNotAtRest() {
        let gone = TargetSettling.Reading(pids: [1, 2], states: ["S", nil], voluntaryContextSwitches: [5, -1])
        XCTAssertFalse(TargetSettling.atRest(gone, gone))
    }

    func testThisTestProcessTreeIsRead() {
        let mine = TargetSettling.Reading.of(tree: getpid())
        XCTAssertEqual(mine.pids.first, getpid())
        XCTAssertEqual(mine.states.first ?? nil, "R", "the reading runs in this process")
    }
}
