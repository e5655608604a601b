import XCTest
@testable import PreforkServer

/// Every (state, event) pair of the master's stop, with the outcome written out by hand.
final class MasterShutdownTests: XCTestCase {
    typealias Machine = MasterShutdown
    typealias Row = LifecycleRow<Machine>

    private let states: [Machine.State] = [.running, .stopping(.graceful), .stopping(.fast), .killing(.graceful), .killing(.fast), .done]
    private let events: [Machine.Event] = [.stop(.graceful), .stop(.fast), .workerReady(pid: 42), .deadlinePassed, .workersGone]

    private let table: [Row] = [
        Row(.running, .stop(.graceful), .next(.stopping(.graceful), [.tellEveryWorker(.stop), .armDeadline(.graceful)])),
        Row(.running, .stop(.fast), .next(.stopping(.fast), [.tellEveryWorker(.quit), .armDeadline(.fast)])),
        Row(.running, .workerReady(pid: 42), .next(.running, [])),
        Row(.running, .deadlinePassed, .illegal),
        Row(.running, .workersGone, .next(.running, [])),

        Row(.stopping(.graceful), .stop(.graceful), .next(.stopping(.graceful), [])),
        Row(.stopping(.graceful), .stop(.fast), .next(.stopping(.fast), [.tellEveryWorker(.quit), .armDeadline(.fast)])),
        Row(.stopping(.graceful), .workerReady(pid: 42), .next(.stopping(.graceful), [.tell(pid: 42, .stop)])),
        Row(.stopping(.graceful), .deadlinePassed, .next(.killing(.graceful), [.killRemaining])),
        Row(.stopping(.graceful), .workersGone, .next(.done, [.endLoop])),

        Row(.stopping(.fast), .stop(.graceful), .next(.stopping(.fast), [])),
        Row(.stopping(.fast), .stop(.fast), .next(.stopping(.fast), [])),
        Row(.stopping(.fast), .workerReady(pid: 42), .next(.stopping(.fast), [.tell(pid: 42, .quit)])),
        Row(.stopping(.fast), .deadlinePassed, .next(.killing(.fast), [.killRemaining])),
        Row(.stopping(.fast), .workersGone, .next(.done, [.endLoop])),

        Row(.killing(.graceful), .stop(.graceful), .next(.killing(.graceful), [])),
        Row(.killing(.graceful), .stop(.fast), .next(.killing(.graceful), [])),
        Row(.killing(.graceful), .workerReady(pid: 42), .next(.killing(.graceful), [.tell(pid: 42, .stop)])),
        Row(.killing(.graceful), .deadlinePassed, .next(.killing(.graceful), [])),
        Row(.killing(.graceful), .workersGone, .next(.done, [.endLoop])),

        Row(.killing(.fast), .stop(.graceful), .next(.killing(.fast), [])),
        Row(.killing(.fast), .stop(.fast), .next(.killing(.fast), [])),
        Row(.killing(.fast), .workerReady(pid: 42), .next(.killing(.fast), [.tell(pid: 42, .quit)])),
        Row(.killing(.fast), .deadlinePassed, .next(.killing(.fast), [])),
        Row(.killing(.fast), .workersGone, .next(.done, [.endLoop])),

        Row(.done, .stop(.graceful), .next(.done, [])),
        Row(.done, .stop(.fast), .next(.done, [])),
        Row(.done, .workerReady(pid: 42), .next(.done, [])),
        Row(.done, .deadlinePassed, .next(.done, [])),
        Row(.done, .workersGone, .next(.done, [])),
    ]

    func testEveryPairHasTheWrittenOutcome() {
        assertCoversEveryPair(Machine.self, states: states, events: events, table: table)
    }

    func testTheOnlyIllegalPairIsADeadlineNobodyArmed() {
        XCTAssertFalse(Machine.isLegal(.running, on: .deadlinePassed))
        XCTAssertEqual(table.filter { $0.outcome == .illegal }.count, 1)
    }

    /// SIGTERM, then SIGINT while workers are still finishing, then the fast deadline.
    func testAGracefulStopCanBeHurried() {
        var shutdown = MasterShutdown()
        XCTAssertTrue(shutdown.isRunning)
        XCTAssertEqual(shutdown.handle(.stop(.graceful)), [.tellEveryWorker(.stop), .armDeadline(.graceful)])
        XCTAssertFalse(shutdown.isRunning)
        XCTAssertEqual(shutdown.handle(.stop(.fast)), [.tellEveryWorker(.quit), .armDeadline(.fast)])
        XCTAssertEqual(shutdown.handle(.deadlinePassed), [.killRemaining])
        XCTAssertEqual(shutdown.handle(.deadlinePassed), [], "the graceful deadline comes later and kills nobody twice")
        XCTAssertEqual(shutdown.handle(.workersGone), [.endLoop])
        XCTAssertEqual(shutdown.state, .done)
    }
}
