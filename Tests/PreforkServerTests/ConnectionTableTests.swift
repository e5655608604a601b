import XCTest
@testable import PreforkServer

final class ConnectionTableTests: XCTestCase {
    private final class FakeSession: ServerSession {
        let fd: Int32
        var timerGeneration: UInt64 = 0
        init(fd: Int32) { self.fd = fd }
        func start() {}
        func retire(grace: UInt64) {}
        func handleEvents(_ events: UInt32, loop: EventLoop) {}
        func timerFired(loop: EventLoop) {}
    }

    func testCountsWhatItHoldsAndFindsItByFd() {
        var table = ConnectionTable()
        XCTAssertTrue(table.isEmpty)
        XCTAssertNil(table[7])
        XCTAssertNil(table[-1], "no fd is negative: a look-up of one finds nothing")
        let seven = FakeSession(fd: 7)
        let three = FakeSession(fd: 3)
        table[7] = seven
        table[3] = three
        XCTAssertEqual(table.count, 2)
        XCTAssertTrue(table[7] === seven)
        XCTAssertTrue(table[3] === three)
        XCTAssertNil(table[5])
        XCTAssertNil(table[700], "past the end finds nothing")
        XCTAssertEqual(table.all.map(\.fd), [3, 7])
    }

    func testReplacingKeepsTheCountAndRemovingLowersIt() {
        var table = ConnectionTable()
        let handshake = FakeSession(fd: 4)
        let session = FakeSession(fd: 4)
        table[4] = handshake
        table[4] = session
        XCTAssertEqual(table.count, 1, "a hand-over replaces the handler of the same fd")
        XCTAssertTrue(table[4] === session)
        table[4] = nil
        XCTAssertEqual(table.count, 0)
        XCTAssertTrue(table.isEmpty)
        table[4] = nil
        table[900] = nil
        XCTAssertEqual(table.count, 0, "removing what is not there changes nothing")
        XCTAssertTrue(table.all.isEmpty)
    }
}
