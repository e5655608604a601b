@testable import PreforkServer
import XCTest

final class AcceptBalanceTests: XCTestCase {
    func testAWorkerStepsBackWhenItHoldsMoreThanItsShare() {
        // (own, total, workers) → steps back
        let cases: [(Int, Int, Int, Bool)] = [
            (1, 1, 2, false),   // the first connection of an idle server
            (2, 2, 2, true),    // the second in a row: the other worker should take the next
            (2, 4, 2, false),   // an even split
            (3, 4, 2, true),
            (4, 8, 2, false),
            (31, 60, 2, false), // a new connection per request: around the share, no re-registering
            (33, 60, 2, false),
            (34, 60, 2, false),
            (35, 60, 2, true),
            (5, 5, 1, false),   // a single worker has nobody to step back for
            (0, 10, 4, false),
            (4, 10, 4, true),
        ]
        for (own, total, workers, expected) in cases {
            XCTAssertEqual(AcceptBalance.stepsBack(own: own, total: total, workers: workers), expected,
                           "own \(own) of \(total) over \(workers) workers")
        }
    }

    func testWithoutOtherWorkersNobodyStepsBack() {
        XCTAssertFalse(AcceptBalance().stepsBack(own: 100))
    }

    func testTheOthersAreTheReadyWorkersOfTheSameGeneration() throws {
        let board = try Scoreboard(slots: 6)
        for (index, (generation, state, connections)) in [(1, WorkerState.ready, 3), (1, .ready, 5), (1, .retiring, 7),
                                                         (2, .ready, 11), (1, .starting, 13), (1, .ready, 17)].enumerated() {
            let slot = board.slot(index)
            slot.store(.generation, generation)
            slot.setState(state)
            slot.store(.connections, connections)
        }
        let others = board.readySlots(ofGeneration: 1, excluding: board.slot(0))
        XCTAssertEqual(others.map { $0.load(.connections) }, [5, 17])
        var balance = AcceptBalance()
        balance.setOthers(others)
        // 2 + 5 + 17 = 24 over 3 workers: a share of 8; live counts are read at each call.
        XCTAssertFalse(balance.stepsBack(own: 2))
        board.slot(1).store(.connections, 0)
        board.slot(5).store(.connections, 0)
        XCTAssertTrue(balance.stepsBack(own: 2), "the others' counts are read live")
    }
}
