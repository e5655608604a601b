import XCTest
@testable import PreforkServer

/// Every (state, event) pair of replacing one worker, with the outcome written out by hand.
final class WorkerRecyclingTests: XCTestCase {
    typealias Machine = WorkerRecycling
    typealias Row = LifecycleRow<Machine>

    private let states: [Machine.State] = [
        .idle, .spawning(.lifetime), .replacementStarting(successor: 20, .lifetime), .retryPending(.lifetime),
    ]
    private let events: [Machine.Event] = [
        .requested(.maxRequests, allowed: true), .requested(.maxRequests, allowed: false), .spawned(successor: 21),
        .spawnFailed, .successorReady, .successorExited, .retryDue(allowed: true), .retryDue(allowed: false), .oldExited,
    ]

    private let table: [Row] = [
        Row(.idle, .requested(.maxRequests, allowed: true), .next(.spawning(.maxRequests), [.spawnReplacement(.maxRequests)])),
        Row(.idle, .requested(.maxRequests, allowed: false), .next(.idle, [])),
        Row(.idle, .spawned(successor: 21), .illegal),
        Row(.idle, .spawnFailed, .illegal),
        Row(.idle, .successorReady, .illegal),
        Row(.idle, .successorExited, .illegal),
        Row(.idle, .retryDue(allowed: true), .next(.idle, [])),
        Row(.idle, .retryDue(allowed: false), .next(.idle, [])),
        Row(.idle, .oldExited, .next(.idle, [])),

        Row(.spawning(.lifetime), .requested(.maxRequests, allowed: true), .illegal),
        Row(.spawning(.lifetime), .requested(.maxRequests, allowed: false), .illegal),
        Row(.spawning(.lifetime), .spawned(successor: 21), .next(.replacementStarting(successor: 21, .lifetime), [])),
        Row(.spawning(.lifetime), .spawnFailed, .next(.idle, [])),
        Row(.spawning(.lifetime), .successorReady, .illegal),
        Row(.spawning(.lifetime), .successorExited, .illegal),
        Row(.spawning(.lifetime), .retryDue(allowed: true), .illegal),
        Row(.spawning(.lifetime), .retryDue(allowed: false), .illegal),
        Row(.spawning(.lifetime), .oldExited, .illegal),

        Row(.replacementStarting(successor: 20, .lifetime), .requested(.maxRequests, allowed: true),
            .next(.replacementStarting(successor: 20, .lifetime), [])),
        Row(.replacementStarting(successor: 20, .lifetime), .requested(.maxRequests, allowed: false),
            .next(.replacementStarting(successor: 20, .lifetime), [])),
        Row(.replacementStarting(successor: 20, .lifetime), .spawned(successor: 21), .illegal),
        Row(.replacementStarting(successor: 20, .lifetime), .spawnFailed, .illegal),
        Row(.replacementStarting(successor: 20, .lifetime), .successorReady, .next(.idle, [.retireOld(successor: 20)])),
        Row(.replacementStarting(successor: 20, .lifetime), .successorExited, .next(.retryPending(.lifetime), [.scheduleRetry])),
        Row(.replacementStarting(successor: 20, .lifetime), .retryDue(allowed: true), .illegal),
        Row(.replacementStarting(successor: 20, .lifetime), .retryDue(allowed: false), .illegal),
        Row(.replacementStarting(successor: 20, .lifetime), .oldExited, .next(.idle, [.successorFillsSlot])),

        Row(.retryPending(.lifetime), .requested(.maxRequests, allowed: true), .next(.retryPending(.lifetime), [])),
        Row(.retryPending(.lifetime), .requested(.maxRequests, allowed: false), .next(.retryPending(.lifetime), [])),
        Row(.retryPending(.lifetime), .spawned(successor: 21), .illegal),
        Row(.retryPending(.lifetime), .spawnFailed, .illegal),
        Row(.retryPending(.lifetime), .successorReady, .illegal),
        Row(.retryPending(.lifetime), .successorExited, .illegal),
        Row(.retryPending(.lifetime), .retryDue(allowed: true), .next(.spawning(.lifetime), [.spawnReplacement(.lifetime)])),
        Row(.retryPending(.lifetime), .retryDue(allowed: false), .next(.idle, [])),
        Row(.retryPending(.lifetime), .oldExited, .next(.idle, [])),
    ]

    func testEveryPairHasTheWrittenOutcome() {
        assertCoversEveryPair(Machine.self, states: states, events: events, table: table)
        XCTAssertEqual(table.filter { $0.outcome == .illegal }.count, 19)
    }

    /// A successor that dies before READY is retried; the second one takes over; the old one retires.
    func testTheOldWorkerRetiresOnlyOnceASuccessorIsReady() {
        var recycling = WorkerRecycling()
        XCTAssertEqual(recycling.handle(.requested(.maxRequests, allowed: true), old: 10), [.spawnReplacement(.maxRequests)])
        XCTAssertEqual(recycling.handle(.spawned(successor: 20), old: 10), [])
        XCTAssertEqual(recycling.replaced(bySuccessor: 20), 10)
        XCTAssertNil(recycling.replaced(bySuccessor: 10))
        XCTAssertTrue(recycling.hasSuccessorStarting)
        XCTAssertEqual(recycling.handle(.successorExited, old: 10), [.scheduleRetry])
        XCTAssertNil(recycling.replaced(bySuccessor: 20), "the dead successor is forgotten")
        XCTAssertFalse(recycling.hasSuccessorStarting)
        XCTAssertEqual(recycling.handle(.requested(.lifetime, allowed: true), old: 10), [], "the pause is kept")
        XCTAssertEqual(recycling.handle(.retryDue(allowed: true), old: 10), [.spawnReplacement(.maxRequests)])
        XCTAssertEqual(recycling.handle(.spawned(successor: 21), old: 10), [])
        XCTAssertEqual(recycling.handle(.successorReady, old: 10), [.retireOld(successor: 21)])
        XCTAssertEqual(recycling.states, [:], "nothing is left once the old worker is retired")
    }

    func testWorkersAreReplacedIndependently() {
        var recycling = WorkerRecycling()
        _ = recycling.handle(.requested(.memory, allowed: true), old: 10)
        _ = recycling.handle(.spawned(successor: 20), old: 10)
        _ = recycling.handle(.requested(.lifetime, allowed: true), old: 11)
        _ = recycling.handle(.spawned(successor: 21), old: 11)
        XCTAssertEqual(recycling.states, [10: .replacementStarting(successor: 20, .memory),
                                          11: .replacementStarting(successor: 21, .lifetime)])
        XCTAssertEqual(recycling.handle(.oldExited, old: 11), [.successorFillsSlot])
        XCTAssertEqual(recycling.states, [10: .replacementStarting(successor: 20, .memory)])
    }
}
