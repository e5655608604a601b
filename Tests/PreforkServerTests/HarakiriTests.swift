import XCTest
@testable import PreforkServer

/// Every (state, event) pair of harakiri for one worker, with the outcome written out by hand.
final class HarakiriTests: XCTestCase {
    typealias Machine = Harakiri
    typealias Row = LifecycleRow<Machine>

    private let table: [Row] = [
        Row(.watching, .busyTooLong, .next(.killed, [.kill])),
        Row(.watching, .reaped, .next(.watching, [])),
        Row(.killed, .busyTooLong, .next(.killed, [])),
        Row(.killed, .reaped, .next(.watching, [])),
    ]

    func testEveryPairHasTheWrittenOutcome() {
        assertCoversEveryPair(Machine.self, states: [.watching, .killed], events: [.busyTooLong, .reaped], table: table)
        XCTAssertTrue(table.allSatisfy { $0.outcome != .illegal }, "every pair can happen")
    }

    func testAStuckWorkerIsKilledOnceAndItsPidForgottenWhenReaped() {
        var harakiri = Harakiri()
        XCTAssertEqual(harakiri.handle(.busyTooLong, pid: 7), [.kill])
        XCTAssertEqual(harakiri.handle(.busyTooLong, pid: 7), [], "the next watchdog tick still sees it busy")
        XCTAssertEqual(harakiri.handle(.busyTooLong, pid: 8), [.kill], "per worker")
        XCTAssertEqual(harakiri.killed, [7, 8])
        XCTAssertEqual(harakiri.handle(.reaped, pid: 7), [])
        XCTAssertEqual(harakiri.killed, [8])
        XCTAssertEqual(harakiri.handle(.busyTooLong, pid: 7), [.kill], "a reused pid is a new worker")
    }
}
