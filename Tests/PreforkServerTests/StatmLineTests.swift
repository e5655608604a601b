import XCTest
@testable import PreforkServer

final class StatmLineTests: XCTestCase {
    private func resident(_ text: String) -> Int {
        Array(text.utf8).withUnsafeBufferPointer { StatmLine.residentPages($0) }
    }

    func testTheSecondNumberIsTheResidentPages() {
        XCTAssertEqual(resident("12345 678 90 1 0 2345 0\n"), 678)
        XCTAssertEqual(resident("1 2"), 2)
    }

    func testALineWithoutASecondNumberGivesZero() {
        XCTAssertEqual(resident(""), 0)
        XCTAssertEqual(resident("12345"), 0)
        XCTAssertEqual(resident("12345 \n"), 0)
        XCTAssertEqual(resident("12345 x9"), 0)
    }

    func testTheLiveProcessHasSomeResidentMemory() {
        XCTAssertGreaterThan(ScoreboardSlot.residentBytes(), 1_000_000, "a test process holds more than a megabyte")
    }
}
