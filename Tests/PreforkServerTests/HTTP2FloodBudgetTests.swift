import XCTest
@testable import PreforkServer

final class HTTP2FloodBudgetTests: XCTestCase {
    private let second: UInt64 = 1_000_000_000

    func testABurstIsAllowedThenTheRateRefills() {
        var budget = HTTP2FloodBudget(burst: 3, perSecond: 2)
        let start: UInt64 = 50 * second
        XCTAssertTrue(budget.spend(now: start))
        XCTAssertTrue(budget.spend(now: start))
        XCTAssertTrue(budget.spend(now: start))
        XCTAssertFalse(budget.spend(now: start), "the burst is spent")
        XCTAssertFalse(budget.spend(now: start + second / 4), "half a token is not a token")
        XCTAssertTrue(budget.spend(now: start + second / 2), "one token per half second")
        XCTAssertFalse(budget.spend(now: start + second / 2))
        XCTAssertTrue(budget.spend(now: start + 10 * second))
        XCTAssertEqual(budget.remaining, 2, "refill stops at the burst")
    }

    func testCreditNeverPassesTheBurst() {
        var budget = HTTP2FloodBudget(burst: 2, perSecond: 0)
        XCTAssertTrue(budget.spend(now: 0))
        XCTAssertTrue(budget.spend(now: 0))
        XCTAssertFalse(budget.spend(now: second), "no refill at 0 per second")
        budget.credit(5)
        XCTAssertEqual(budget.remaining, 2)
    }

    func testTheGuardNamesTheFloodAndEarnedWindowUpdatesAreNotOne() {
        var limits = HTTP2ServerLimits(parserLimits: .defaults)
        limits.windowUpdateFrames = HTTP2FloodBudget(burst: 2, perSecond: 0)
        limits.pingFrames = HTTP2FloodBudget(burst: 1, perSecond: 0)
        var guardian = HTTP2FloodGuard(limits)
        XCTAssertNil(guardian.charge(.ping, now: 0))
        XCTAssertEqual(guardian.charge(.ping, now: 0), .ping)
        XCTAssertNil(guardian.charge(.windowUpdate, now: 0))
        XCTAssertNil(guardian.charge(.windowUpdate, now: 0))
        XCTAssertEqual(guardian.charge(.windowUpdate, now: 0), .windowUpdate)
        guardian.dataFrameSent()
        XCTAssertNil(guardian.charge(.windowUpdate, now: 0), "a DATA frame sent earns its WINDOW_UPDATEs")
        XCTAssertNil(guardian.charge(.windowUpdate, now: 0))
        XCTAssertEqual(guardian.charge(.windowUpdate, now: 0), .windowUpdate)
        XCTAssertNil(guardian.charge(.hpackBomb, now: 0), "judged by size where it happens, not by rate")
    }

    func testFloodsEndConnectionsWithTheirCodes() {
        XCTAssertEqual(HTTP2Flood.rapidReset.errorCode, .enhanceYourCalm)
        XCTAssertEqual(HTTP2Flood.settingsTimeout.errorCode, .settingsTimeout)
        XCTAssertEqual(HTTP2Flood.streamLimit.errorCode, .noError)
        XCTAssertEqual(Set(HTTP2Flood.allCases.map { HTTP2Counter.flood($0).field }).count, HTTP2Flood.allCases.count,
                       "each flood has its own counter")
    }

    func testLimitsDeriveFromTheHTTP1Limits() {
        var parser = ParserLimits.defaults
        parser.maxHeaderSection = 1000
        parser.maxFieldCount = 7
        parser.maxBody = 99
        let limits = HTTP2ServerLimits(parserLimits: parser)
        XCTAssertEqual(limits.maxHeaderListSize, 1000)
        XCTAssertEqual(limits.maxHeaderBlockBytes, 1000)
        XCTAssertEqual(limits.maxFieldCount, 7)
        XCTAssertEqual(limits.maxBody, 99)
        XCTAssertTrue(limits.announcedSettings.contains(.init(.maxConcurrentStreams, 100)))
        XCTAssertTrue(limits.announcedSettings.contains(.init(.maxHeaderListSize, 1000)))
        XCTAssertTrue(limits.announcedSettings.contains(.init(.enablePush, 0)))
    }
}

import HTTPWire
