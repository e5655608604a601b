import CathammerContract
import Glibc
import XCTest

final class MonotonicClockTests: XCTestCase {
    func testNeverGoesBackAndAdvancesAcrossASleep() {
        var last = MonotonicClock.now()
        for _ in 0..<10_000 {
            let now = MonotonicClock.now()
            XCTAssertGreaterThanOrEqual(now, last)
            last = now
        }
        let before = MonotonicClock.now()
        usleep(20_000)
        XCTAssertGreaterThanOrEqual(MonotonicClock.milliseconds(since: before), 20)
    }

    func testConversionsClampNegativeToZero() {
        XCTAssertEqual(MonotonicClock.nanoseconds(milliseconds: 1500), 1_500_000_000)
        XCTAssertEqual(MonotonicClock.nanoseconds(milliseconds: -5), 0)
        XCTAssertEqual(MonotonicClock.nanoseconds(seconds: 0.25), 250_000_000)
        XCTAssertEqual(MonotonicClock.nanoseconds(seconds: -1), 0)
    }

    func testSleepWaitsForTheDeadlineUnlessStopped() {
        let start = MonotonicClock.now()
        MonotonicClock.sleep(until: start + 30_000_000)
        XCTAssertGreaterThanOrEqual(MonotonicClock.now(), start + 30_000_000)

        let stoppedAt = MonotonicClock.now()
        MonotonicClock.sleep(until: stoppedAt + 10_000_000_000) { true }
        XCTAssertLessThan(MonotonicClock.milliseconds(since: stoppedAt), 1000, "a stop ends the sleep at once")
    }
}
