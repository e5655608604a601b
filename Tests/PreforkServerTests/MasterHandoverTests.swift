import XCTest
@testable import PreforkServer

final class MasterHandoverTests: XCTestCase {
    func testRoundTrip() {
        let handover = MasterHandover(
            listeners: [.init(fd: 10, scheme: .http)], scoreboardFD: 11, statsFD: 12, acceptLockFD: 15, generation: 4, processes: 3,
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

    /// Several listeners with their schemes and the ticket-key page survive the round trip; the
    /// format an image with one listener wrote still decodes (as one http listener).
    func testListenersAndTicketKeysRoundTrip() {
        let handover = MasterHandover(
            listeners: [.init(fd: 70, scheme: .https), .init(fd: 71, scheme: .http), .init(fd: 72, scheme: .https)],
            scoreboardFD: 73, ticketKeysFD: 74, statsFD: nil, generation: 2, processes: 2, counters: ["reloads": 1],
            respawnCounts: [:], workers: [])
        let text = handover.encoded()
        XCTAssertTrue(text.contains("listener=70") && text.contains("listener1=71") && text.contains("listener2=72"), text)
        XCTAssertTrue(text.contains("https=5") && text.contains("ticketkeys=74"), text)
        XCTAssertFalse(text.contains("counters"), text)
        XCTAssertEqual(MasterHandover.decode(text), handover)

        let earlierImage = MasterHandover.decode("listener=10,scoreboard=11,generation=3,processes=2,reloads=2")
        XCTAssertEqual(earlierImage?.listeners, [.init(fd: 10, scheme: .http)])
        XCTAssertNil(earlierImage?.ticketKeysFD)
        XCTAssertEqual(earlierImage?.counters, ["reloads": 2])
    }

    func testGarbageIsRefused() {
        XCTAssertNil(MasterHandover.decode(""))
        XCTAssertNil(MasterHandover.decode("listener=3"))
        XCTAssertNil(MasterHandover.decode("listener=3,scoreboard=4,generation=1,processes=1;worker=0:1:1:dancing:5:0:0"))
        XCTAssertNil(MasterHandover.decode("listener=x,scoreboard=4,generation=1,processes=1"))
    }
}
