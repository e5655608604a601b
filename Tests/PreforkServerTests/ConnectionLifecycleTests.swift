import XCTest
@testable import PreforkServer

final class ConnectionLifecycleTests: XCTestCase {
    typealias Life = ConnectionLifecycle
    let timeouts = Life.Timeouts(keepAliveIdle: 5_000, header: 10_000, bodyIdle: 7_000, write: 3_000,
                                 drain: 2_000, drainBytes: 100)

    /// A lifecycle driven through legal events into `phase`.
    private func life(in phase: Life.Phase, now: UInt64 = 0) -> Life {
        var life = Life(timeouts: timeouts, now: now)
        switch phase {
        case .awaitingRequest:
            break
        case .receivingHead:
            life.requestBytesArrived(now: now)
        case .receivingBody:
            life.headReceived(now: now)
        case .handling:
            life.headReceived(now: now)
            life.messageReceived()
        case .writing(let closeAfter, let clientClosing):
            life.headReceived(now: now)
            life.messageReceived()
            if closeAfter && !clientClosing { _ = life.retire(grace: 1_000, bufferedBytes: false, now: now) }
            _ = life.responseQueued(keepAlive: !(closeAfter && clientClosing), morePipelined: false, now: now)
        case .draining:
            life.headReceived(now: now)
            life.messageReceived()
            _ = life.responseQueued(keepAlive: false, morePipelined: false, now: now)
            _ = life.outputDrained(unreadBytesWaiting: true, now: now)
        case .closed:
            _ = life.failed()
        }
        XCTAssertEqual(life.phase, phase)
        return life
    }

    static let phases: [(String, Life.Phase)] = [
        ("awaitingRequest", .awaitingRequest), ("receivingHead", .receivingHead), ("receivingBody", .receivingBody),
        ("handling", .handling), ("writing", .writing(closeAfter: false, clientClosing: false)),
        ("draining", .draining(bytesDropped: 0)), ("closed", .closed),
    ]

    /// The legal pairs, written out: everything else is the session's bug.
    static let legal: Set<String> = [
        "requestBytesArrived@awaitingRequest",
        "headReceived@awaitingRequest", "headReceived@receivingHead",
        "bodyProgress@receivingBody", "messageReceived@receivingBody",
        "responseQueued@handling",
        "refusalQueued@awaitingRequest", "refusalQueued@receivingHead", "refusalQueued@receivingBody",
        "writeProgress@writing", "outputDrained@writing",
        "bytesDropped@draining",
        "peerClosed@awaitingRequest", "peerClosed@receivingHead", "peerClosed@receivingBody", "peerClosed@handling",
        "peerClosed@writing", "peerClosed@draining",
        "failed@awaitingRequest", "failed@receivingHead", "failed@receivingBody", "failed@handling",
        "failed@writing", "failed@draining",
        "deadlinePassed@awaitingRequest", "deadlinePassed@receivingHead", "deadlinePassed@receivingBody",
        "deadlinePassed@handling", "deadlinePassed@writing", "deadlinePassed@draining",
        // A second retire (retire, then stop) only shortens the grace.
        "retire@awaitingRequest", "retire@receivingHead", "retire@receivingBody", "retire@handling",
        "retire@writing", "retire@draining",
    ]

    func testEveryEventInEveryPhaseIsLegalExactlyWhenTheTableSays() {
        var checked = 0
        for event in Life.Event.allCases {
            for (name, phase) in Self.phases {
                let key = "\(event.rawValue)@\(name)"
                XCTAssertEqual(Life.isLegal(event, in: phase), Self.legal.contains(key), key)
                checked += 1
            }
        }
        XCTAssertEqual(checked, Life.Event.allCases.count * Self.phases.count)
        XCTAssertEqual(Self.legal.count, 36)
    }

    /// Each legal pair, applied: the phase and the action it leads to, written out.
    func testEveryLegalTransitionLeadsWhereTheTableSays() {
        var l = life(in: .awaitingRequest)
        l.requestBytesArrived(now: 1)
        XCTAssertEqual(l.phase, .receivingHead)
        for from in [Life.Phase.awaitingRequest, .receivingHead] {
            l = life(in: from); l.headReceived(now: 1); XCTAssertEqual(l.phase, .receivingBody)
        }
        l = life(in: .receivingBody); l.bodyProgress(now: 9); XCTAssertEqual(l.phase, .receivingBody)
        XCTAssertEqual(l.deadline, 7_009)
        l = life(in: .receivingBody); l.messageReceived(); XCTAssertEqual(l.phase, .handling)
        l = life(in: .handling)
        XCTAssertFalse(l.responseQueued(keepAlive: true, morePipelined: false, now: 1))
        XCTAssertEqual(l.phase, .writing(closeAfter: false, clientClosing: false))
        for from in [Life.Phase.awaitingRequest, .receivingHead, .receivingBody] {
            l = life(in: from); l.refusalQueued(now: 1)
            XCTAssertEqual(l.phase, .writing(closeAfter: true, clientClosing: false), "\(from)")
        }
        l = life(in: .writing(closeAfter: false, clientClosing: false)); l.writeProgress(now: 50)
        XCTAssertEqual(l.deadline, 3_050)
        XCTAssertEqual(l.outputDrained(unreadBytesWaiting: false, now: 60), .parse)
        XCTAssertEqual(l.phase, .awaitingRequest)
        l = life(in: .draining(bytesDropped: 0))
        XCTAssertEqual(l.bytesDropped(99), .none)
        XCTAssertEqual(l.phase, .draining(bytesDropped: 99))
        XCTAssertEqual(l.bytesDropped(1), .close)
        XCTAssertEqual(l.phase, .closed)

        let peerClosed: [(Life.Phase, Life.Action, Life.Phase)] = [
            (.awaitingRequest, .close, .closed), (.receivingHead, .close, .closed), (.receivingBody, .close, .closed),
            (.handling, .none, .handling),
            (.writing(closeAfter: false, clientClosing: false), .none, .writing(closeAfter: false, clientClosing: false)),
            (.draining(bytesDropped: 0), .close, .closed),
        ]
        for (from, action, to) in peerClosed {
            l = life(in: from)
            XCTAssertEqual(l.peerClosed(), action, "peerClosed in \(from)")
            XCTAssertEqual(l.phase, to)
        }
        for (_, from) in Self.phases where from != .closed {
            l = life(in: from)
            XCTAssertEqual(l.failed(), .close, "failed in \(from)")
            XCTAssertEqual(l.phase, .closed)
        }
        let expired: [(Life.Phase, Life.Action)] = [
            (.awaitingRequest, .close), (.receivingHead, .respondRequestTimeout), (.receivingBody, .respondRequestTimeout),
            (.handling, .none), (.writing(closeAfter: false, clientClosing: false), .close), (.draining(bytesDropped: 0), .close),
        ]
        for (from, action) in expired {
            l = life(in: from)
            XCTAssertEqual(l.deadlinePassed(now: 1_000_000), action, "deadline in \(from)")
            var early = life(in: from)
            XCTAssertEqual(early.deadlinePassed(now: 1), .none, "a moved deadline in \(from)")
        }
        let retired: [(Life.Phase, Life.Action)] = [
            (.awaitingRequest, .close), (.receivingHead, .none), (.receivingBody, .none), (.handling, .none),
            (.writing(closeAfter: false, clientClosing: false), .none), (.draining(bytesDropped: 0), .none),
        ]
        for (from, action) in retired {
            l = life(in: from)
            XCTAssertEqual(l.retire(grace: 0, bufferedBytes: false, now: 1), action, "retire in \(from)")
            XCTAssertTrue(l.retiring)
        }
    }

    func testKeepAliveRequestCycle() {
        var life = Life(timeouts: timeouts, now: 0)
        XCTAssertEqual(life.phase, .awaitingRequest)
        XCTAssertEqual(life.deadline, 5_000)
        life.requestBytesArrived(now: 100)
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
        XCTAssertFalse(life.responseQueued(keepAlive: true, morePipelined: false, now: 400))
        XCTAssertFalse(life.isWritingLastResponse, "a kept connection's response is not held for a FIN")
        XCTAssertEqual(life.outputDrained(unreadBytesWaiting: false, now: 500), .parse)
        XCTAssertEqual(life.phase, .awaitingRequest)
        XCTAssertEqual(life.deadline, 5_500)
        XCTAssertEqual(life.requestsServed, 1)
    }

    func testARefusalClosesInStagesWithinTheByteBudget() {
        var life = Life(timeouts: timeouts, now: 0)
        life.requestBytesArrived(now: 0)
        life.refusalQueued(now: 10)
        XCTAssertTrue(life.isWritingLastResponse)
        XCTAssertEqual(life.outputDrained(unreadBytesWaiting: false, now: 20), .shutdownWriteAndDrain,
                       "a refusal always closes in stages")
        XCTAssertEqual(life.phase, .draining(bytesDropped: 0))
        XCTAssertEqual(life.deadline, 2_020)
        XCTAssertEqual(life.bytesDropped(60), .none)
        XCTAssertEqual(life.bytesDropped(60), .close, "stop draining after the byte budget")
        XCTAssertTrue(life.isClosed)
    }

    func testAClientThatAskedToCloseIsClosedAtOnceOnlyWhenNothingIsUnread() {
        var quiet = life(in: .handling)
        XCTAssertTrue(quiet.responseQueued(keepAlive: false, morePipelined: false, now: 0))
        XCTAssertTrue(quiet.isWritingLastResponse)
        XCTAssertEqual(quiet.outputDrained(unreadBytesWaiting: false, now: 0), .close)
        XCTAssertTrue(quiet.isClosed)

        var chatty = life(in: .handling)
        _ = chatty.responseQueued(keepAlive: false, morePipelined: false, now: 0)
        XCTAssertEqual(chatty.outputDrained(unreadBytesWaiting: true, now: 0), .shutdownWriteAndDrain,
                       "unread bytes would turn close() into an RST")

        var retiring = life(in: .handling)
        _ = retiring.retire(grace: 100, bufferedBytes: false, now: 0)
        _ = retiring.responseQueued(keepAlive: false, morePipelined: false, now: 0)
        XCTAssertTrue(retiring.isWritingLastResponse)
        XCTAssertEqual(retiring.outputDrained(unreadBytesWaiting: false, now: 0), .shutdownWriteAndDrain,
                       "the server's own close is staged")
    }

    func testDrainEndsAtClientEOFOrDeadline() {
        var life = life(in: .draining(bytesDropped: 0))
        var other = life
        XCTAssertEqual(life.peerClosed(), .close)
        XCTAssertEqual(other.deadlinePassed(now: 1_999), .none)
        XCTAssertEqual(other.deadlinePassed(now: 2_000), .close)
    }

    func testSlowHeadersAndBodiesGet408() {
        var head = Life(timeouts: timeouts, now: 0)
        head.requestBytesArrived(now: 0)
        XCTAssertEqual(head.deadlinePassed(now: 9_999), .none)
        XCTAssertEqual(head.deadlinePassed(now: 10_000), .respondRequestTimeout)
        var body = Life(timeouts: timeouts, now: 0)
        body.headReceived(now: 0)
        XCTAssertEqual(body.deadlinePassed(now: 7_000), .respondRequestTimeout)
    }

    func testIdleKeepAliveAndStalledWritesClose() {
        var idle = Life(timeouts: timeouts, now: 0)
        XCTAssertEqual(idle.deadlinePassed(now: 5_000), .close)
        var writing = life(in: .writing(closeAfter: false, clientClosing: false))
        writing.writeProgress(now: 1_000)
        XCTAssertEqual(writing.deadlinePassed(now: 3_999), .none)
        XCTAssertEqual(writing.deadlinePassed(now: 4_000), .close)
    }

    func testRetireClosesAfterTheNextResponseAndBoundsIdleTime() {
        var idle = Life(timeouts: timeouts, now: 0)
        XCTAssertEqual(idle.retire(grace: 1_000, bufferedBytes: false, now: 100), .none)
        XCTAssertEqual(idle.deadline, 1_100, "an idle connection waits only the grace for its next request")
        idle.requestBytesArrived(now: 200)
        idle.headReceived(now: 200)
        idle.messageReceived()
        XCTAssertTrue(idle.responseQueued(keepAlive: true, morePipelined: false, now: 300),
                      "the next response carries Connection: close")

        var buffered = Life(timeouts: timeouts, now: 0)
        XCTAssertEqual(buffered.retire(grace: 0, bufferedBytes: true, now: 0), .none,
                       "a request already in the buffer is still answered")

        var writing = life(in: .handling)
        XCTAssertFalse(writing.responseQueued(keepAlive: true, morePipelined: false, now: 0))
        _ = writing.retire(grace: 1_000, bufferedBytes: false, now: 10)
        XCTAssertEqual(writing.phase, .writing(closeAfter: false, clientClosing: false),
                       "a response already announced keep-alive keeps it")
        XCTAssertEqual(writing.outputDrained(unreadBytesWaiting: false, now: 20), .parse)
        XCTAssertEqual(writing.deadline, 1_020)
    }

    func testARetiringConnectionAnswersWhatIsPipelinedAndClosesAfterTheLast() {
        var life = life(in: .handling)
        _ = life.retire(grace: 1_000, bufferedBytes: true, now: 0)
        XCTAssertFalse(life.responseQueued(keepAlive: true, morePipelined: true, now: 0), "another request waits")
        XCTAssertEqual(life.outputDrained(unreadBytesWaiting: true, now: 0), .parse)
        life.headReceived(now: 0)
        life.messageReceived()
        XCTAssertTrue(life.responseQueued(keepAlive: true, morePipelined: false, now: 0), "the last one closes")
    }
}
