import XCTest
@testable import PreforkServer

/// Every (state, event) pair of a worker's retirement, with the outcome written out by hand.
final class WorkerRetirementTests: XCTestCase {
    typealias Machine = WorkerRetirement
    typealias Row = LifecycleRow<Machine>

    private let states: [Machine.State] = [
        .serving, .replacementRequested(.maxRequests), .retiring(grace: 7), .stopping, .exited,
    ]
    private let events: [Machine.Event] = [.limitReached(.maxRequests), .retire(grace: 5), .stop, .quit, .connectionsDrained]

    private let table: [Row] = [
        Row(.serving, .limitReached(.maxRequests), .next(.replacementRequested(.maxRequests), [.askForReplacement(.maxRequests)])),
        Row(.serving, .retire(grace: 5), .next(.retiring(grace: 5), [.stopAccepting, .retireConnections(grace: 5)])),
        Row(.serving, .stop, .next(.stopping, [.stopAccepting, .retireConnections(grace: 0)])),
        Row(.serving, .quit, .next(.exited, [.exit])),
        Row(.serving, .connectionsDrained, .next(.serving, [])),

        Row(.replacementRequested(.maxRequests), .limitReached(.maxRequests), .illegal),
        Row(.replacementRequested(.maxRequests), .retire(grace: 5),
            .next(.retiring(grace: 5), [.stopAccepting, .retireConnections(grace: 5)])),
        Row(.replacementRequested(.maxRequests), .stop, .next(.stopping, [.stopAccepting, .retireConnections(grace: 0)])),
        Row(.replacementRequested(.maxRequests), .quit, .next(.exited, [.exit])),
        Row(.replacementRequested(.maxRequests), .connectionsDrained, .next(.replacementRequested(.maxRequests), [])),

        Row(.retiring(grace: 7), .limitReached(.maxRequests), .next(.retiring(grace: 7), [])),
        Row(.retiring(grace: 7), .retire(grace: 5), .next(.retiring(grace: 7), [])),
        Row(.retiring(grace: 7), .stop, .next(.stopping, [.retireConnections(grace: 0)])),
        Row(.retiring(grace: 7), .quit, .next(.exited, [.exit])),
        Row(.retiring(grace: 7), .connectionsDrained, .next(.exited, [.exit])),

        Row(.stopping, .limitReached(.maxRequests), .next(.stopping, [])),
        Row(.stopping, .retire(grace: 5), .next(.stopping, [])),
        Row(.stopping, .stop, .next(.stopping, [])),
        Row(.stopping, .quit, .next(.exited, [.exit])),
        Row(.stopping, .connectionsDrained, .next(.exited, [.exit])),

        Row(.exited, .limitReached(.maxRequests), .next(.exited, [])),
        Row(.exited, .retire(grace: 5), .next(.exited, [])),
        Row(.exited, .stop, .next(.exited, [])),
        Row(.exited, .quit, .next(.exited, [])),
        Row(.exited, .connectionsDrained, .next(.exited, [])),
    ]

    func testEveryPairHasTheWrittenOutcome() {
        assertCoversEveryPair(Machine.self, states: states, events: events, table: table)
    }

    func testTheOnlyIllegalPairIsASecondLimit() {
        XCTAssertFalse(Machine.isLegal(.replacementRequested(.maxRequests), on: .limitReached(.maxRequests)))
        XCTAssertEqual(table.filter { $0.outcome == .illegal }.count, 1)
    }

    /// The path of a max-requests recycle as a worker lives it, through the mutating wrapper.
    func testARecycledWorkerAsksOnceThenRetiresAndExitsWhenDrained() {
        var retirement = WorkerRetirement()
        XCTAssertTrue(retirement.acceptsConnections)
        XCTAssertEqual(retirement.handle(.limitReached(.maxRequests)), [.askForReplacement(.maxRequests)])
        XCTAssertTrue(retirement.acceptsConnections, "it keeps serving until its replacement is READY")
        XCTAssertEqual(retirement.handle(.retire(grace: 10)), [.stopAccepting, .retireConnections(grace: 10)])
        XCTAssertFalse(retirement.acceptsConnections)
        XCTAssertEqual(retirement.handle(.stop), [.retireConnections(grace: 0)], "a stop cuts the idle grace short")
        XCTAssertEqual(retirement.handle(.connectionsDrained), [.exit])
        XCTAssertEqual(retirement.state, .exited)
        XCTAssertFalse(retirement.acceptsConnections)
    }
}
