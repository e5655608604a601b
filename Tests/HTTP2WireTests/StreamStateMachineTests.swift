import XCTest
@testable import HTTP2Wire

/// Every state × every event, received and sent, against tables written out from RFC 9113 §5.1, §6.1,
/// §6.6 and §5.1.1 by hand (not derived from the code under test).
final class StreamStateMachineTests: XCTestCase {
    static let states: [(String, HTTP2StreamState)] = [
        ("idle", .idle), ("rl", .reservedLocal), ("rr", .reservedRemote), ("open", .open),
        ("hcl", .halfClosedLocal), ("hcr", .halfClosedRemote), ("cES", .closed(.endStream)),
        ("cRS", .closed(.resetSent)), ("cRR", .closed(.resetReceived)), ("cI", .closed(.implicitly)),
    ]
    static let events: [HTTP2StreamEvent] = [
        .headers, .headersEndStream, .data, .dataEndStream, .rstStream, .pushPromise, .promised, .priority,
        .windowUpdate, .continuation,
    ]

    /// Columns: HEADERS, HEADERS+ES, DATA, DATA+ES, RST_STREAM, PUSH_PROMISE (carried), promised, PRIORITY,
    /// WINDOW_UPDATE, CONTINUATION. A state name: accepted, now in that state. `discard`: minimally
    /// processed and dropped. `C:` connection error, `S:` stream error, with the code.
    static let received: [String: [String]] = [
        "idle": ["open", "hcr", "C:PROTOCOL_ERROR", "C:PROTOCOL_ERROR", "C:PROTOCOL_ERROR", "C:PROTOCOL_ERROR", "rr", "idle", "C:PROTOCOL_ERROR", "C:PROTOCOL_ERROR"],
        "rl": ["C:PROTOCOL_ERROR", "C:PROTOCOL_ERROR", "C:PROTOCOL_ERROR", "C:PROTOCOL_ERROR", "cRR", "C:PROTOCOL_ERROR", "C:PROTOCOL_ERROR", "rl", "rl", "C:PROTOCOL_ERROR"],
        "rr": ["hcl", "cES", "C:PROTOCOL_ERROR", "C:PROTOCOL_ERROR", "cRR", "C:PROTOCOL_ERROR", "C:PROTOCOL_ERROR", "rr", "C:PROTOCOL_ERROR", "C:PROTOCOL_ERROR"],
        "open": ["open", "hcr", "open", "hcr", "cRR", "open", "C:PROTOCOL_ERROR", "open", "open", "open"],
        "hcl": ["hcl", "cES", "hcl", "cES", "cRR", "hcl", "C:PROTOCOL_ERROR", "hcl", "hcl", "hcl"],
        "hcr": ["S:STREAM_CLOSED", "S:STREAM_CLOSED", "S:STREAM_CLOSED", "S:STREAM_CLOSED", "cRR", "C:PROTOCOL_ERROR", "C:PROTOCOL_ERROR", "hcr", "hcr", "hcr"],
        "cES": ["C:STREAM_CLOSED", "C:STREAM_CLOSED", "C:STREAM_CLOSED", "C:STREAM_CLOSED", "discard", "C:PROTOCOL_ERROR", "C:PROTOCOL_ERROR", "cES", "discard", "cES"],
        "cRS": ["discard", "discard", "discard", "discard", "discard", "discard", "C:PROTOCOL_ERROR", "cRS", "discard", "discard"],
        "cRR": ["S:STREAM_CLOSED", "S:STREAM_CLOSED", "S:STREAM_CLOSED", "S:STREAM_CLOSED", "discard", "C:PROTOCOL_ERROR", "C:PROTOCOL_ERROR", "cRR", "S:STREAM_CLOSED", "S:STREAM_CLOSED"],
        "cI": ["C:PROTOCOL_ERROR", "C:PROTOCOL_ERROR", "C:PROTOCOL_ERROR", "C:PROTOCOL_ERROR", "C:PROTOCOL_ERROR", "C:PROTOCOL_ERROR", "C:PROTOCOL_ERROR", "cI", "C:PROTOCOL_ERROR", "C:PROTOCOL_ERROR"],
    ]

    /// Same columns for frames this endpoint sends; `bug` marks what §5.1 forbids sending.
    static let sent: [String: [String]] = [
        "idle": ["open", "hcl", "bug", "bug", "bug", "bug", "rl", "idle", "bug", "bug"],
        "rl": ["hcr", "cES", "bug", "bug", "cRS", "bug", "bug", "rl", "bug", "bug"],
        "rr": ["bug", "bug", "bug", "bug", "cRS", "bug", "bug", "rr", "rr", "bug"],
        "open": ["open", "hcl", "open", "hcl", "cRS", "open", "bug", "open", "open", "open"],
        "hcl": ["bug", "bug", "bug", "bug", "cRS", "bug", "bug", "hcl", "hcl", "hcl"],
        "hcr": ["hcr", "cES", "hcr", "cES", "cRS", "hcr", "bug", "hcr", "hcr", "hcr"],
        "cES": ["bug", "bug", "bug", "bug", "cES", "bug", "bug", "cES", "bug", "cES"],
        "cRS": ["bug", "bug", "bug", "bug", "cRS", "bug", "bug", "cRS", "bug", "bug"],
        "cRR": ["bug", "bug", "bug", "bug", "cRR", "bug", "bug", "cRR", "bug", "bug"],
        "cI": ["bug", "bug", "bug", "bug", "bug", "bug", "bug", "cI", "bug", "bug"],
    ]

    private func name(_ state: HTTP2StreamState) -> String {
        Self.states.first { $0.1 == state }!.0
    }

    private func outcome(_ verdict: HTTP2StreamVerdict, streamID: UInt32) -> String {
        switch verdict {
        case .accept(let state): return name(state)
        case .discard: return "discard"
        case .reject(let violation):
            switch violation.scope {
            case .connection: return "C:\(violation.code.name)"
            case .stream(let id):
                XCTAssertEqual(id, streamID, "a stream error names its stream")
                return "S:\(violation.code.name)"
            }
        }
    }

    func testTheTablesCoverEveryStateAndEvent() {
        XCTAssertEqual(Set(Self.events), Set(HTTP2StreamEvent.allCases))
        XCTAssertEqual(Self.received.count, Self.states.count)
        XCTAssertEqual(Self.sent.count, Self.states.count)
        for (stateName, _) in Self.states {
            XCTAssertEqual(Self.received[stateName]?.count, Self.events.count, stateName)
            XCTAssertEqual(Self.sent[stateName]?.count, Self.events.count, stateName)
        }
    }

    func testEveryReceivedFrameInEveryState() {
        for (stateName, state) in Self.states {
            for (column, event) in Self.events.enumerated() {
                let verdict = HTTP2StreamStateMachine.verdict(receiving: event, in: state, streamID: 7)
                XCTAssertEqual(outcome(verdict, streamID: 7), Self.received[stateName]![column], "receive \(event) in \(state)")
            }
        }
    }

    func testEverySentFrameInEveryState() {
        for (stateName, state) in Self.states {
            for (column, event) in Self.events.enumerated() {
                let next = HTTP2StreamStateMachine.state(afterSending: event, in: state)
                XCTAssertEqual(next.map(name) ?? "bug", Self.sent[stateName]![column], "send \(event) in \(state)")
            }
        }
    }

    func testTheMachineAppliesAcceptedTransitionsOnly() {
        var stream = HTTP2StreamStateMachine(streamID: 1)
        XCTAssertEqual(stream.receive(.headers), .accept(.open))
        XCTAssertEqual(stream.state, .open)
        XCTAssertEqual(stream.receive(.dataEndStream), .accept(.halfClosedRemote))
        guard case .reject = stream.receive(.data) else { return XCTFail("DATA after END_STREAM") }
        XCTAssertEqual(stream.state, .halfClosedRemote, "a rejected frame leaves the state alone")
        XCTAssertTrue(stream.send(.headers))
        XCTAssertTrue(stream.send(.dataEndStream))
        XCTAssertEqual(stream.state, .closed(.endStream))
        XCTAssertEqual(stream.receive(.windowUpdate), .discard)
        XCTAssertEqual(stream.state, .closed(.endStream))
    }

    func testARequestResponseExchangeAsAServerSeesIt() {
        var stream = HTTP2StreamStateMachine(streamID: 3)
        XCTAssertEqual(stream.receive(.headers), .accept(.open))
        XCTAssertEqual(stream.receive(.continuation), .accept(.open))
        XCTAssertEqual(stream.receive(.data), .accept(.open))
        XCTAssertEqual(stream.receive(.dataEndStream), .accept(.halfClosedRemote))
        XCTAssertTrue(stream.send(.windowUpdate))
        XCTAssertTrue(stream.send(.pushPromise))
        XCTAssertTrue(stream.send(.headers))
        XCTAssertTrue(stream.send(.dataEndStream))
        XCTAssertEqual(stream.state, .closed(.endStream))
    }

    func testAPushedStreamFromBothSides() {
        var promisedByUs = HTTP2StreamStateMachine(streamID: 2)
        XCTAssertTrue(promisedByUs.send(.promised))
        XCTAssertEqual(promisedByUs.state, .reservedLocal)
        XCTAssertTrue(promisedByUs.send(.headers))
        XCTAssertEqual(promisedByUs.state, .halfClosedRemote)
        var promisedToUs = HTTP2StreamStateMachine(streamID: 2)
        XCTAssertEqual(promisedToUs.receive(.promised), .accept(.reservedRemote))
        XCTAssertEqual(promisedToUs.receive(.headersEndStream), .accept(.closed(.endStream)))
    }

    func testViolationsNameTheirRule() {
        func violation(_ event: HTTP2StreamEvent, _ state: HTTP2StreamState) -> HTTP2Violation? {
            if case .reject(let v) = HTTP2StreamStateMachine.verdict(receiving: event, in: state, streamID: 9) { return v }
            return nil
        }
        XCTAssertEqual(violation(.data, .idle), .connection("frame-on-idle-stream", .protocolError, "RFC 9113 §5.1"))
        XCTAssertEqual(violation(.data, .halfClosedRemote),
                       .stream(9, "frame-on-half-closed-remote-stream", .streamClosed, "RFC 9113 §5.1"))
        XCTAssertEqual(violation(.data, .closed(.endStream)), .connection("frame-after-end-stream", .streamClosed, "RFC 9113 §5.1"))
        XCTAssertEqual(violation(.windowUpdate, .closed(.resetReceived)),
                       .stream(9, "frame-after-rst-stream", .streamClosed, "RFC 9113 §5.1"))
        XCTAssertEqual(violation(.headers, .closed(.implicitly)),
                       .connection("frame-on-implicitly-closed-stream", .protocolError, "RFC 9113 §5.1.1"))
        XCTAssertEqual(violation(.pushPromise, .halfClosedRemote),
                       .connection("push-promise-on-stream-not-open", .protocolError, "RFC 9113 §6.6"))
        XCTAssertEqual(violation(.promised, .open), .connection("promised-stream-not-idle", .protocolError, "RFC 9113 §6.6"))
        XCTAssertEqual(violation(.rstStream, .reservedRemote), nil)
        XCTAssertEqual(violation(.windowUpdate, .reservedRemote),
                       .connection("frame-on-reserved-remote-stream", .protocolError, "RFC 9113 §5.1"))
        XCTAssertEqual(violation(.data, .reservedLocal),
                       .connection("frame-on-reserved-local-stream", .protocolError, "RFC 9113 §5.1"))
    }

    func testOnlyActiveStatesCountTowardTheConcurrencyLimit() {
        let counting = Self.states.filter { $0.1.countsTowardConcurrencyLimit }.map(\.0)
        XCTAssertEqual(counting, ["open", "hcl", "hcr"])
        XCTAssertEqual(Self.states.filter { $0.1.isClosed }.map(\.0), ["cES", "cRS", "cRR", "cI"])
    }
}
