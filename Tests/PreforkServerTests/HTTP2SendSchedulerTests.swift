import HTTP2Wire
import XCTest
@testable import PreforkServer

/// The output scheduler without sockets: windows, frame size, room, turns.
final class HTTP2SendSchedulerTests: XCTestCase {
    func testChunksRespectTheStreamWindowTheConnectionWindowTheFrameSizeAndTheRoom() {
        var scheduler = HTTP2SendScheduler()
        scheduler.open(1)
        scheduler.enqueue(1, count: 100_000)
        XCTAssertEqual(scheduler.next(room: 1_000_000), .init(streamID: 1, count: 16_384, last: false), "frame size")
        XCTAssertEqual(scheduler.next(room: 1000), .init(streamID: 1, count: 1000, last: false), "room")
        var sent = 16_384 + 1000
        while let chunk = scheduler.next(room: 1_000_000) { sent += chunk.count }
        XCTAssertEqual(sent, 65_535, "the stream's and the connection's initial window")
        XCTAssertTrue(scheduler.isBlockedByFlowControl)
        XCTAssertNil(scheduler.connectionWindowUpdate(10))
        XCTAssertNil(scheduler.next(room: 100), "the stream window is still empty")
        XCTAssertNil(scheduler.streamWindowUpdate(1, 100_000))
        XCTAssertEqual(scheduler.next(room: 1_000_000), .init(streamID: 1, count: 10, last: false), "connection window")
    }

    func testStreamsTakeTurnsAndTheLastChunkEndsTheStream() {
        var scheduler = HTTP2SendScheduler()
        for id: UInt32 in [1, 3] {
            scheduler.open(id)
            scheduler.enqueue(id, count: 20_000)
        }
        let order = (0..<4).compactMap { _ in scheduler.next(room: 1_000_000) }
        XCTAssertEqual(order.map(\.streamID), [1, 3, 1, 3])
        XCTAssertEqual(order.map(\.last), [false, false, true, true])
        XCTAssertFalse(scheduler.hasPendingData)
    }

    func testAnEmptyBodyStillEndsItsStreamWithoutWindow() {
        var scheduler = HTTP2SendScheduler()
        XCTAssertNil(scheduler.setInitialWindowSize(0))
        scheduler.open(5)
        scheduler.enqueue(5, count: 0)
        XCTAssertEqual(scheduler.next(room: 0), .init(streamID: 5, count: 0, last: true))
    }

    func testAnInitialWindowChangeMovesOpenStreamsEvenBelowZero() {
        var scheduler = HTTP2SendScheduler()
        scheduler.open(1)
        scheduler.enqueue(1, count: 70_000)
        XCTAssertEqual(scheduler.next(room: 40_000)?.count, 16_384)
        XCTAssertNil(scheduler.setInitialWindowSize(1000))
        XCTAssertEqual(scheduler.sendWindow(of: 1), 1000 - 16_384, "§6.9.2: a window can go negative")
        XCTAssertNil(scheduler.next(room: 40_000))
        scheduler.open(3)
        XCTAssertEqual(scheduler.sendWindow(of: 3), 1000, "new streams start at the new size")
        XCTAssertNil(scheduler.streamWindowUpdate(3, 10))
        XCTAssertEqual(scheduler.setInitialWindowSize(HTTP2SettingsLimits.maxWindowSize)?.code, .flowControlError,
                       "pushing a window past 2^31-1 is the connection's error")
    }

    func testWindowUpdatesThatOverflowAreFlowControlErrorsAndClosedStreamsAreForgotten() {
        var scheduler = HTTP2SendScheduler()
        scheduler.open(1)
        XCTAssertEqual(scheduler.streamWindowUpdate(1, HTTP2SettingsLimits.maxWindowSize)?.scope, .stream(1))
        XCTAssertEqual(scheduler.connectionWindowUpdate(HTTP2SettingsLimits.maxWindowSize)?.scope, .connection)
        scheduler.enqueue(1, count: 10)
        scheduler.close(1)
        XCTAssertFalse(scheduler.hasPendingData)
        XCTAssertNil(scheduler.streamWindowUpdate(1, 5), "a late WINDOW_UPDATE for a closed stream is ignored")
        XCTAssertEqual(scheduler.openStreams, 0)
    }
}
