import HTTP2Wire
import XCTest
@testable import PreforkServer

/// Every (state, event) pair of an HTTP/2 connection's life, with the outcome written out by hand.
final class HTTP2ConnectionLifecycleTests: XCTestCase {
    typealias Machine = HTTP2ConnectionLifecycle
    typealias Row = LifecycleRow<Machine>

    private let states: [Machine.State] = [
        .awaitingSettings, .open(settingsAcknowledged: false), .open(settingsAcknowledged: true),
        .goingAway(.pingOutstanding), .goingAway(.finalSent), .closing, .draining, .closed,
    ]
    private let events: [Machine.Event] = [
        .peerSettingsReceived, .settingsAcknowledged, .settingsAckOverdue, .handshakeOverdue, .shutDown, .streamsSpent,
        .shutdownPingAcknowledged, .shutdownPingOverdue, .peerGoAway, .streamsFinished,
        .connectionError(.enhanceYourCalm), .outputFlushed, .peerClosed, .failed, .drainFinished,
    ]

    private static let leave: [Machine.Action] = [.sendGoAway(.maximum, .noError), .sendShutdownPing]
    private static let final: [Machine.Action] = [.sendGoAway(.highestProcessed, .noError)]
    private static let calm: [Machine.Action] = [.sendGoAway(.highestProcessed, .enhanceYourCalm)]
    private static var closeNow: Transition<Machine.State, Machine.Action> { .next(.closed, [.close]) }

    private var table: [Row] {
        let unacked = Machine.State.open(settingsAcknowledged: false)
        let acked = Machine.State.open(settingsAcknowledged: true)
        let pinging = Machine.State.goingAway(.pingOutstanding)
        let finalSent = Machine.State.goingAway(.finalSent)
        return [
            Row(.awaitingSettings, .peerSettingsReceived, .next(unacked, [])),
            Row(.awaitingSettings, .settingsAcknowledged, .illegal),
            Row(.awaitingSettings, .settingsAckOverdue, .illegal),
            Row(.awaitingSettings, .handshakeOverdue, Self.closeNow),
            Row(.awaitingSettings, .shutDown, .next(pinging, Self.leave)),
            Row(.awaitingSettings, .streamsSpent, .illegal),
            Row(.awaitingSettings, .shutdownPingAcknowledged, .illegal),
            Row(.awaitingSettings, .shutdownPingOverdue, .illegal),
            Row(.awaitingSettings, .peerGoAway, .illegal),
            Row(.awaitingSettings, .streamsFinished, .next(.awaitingSettings, [])),
            Row(.awaitingSettings, .connectionError(.enhanceYourCalm), .next(.closing, Self.calm)),
            Row(.awaitingSettings, .outputFlushed, .illegal),
            Row(.awaitingSettings, .peerClosed, Self.closeNow),
            Row(.awaitingSettings, .failed, Self.closeNow),
            Row(.awaitingSettings, .drainFinished, .illegal),

            Row(unacked, .peerSettingsReceived, .illegal),
            Row(unacked, .settingsAcknowledged, .next(acked, [])),
            Row(unacked, .settingsAckOverdue, .next(.closing, [.sendGoAway(.highestProcessed, .settingsTimeout)])),
            Row(unacked, .handshakeOverdue, .illegal),
            Row(unacked, .shutDown, .next(pinging, Self.leave)),
            Row(unacked, .streamsSpent, .next(finalSent, Self.final)),
            Row(unacked, .shutdownPingAcknowledged, .illegal),
            Row(unacked, .shutdownPingOverdue, .illegal),
            Row(unacked, .peerGoAway, .next(finalSent, Self.final)),
            Row(unacked, .streamsFinished, .next(unacked, [])),
            Row(unacked, .connectionError(.enhanceYourCalm), .next(.closing, Self.calm)),
            Row(unacked, .outputFlushed, .illegal),
            Row(unacked, .peerClosed, .next(.closing, [])),
            Row(unacked, .failed, Self.closeNow),
            Row(unacked, .drainFinished, .illegal),

            Row(acked, .peerSettingsReceived, .illegal),
            Row(acked, .settingsAcknowledged, .illegal),
            Row(acked, .settingsAckOverdue, .illegal),
            Row(acked, .handshakeOverdue, .illegal),
            Row(acked, .shutDown, .next(pinging, Self.leave)),
            Row(acked, .streamsSpent, .next(finalSent, Self.final)),
            Row(acked, .shutdownPingAcknowledged, .illegal),
            Row(acked, .shutdownPingOverdue, .illegal),
            Row(acked, .peerGoAway, .next(finalSent, Self.final)),
            Row(acked, .streamsFinished, .next(acked, [])),
            Row(acked, .connectionError(.enhanceYourCalm), .next(.closing, Self.calm)),
            Row(acked, .outputFlushed, .illegal),
            Row(acked, .peerClosed, .next(.closing, [])),
            Row(acked, .failed, Self.closeNow),
            Row(acked, .drainFinished, .illegal),

            Row(pinging, .peerSettingsReceived, .next(pinging, [])),
            Row(pinging, .settingsAcknowledged, .next(pinging, [])),
            Row(pinging, .settingsAckOverdue, .next(pinging, [])),
            Row(pinging, .handshakeOverdue, .illegal),
            Row(pinging, .shutDown, .next(pinging, [])),
            Row(pinging, .streamsSpent, .next(finalSent, Self.final)),
            Row(pinging, .shutdownPingAcknowledged, .next(finalSent, Self.final)),
            Row(pinging, .shutdownPingOverdue, .next(finalSent, Self.final)),
            Row(pinging, .peerGoAway, .next(pinging, [])),
            Row(pinging, .streamsFinished, .next(pinging, [])),
            Row(pinging, .connectionError(.enhanceYourCalm), .next(.closing, Self.calm)),
            Row(pinging, .outputFlushed, .illegal),
            Row(pinging, .peerClosed, .next(.closing, [])),
            Row(pinging, .failed, Self.closeNow),
            Row(pinging, .drainFinished, .illegal),

            Row(finalSent, .peerSettingsReceived, .next(finalSent, [])),
            Row(finalSent, .settingsAcknowledged, .next(finalSent, [])),
            Row(finalSent, .settingsAckOverdue, .next(finalSent, [])),
            Row(finalSent, .handshakeOverdue, .illegal),
            Row(finalSent, .shutDown, .next(finalSent, [])),
            Row(finalSent, .streamsSpent, .illegal),
            Row(finalSent, .shutdownPingAcknowledged, .next(finalSent, [])),
            Row(finalSent, .shutdownPingOverdue, .next(finalSent, [])),
            Row(finalSent, .peerGoAway, .next(finalSent, [])),
            Row(finalSent, .streamsFinished, .next(.closing, [])),
            Row(finalSent, .connectionError(.enhanceYourCalm), .next(.closing, Self.calm)),
            Row(finalSent, .outputFlushed, .illegal),
            Row(finalSent, .peerClosed, .next(.closing, [])),
            Row(finalSent, .failed, Self.closeNow),
            Row(finalSent, .drainFinished, .illegal),

            Row(.closing, .peerSettingsReceived, .illegal),
            Row(.closing, .settingsAcknowledged, .next(.closing, [])),
            Row(.closing, .settingsAckOverdue, .next(.closing, [])),
            Row(.closing, .handshakeOverdue, .illegal),
            Row(.closing, .shutDown, .next(.closing, [])),
            Row(.closing, .streamsSpent, .illegal),
            Row(.closing, .shutdownPingAcknowledged, .next(.closing, [])),
            Row(.closing, .shutdownPingOverdue, .next(.closing, [])),
            Row(.closing, .peerGoAway, .next(.closing, [])),
            Row(.closing, .streamsFinished, .next(.closing, [])),
            Row(.closing, .connectionError(.enhanceYourCalm), .next(.closing, [])),
            Row(.closing, .outputFlushed, .next(.draining, [.shutdownWriteAndDrain])),
            Row(.closing, .peerClosed, .next(.closing, [])),
            Row(.closing, .failed, Self.closeNow),
            Row(.closing, .drainFinished, .illegal),
        ] + [Machine.Event](events).map { event in
            switch event {
            case .peerClosed, .failed, .drainFinished: return Row(.draining, event, Self.closeNow)
            default: return Row(.draining, event, .illegal)
            }
        } + events.map { Row(.closed, $0, .illegal) }
    }

    func testEveryPairHasTheWrittenOutcome() {
        assertCoversEveryPair(Machine.self, states: states, events: events, table: table)
    }

    /// A reload as a busy connection lives it: two GOAWAYs around a PING round trip, then the staged close.
    func testARetiringConnectionSaysGoodbyeTwiceThenClosesInStages() {
        var lifecycle = HTTP2ConnectionLifecycle()
        XCTAssertFalse(lifecycle.acceptsStreams, "not before the client's SETTINGS")
        XCTAssertEqual(lifecycle.handle(.peerSettingsReceived), [])
        XCTAssertEqual(lifecycle.handle(.settingsAcknowledged), [])
        XCTAssertTrue(lifecycle.acceptsStreams)
        XCTAssertEqual(lifecycle.handle(.shutDown), [.sendGoAway(.maximum, .noError), .sendShutdownPing])
        XCTAssertTrue(lifecycle.acceptsStreams, "streams in flight before the client saw the GOAWAY are taken")
        XCTAssertEqual(lifecycle.handle(.streamsFinished), [], "more may come until the PING returns")
        XCTAssertEqual(lifecycle.handle(.shutdownPingAcknowledged), [.sendGoAway(.highestProcessed, .noError)])
        XCTAssertFalse(lifecycle.acceptsStreams)
        XCTAssertTrue(lifecycle.processesInput, "open streams still receive their DATA")
        XCTAssertEqual(lifecycle.handle(.streamsFinished), [])
        XCTAssertEqual(lifecycle.state, .closing)
        XCTAssertEqual(lifecycle.handle(.outputFlushed), [.shutdownWriteAndDrain])
        XCTAssertTrue(lifecycle.isDraining)
        XCTAssertEqual(lifecycle.handle(.drainFinished), [.close])
        XCTAssertTrue(lifecycle.isClosed)
    }

    /// A connection that used up its streams names the last one at once: no PING round trip during
    /// which more streams would be taken past the limit.
    func testSpentStreamsSendTheFinalGoAwayAtOnce() {
        var lifecycle = HTTP2ConnectionLifecycle()
        XCTAssertEqual(lifecycle.handle(.peerSettingsReceived), [])
        XCTAssertEqual(lifecycle.handle(.streamsSpent), [.sendGoAway(.highestProcessed, .noError)])
        XCTAssertFalse(lifecycle.acceptsStreams, "a stream above the last one is refused, not processed")
        XCTAssertTrue(lifecycle.processesInput, "the streams up to the last one still receive their DATA")
        XCTAssertEqual(lifecycle.handle(.streamsFinished), [])
        XCTAssertEqual(lifecycle.state, .closing)
    }
}
