import XCTest
@testable import PreforkServer

final class ConnectionLifecycleTests: XCTestCase {
    let timeouts = ConnectionLifecycle.Timeouts(keepAliveIdle: 5_000, header: 10_000, bodyIdle: 7_000, write: 3_000,
                                                drain: 2_000, drainBytes: 100)

    func testKeepAliveRequestCycle() {
        var life = ConnectionLifecycle(timeouts: timeouts, now: 0)
        XCTAssertEqual(life.phase, .awaitingRequest)
        XCTAssertEqual(life.deadline, 5_000)
        life.requestStarted(now: 100)
        XCTAssertEqual(life.phase, .receivingHead)
        XCTAssertEqual(life.deadline, 10_100, "the header deadline runs from the first byte")
        life.headReceived(now: 200)
        XCTAssertEqual(life.deadline, 7_200)
        life.bodyProgress(now: 300)
        XCTAssertEqual(life.deadline, 7_300, "the body deadline moves with progress")
        life.messageReceived()
        XCTAssertEqual(life.phase, .handling)
        XCTAssertEqual(life.deadline, .max, "an application may take its time (harakiri is the master's)")
        XCTAssertFalse(life.acceptsInput, "pipelined requests wait: responses go out in order")
        XCTAssertFalse(life.responseQueued(keepAlive: true, now: 400))
        XCTAssertEqual(life.phase, .writing(closeAfter: false))
        XCTAssertEqual(life.outputDrained(now: 500), .parse)
        XCTAssertEqual(life.phase, .awaitingRequest)
        XCTAssertEqual(life.deadline, 5_500)
        XCTAssertEqual(life.requestsServed, 1)
    }

    func testCloseAfterResponseIsStaged() {
        var life = ConnectionLifecycle(timeouts: timeouts, now: 0)
        life.requestStarted(now: 0)
        life.headReceived(now: 0)
        life.messageReceived()
        XCTAssertTrue(life.responseQueued(keepAlive: false, now: 10))
        XCTAssertEqual(life.outputDrained(now: 20), .shutdownWrite)
        XCTAssertEqual(life.phase, .draining)
        XCTAssertEqual(life.deadline, 2_020)
        XCTAssertEqual(life.drained(60), .none)
        XCTAssertEqual(life.drained(60), .close, "stop draining after the byte budget")
        XCTAssertTrue(life.isClosed)
    }

    func testAClientThatAskedToCloseIsClosedAtOnceWhenNothingIsUnread() {
        var asked = ConnectionLifecycle(timeouts: timeouts, now: 0)
        asked.messageReceived()
        XCTAssertTrue(asked.responseQueued(keepAlive: false, clientAskedToClose: true, now: 0))
        XCTAssertEqual(asked.outputDrained(now: 0), .closeIfQuiet)
        asked.closedQuietly()
        XCTAssertTrue(asked.isClosed)

        var refused = ConnectionLifecycle(timeouts: timeouts, now: 0)
        refused.messageReceived()
        _ = refused.responseQueued(keepAlive: false, clientAskedToClose: false, now: 0)
        XCTAssertEqual(refused.outputDrained(now: 0), .shutdownWrite, "a refusal always closes in stages")

        var retiring = ConnectionLifecycle(timeouts: timeouts, now: 0)
        retiring.retire(grace: 100, now: 0)
        retiring.messageReceived()
        _ = retiring.responseQueued(keepAlive: true, clientAskedToClose: true, now: 0)
        XCTAssertEqual(retiring.outputDrained(now: 0), .shutdownWrite, "the server's own close is staged")
    }

    func testDrainEndsAtClientEOFOrDeadline() {
        var life = ConnectionLifecycle(timeouts: timeouts, now: 0)
        life.messageReceived()
        _ = life.responseQueued(keepAlive: false, now: 0)
        _ = life.outputDrained(now: 0)
        var other = life
        XCTAssertEqual(life.peerClosed(), .close)
        XCTAssertEqual(other.deadlinePassed(now: 1_999), .none)
        XCTAssertEqual(other.deadlinePassed(now: 2_000), .close)
    }

    func testSlowHeadersAndBodiesGet408() {
        var life = ConnectionLifecycle(timeouts: timeouts, now: 0)
        life.requestStarted(now: 0)
        XCTAssertEqual(life.deadlinePassed(now: 9_999), .none)
        XCTAssertEqual(life.deadlinePassed(now: 10_000), .respondRequestTimeout)
        var body = ConnectionLifecycle(timeouts: timeouts, now: 0)
        body.headReceived(now: 0)
        XCTAssertEqual(body.deadlinePassed(now: 7_000), .respondRequestTimeout)
    }

    func testIdleKeepAliveAndStalledWritesClose() {
        var idle = ConnectionLifecycle(timeouts: timeouts, now: 0)
        XCTAssertEqual(idle.deadlinePassed(now: 5_000), .close)
        var writing = ConnectionLifecycle(timeouts: timeouts, now: 0)
        writing.messageReceived()
        _ = writing.responseQueued(keepAlive: true, now: 0)
        writing.writeProgress(now: 1_000)
        XCTAssertEqual(writing.deadlinePassed(now: 3_999), .none)
        XCTAssertEqual(writing.deadlinePassed(now: 4_000), .close)
    }

    func testPeerCloseWhileHandlingStillDeliversTheResponse() {
        var life = ConnectionLifecycle(timeouts: timeouts, now: 0)
        life.requestStarted(now: 0)
        life.headReceived(now: 0)
        life.messageReceived()
        XCTAssertEqual(life.peerClosed(), .none, "a half-closed client still reads its response")
        XCTAssertEqual(life.phase, .handling)
        var waiting = ConnectionLifecycle(timeouts: timeouts, now: 0)
        XCTAssertEqual(waiting.peerClosed(), .close)
        var partial = ConnectionLifecycle(timeouts: timeouts, now: 0)
        partial.requestStarted(now: 0)
        XCTAssertEqual(partial.peerClosed(), .close, "an incomplete request is not answered (RFC 9112 §8)")
    }

    func testRetireClosesAfterTheNextResponseAndBoundsIdleTime() {
        var idle = ConnectionLifecycle(timeouts: timeouts, now: 0)
        idle.retire(grace: 1_000, now: 100)
        XCTAssertEqual(idle.deadline, 1_100, "an idle connection waits only the grace for its next request")
        idle.requestStarted(now: 200)
        idle.headReceived(now: 200)
        idle.messageReceived()
        XCTAssertTrue(idle.responseQueued(keepAlive: true, now: 300), "the next response carries Connection: close")

        var writing = ConnectionLifecycle(timeouts: timeouts, now: 0)
        writing.messageReceived()
        XCTAssertFalse(writing.responseQueued(keepAlive: true, now: 0))
        writing.retire(grace: 1_000, now: 10)
        XCTAssertEqual(writing.phase, .writing(closeAfter: false), "a response already announced keep-alive keeps it")
        XCTAssertEqual(writing.outputDrained(now: 20), .parse)
        XCTAssertEqual(writing.deadline, 1_020)
        writing.requestStarted(now: 30)
        writing.headReceived(now: 30)
        writing.messageReceived()
        XCTAssertTrue(writing.responseQueued(keepAlive: true, now: 40))
    }

    func testARetiringConnectionAnswersWhatIsPipelinedAndClosesAfterTheLast() {
        var life = ConnectionLifecycle(timeouts: timeouts, now: 0)
        life.retire(grace: 1_000, now: 0)
        life.messageReceived()
        XCTAssertFalse(life.responseQueued(keepAlive: true, morePipelined: true, now: 0), "another request waits")
        XCTAssertEqual(life.outputDrained(now: 0), .parse)
        life.requestStarted(now: 0)
        life.headReceived(now: 0)
        life.messageReceived()
        XCTAssertTrue(life.responseQueued(keepAlive: true, morePipelined: false, now: 0), "the last one closes")
    }

    func testFailureClosesFromAnyPhase() {
        var life = ConnectionLifecycle(timeouts: timeouts, now: 0)
        life.messageReceived()
        _ = life.responseQueued(keepAlive: true, now: 0)
        XCTAssertEqual(life.failed(), .close)
        XCTAssertEqual(life.failed(), .none)
    }
}
