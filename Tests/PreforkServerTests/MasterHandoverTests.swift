import XCTest
@testable import PreforkServer

final class MasterHandoverTests: XCTestCase {
    func testRoundTrip() {
        let handover = MasterHandover(
            listenerFD: 10, scoreboardFD: 11, statsFD: 12, acceptLockFD: 15, generation: 4, processes: 3,
            counters: ["reloads": 3, "forced_kills": 1, "recycles": 0],
            respawnCounts: [0: 2, 2: 5],
            workers: [
                .init(slot: 0, pid: 4242, generation: 4, state: .ready, controlFD: 13, scoreboardIndex: 7, spawnedAt: 123_456_789),
                .init(slot: 1, pid: 4243, generation: 3, state: .retiring, controlFD: 14, scoreboardIndex: 2, spawnedAt: 1),
            ])
        XCTAssertEqual(MasterHandover.decode(handover.encoded()), handover)
        var noStats = handover
        noStats.statsFD = nil
        noStats.acceptLockFD = nil
        noStats.workers = []
        XCTAssertEqual(MasterHandover.decode(noStats.encoded()), noStats)
    }

    func testGarbageIsRefused() {
        XCTAssertNil(MasterHandover.decode(""))
        XCTAssertNil(MasterHandover.decode("listener=3"))
        XCTAssertNil(MasterHandover.decode("listener=3,scoreboard=4,generation=1,processes=1;worker=0:1:1:dancing:5:0:0"))
        XCTAssertNil(MasterHandover.decode("listener=x,scoreboard=4,generation=1,processes=1"))
    }
}
