import XCTest
@testable import PreforkServer

/// One row per (state, event) pair of a `Lifecycle`, with the outcome written out by hand.
struct LifecycleRow<Machine: Lifecycle> {
    var state: Machine.State
    var event: Machine.Event
    var outcome: Transition<Machine.State, Machine.Action>

    init(_ state: Machine.State, _ event: Machine.Event, _ outcome: Transition<Machine.State, Machine.Action>) {
        self.state = state
        self.event = event
        self.outcome = outcome
    }
}

/// The table covers every pair exactly once, the machine agrees with every row, and the
/// non-trapping `isLegal` says illegal exactly where a row does.
func assertCoversEveryPair<Machine: Lifecycle>(
    _ machine: Machine.Type, states: [Machine.State], events: [Machine.Event], table: [LifecycleRow<Machine>],
    file: StaticString = #filePath, line: UInt = #line
) where Machine.Event: Equatable {
    XCTAssertEqual(table.count, states.count * events.count, "rows", file: file, line: line)
    for state in states {
        for event in events {
            let rows = table.filter { $0.state == state && $0.event == event }
            XCTAssertEqual(rows.count, 1, "one row for \(state) on \(event)", file: file, line: line)
            guard let expected = rows.first?.outcome else { continue }
            XCTAssertEqual(Machine.transition(from: state, on: event), expected, "\(state) on \(event)", file: file, line: line)
            XCTAssertEqual(Machine.isLegal(state, on: event), expected != .illegal, "legality of \(state) on \(event)",
                           file: file, line: line)
        }
    }
}
