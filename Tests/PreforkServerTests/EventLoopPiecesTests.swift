import Glibc
import XCTest
@testable import PreforkServer

final class EventLoopPiecesTests: XCTestCase {
    final class Owner { let name: String; init(_ name: String) { self.name = name } }

    func testTimerQueuePopsInDeadlineThenScheduleOrder() {
        var queue = TimerQueue<Owner>()
        let a = Owner("a"), b = Owner("b"), c = Owner("c"), d = Owner("d")
        queue.schedule(c, at: 30, generation: 0)
        queue.schedule(a, at: 10, generation: 0)
        queue.schedule(d, at: 30, generation: 0)
        queue.schedule(b, at: 20, generation: 0)
        XCTAssertEqual(queue.earliestDeadline, 10)
        XCTAssertNil(queue.popDue(now: 9))
        var order: [String] = []
        while let entry = queue.popDue(now: 100) { order.append(entry.owner.name) }
        XCTAssertEqual(order, ["a", "b", "c", "d"])
        XCTAssertTrue(queue.isEmpty)
    }

    func testRemovingStaleEntriesKeepsTheOrderOfTheRest() {
        var queue = TimerQueue<Owner>()
        var owners: [Owner] = []
        for index in 0..<100 {
            let owner = Owner("\(index)")
            owners.append(owner)
            // Deadlines out of order, and every third entry cancelled (generation 1 is stale).
            queue.schedule(owner, at: UInt64((index * 37) % 100), generation: index % 3 == 0 ? 1 : 0)
        }
        queue.removeStale { $0.generation == 1 }
        XCTAssertEqual(queue.count, 66)
        var deadlines: [UInt64] = []
        while let entry = queue.popDue(now: .max) {
            XCTAssertNotEqual(Int(entry.owner.name)! % 3, 0, "a stale entry survived")
            deadlines.append(entry.deadline)
        }
        XCTAssertEqual(deadlines, deadlines.sorted())
        XCTAssertEqual(deadlines.count, 66)
    }

    /// A cancelled timer entry must not keep its owner (a closed connection) alive until its deadline.
    func testTheLoopReleasesOwnersOfCancelledTimersLongBeforeTheirDeadlines() throws {
        final class Cancellable: TimerHandler {
            var timerGeneration: UInt64 = 0
            func timerFired(loop: EventLoop) {}
        }
        let loop = try EventLoop()
        weak var firstCancelled: Cancellable?
        for index in 0..<10_000 {
            let owner = Cancellable()
            loop.schedule(owner, at: .max / 2)
            owner.timerGeneration &+= 1  // cancelled at once, as a connection that closes
            if index == 0 { firstCancelled = owner }
        }
        XCTAssertNil(firstCancelled, "the first of 10,000 cancelled entries still holds its owner")
        let live = Cancellable()
        for _ in 0..<1_000 { loop.schedule(live, at: .max / 2) }
        XCTAssertNotNil(live, "entries that are not stale stay")
    }

    func testHTTPDateIsIMFFixdate() {
        var date = HTTPDate()
        XCTAssertTrue(date.refresh(now: 784_111_777))
        XCTAssertEqual(String(decoding: date.line, as: UTF8.self), "Date: Sun, 06 Nov 1994 08:49:37 GMT\r\n")
        XCTAssertFalse(date.refresh(now: 784_111_777), "formatted once per second")
        date.refresh(now: 1_795_737_600)
        XCTAssertEqual(String(decoding: date.line, as: UTF8.self), "Date: Fri, 27 Nov 2026 00:00:00 GMT\r\n")
    }

    func testListenAddressForms() {
        XCTAssertEqual(ListenAddress(parsing: ":8000"), ListenAddress(host: "0.0.0.0", port: 8000))
        XCTAssertEqual(ListenAddress(parsing: "127.0.0.1:0"), ListenAddress(host: "127.0.0.1", port: 0))
        XCTAssertEqual(ListenAddress(parsing: "[::1]:8080"), ListenAddress(host: "::1", port: 8080))
        XCTAssertNil(ListenAddress(parsing: "8000"))
        XCTAssertNil(ListenAddress(parsing: "host:99999"))
        XCTAssertNil(ListenAddress(parsing: "::1:80"))
        XCTAssertNil(ListenAddress(parsing: "host:"))
    }

    func testResponseEncoderWritesDecimalsAndStatusLines() {
        var out: [UInt8] = []
        ResponseEncoder.appendStatusLine(431, to: &out)
        ResponseEncoder.appendContentLength(1_048_576, to: &out)
        ResponseEncoder.appendContentLength(0, to: &out)
        XCTAssertEqual(String(decoding: out, as: UTF8.self),
                       "HTTP/1.1 431 Request Header Fields Too Large\r\nContent-Length: 1048576\r\nContent-Length: 0\r\n")
    }

    func testScoreboardIsSharedThroughItsFile() throws {
        let board = try Scoreboard(slots: 3)
        board.slot(2).begin(pid: 42, generation: 7)
        board.slot(2).noteAccept()
        board.slot(2).requestFinished()
        let mappedAgain = try Scoreboard(fd: board.fd, slots: 3)
        XCTAssertEqual(mappedAgain.slot(2).load(.pid), 42)
        XCTAssertEqual(mappedAgain.slot(2).load(.generation), 7)
        XCTAssertEqual(mappedAgain.slot(2).load(.accepts), 1)
        XCTAssertEqual(mappedAgain.slot(2).load(.requests), 1)
        XCTAssertEqual(mappedAgain.slot(2).state, .ready)
        XCTAssertEqual(mappedAgain.slot(0).state, .empty)
    }

    /// A worker killed mid-request leaves its busy clock and counters in the slot; the master's
    /// hand-over to the next worker clears them, so the harakiri watchdog cannot charge the dead
    /// worker's request to a replacement that is still starting.
    func testASlotHandedToANewWorkerStartsIdleAndEmpty() throws {
        let board = try Scoreboard(slots: 1)
        let slot = board.slot(0)
        slot.begin(pid: 42, generation: 1)
        slot.noteAccept()
        slot.requestStarted()
        XCTAssertGreaterThan(slot.load(.busySince), 0, "killed while busy")
        slot.assign(slotID: 1, generation: 1, respawns: 3)
        XCTAssertEqual(slot.load(.busySince), 0)
        XCTAssertEqual(slot.load(.pid), 0, "no pid until the new worker writes its own")
        XCTAssertEqual(slot.load(.accepts), 0)
        XCTAssertEqual(slot.load(.respawns), 3)
        XCTAssertEqual(slot.load(.slotID), 1)
        XCTAssertEqual(slot.state, .starting)
    }

    func testControlChannelCarriesMessagesAndEOF() throws {
        let (master, worker) = try ControlChannel.pair()
        XCTAssertEqual(worker.receive(), .wouldBlock)
        XCTAssertTrue(master.send(.retire))
        XCTAssertTrue(master.send(.stop))
        XCTAssertEqual(worker.receive(), .message(.retire))
        XCTAssertEqual(worker.receive(), .message(.stop), "one message per packet")
        XCTAssertEqual(send(master.fd, "DANCE", 5, 0), 5)
        XCTAssertEqual(worker.receive(), .undecodable(.unknownVerb("DANCE")), "garbage is reported, not dropped")
        master.close()
        XCTAssertEqual(worker.receive(), .closed)
        worker.close()
    }
}
