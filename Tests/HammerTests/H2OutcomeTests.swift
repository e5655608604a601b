import HTTP2Wire
import XCTest
@testable import Hammer

/// HTTP/2 outcome patterns, facts and verdicts, without sockets.
final class H2OutcomeTests: XCTestCase {
    func facts(goAway: HTTP2ErrorCode? = nil, resets: [HTTP2ErrorCode] = [], statuses: [Int] = [], pingAcked: Bool = false) -> H2Facts {
        var facts = H2Facts()
        if let goAway { facts.goAway = H2Facts.GoAway(lastStreamID: 1, code: goAway, debug: []) }
        facts.resets = resets.map { H2Facts.Reset(streamID: 1, code: $0) }
        facts.responses = statuses.enumerated().map { H2Facts.Response(streamID: UInt32(2 * $0.offset + 1), status: $0.element) }
        facts.pingsSent = pingAcked
        facts.pingAcked = pingAcked
        return facts
    }

    func testPatternsParseAndRefuseNonsense() {
        XCTAssertNotNil(OutcomePattern(h2: "GOAWAY PROTOCOL_ERROR"))
        XCTAssertNotNil(OutcomePattern(h2: "2xx RST_STREAM STREAM_CLOSED"))
        XCTAssertNotNil(OutcomePattern(h2: "SETTINGS_ACK PING_ACK"))
        XCTAssertNotNil(OutcomePattern(h2: "close"))
        XCTAssertNil(OutcomePattern(h2: "GOAWAY GOAWAY"))
        XCTAssertNil(OutcomePattern(h2: "timeout close"))
        XCTAssertNil(OutcomePattern(h2: "PING_ACK timeout"))
        XCTAssertNil(OutcomePattern(h2: "NONSENSE"))
    }

    func testUnnamedErrorsBreakAMatchButAnUnnamed4xxDoesNot() throws {
        let reset = try XCTUnwrap(OutcomePattern(h2: "RST_STREAM PROTOCOL_ERROR"))
        XCTAssertTrue(reset.matches(ObservedOutcome(h2: facts(resets: [.protocolError]), ending: .open)))
        XCTAssertTrue(reset.matches(ObservedOutcome(h2: facts(resets: [.protocolError], statuses: [400]), ending: .open)))
        XCTAssertFalse(reset.matches(ObservedOutcome(h2: facts(resets: [.protocolError], statuses: [200]), ending: .open)))
        XCTAssertFalse(reset.matches(ObservedOutcome(h2: facts(goAway: .protocolError, resets: [.protocolError]), ending: .closed)))
        let ok = try XCTUnwrap(OutcomePattern(h2: "200"))
        XCTAssertTrue(ok.matches(ObservedOutcome(h2: facts(resets: [.noError], statuses: [200]), ending: .open)))
        XCTAssertFalse(ok.matches(ObservedOutcome(h2: facts(resets: [.streamClosed], statuses: [200]), ending: .open)))
        let timeout = try XCTUnwrap(OutcomePattern(h2: "timeout"))
        XCTAssertTrue(timeout.matches(ObservedOutcome(h2: facts(), ending: .open)))
        XCTAssertFalse(timeout.matches(ObservedOutcome(h2: facts(), ending: .reset)))
    }

    func testObservedDescriptionUsesTheOutcomeNotation() {
        XCTAssertEqual(ObservedOutcome(h2: facts(goAway: .frameSizeError), ending: .reset).description, "GOAWAY FRAME_SIZE_ERROR close")
        XCTAssertEqual(ObservedOutcome(h2: facts(resets: [.protocolError], statuses: [400]), ending: .open).description,
                       "400 RST_STREAM PROTOCOL_ERROR")
        XCTAssertEqual(ObservedOutcome(h2: facts(pingAcked: true), ending: .open).description, "PING_ACK")
        XCTAssertEqual(ObservedOutcome(h2: facts(), ending: .open).description, "timeout")
    }

    func testVerdictsForConnectionAndStreamErrors() throws {
        func testCase(_ pass: [String], level: String = "MUST") throws -> CorpusCase {
            var item = CorpusCase(id: "T", title: "t", category: "h2-frames", level: level, rfc: "RFC 9113 §6.1", references: [], why: "w",
                                  steps: [], sendTexts: ["x"], canary: false, pass: try pass.map { try XCTUnwrap(OutcomePattern(h2: $0)) },
                                  warn: [], path: "h2-frames/T.yaml")
            item.wireProtocol = .h2
            return item
        }
        let connection = try testCase(["GOAWAY PROTOCOL_ERROR"])
        XCTAssertEqual(VerdictPolicy.judge(connection, observed: ObservedOutcome(h2: facts(goAway: .protocolError), ending: .closed)).verdict, .pass)
        XCTAssertEqual(VerdictPolicy.judge(connection, observed: ObservedOutcome(h2: facts(goAway: .frameSizeError), ending: .closed)).verdict, .warn)
        XCTAssertEqual(VerdictPolicy.judge(connection, observed: ObservedOutcome(h2: facts(), ending: .reset)).verdict, .warn)
        XCTAssertEqual(VerdictPolicy.judge(connection, observed: ObservedOutcome(h2: facts(pingAcked: true), ending: .open)).verdict, .fail)
        XCTAssertEqual(VerdictPolicy.judge(connection, observed: ObservedOutcome(h2: facts(statuses: [200]), ending: .closed)).verdict, .fail)
        let stream = try testCase(["RST_STREAM PROTOCOL_ERROR"])
        XCTAssertEqual(VerdictPolicy.judge(stream, observed: ObservedOutcome(h2: facts(goAway: .protocolError), ending: .closed)).verdict, .pass)
        XCTAssertEqual(VerdictPolicy.judge(stream, observed: ObservedOutcome(h2: facts(statuses: [400]), ending: .open)).verdict, .warn)
        XCTAssertEqual(VerdictPolicy.judge(stream, observed: ObservedOutcome(h2: facts(resets: [.refusedStream]), ending: .open)).verdict, .warn)
        XCTAssertEqual(VerdictPolicy.judge(stream, observed: ObservedOutcome(h2: facts(statuses: [200]), ending: .open)).verdict, .fail)
        // The response to the request completed before the offending frame is allowed by the pattern:
        // it does not make another code's connection error "processed" (node: 200 GOAWAY INTERNAL_ERROR).
        let afterAnswer = try testCase(["RST_STREAM STREAM_CLOSED", "2xx GOAWAY STREAM_CLOSED"])
        XCTAssertEqual(VerdictPolicy.judge(afterAnswer, observed: ObservedOutcome(h2: facts(goAway: .internalError, statuses: [200]), ending: .closed)).verdict, .warn)
        XCTAssertEqual(VerdictPolicy.judge(afterAnswer, observed: ObservedOutcome(h2: facts(statuses: [200, 200]), ending: .open)).verdict, .fail)
        let should = try testCase(["RST_STREAM PROTOCOL_ERROR"], level: "SHOULD")
        XCTAssertEqual(VerdictPolicy.judge(should, observed: ObservedOutcome(h2: facts(statuses: [200]), ending: .open)).verdict, .warn)
    }

    func testReaderFindsAGoAwayAfterAFrameAStrictClientRefusesAndChecksWindows() {
        var reader = H2ResponseReader()
        var bytes: [UInt8] = []
        HTTP2FrameEncoder.appendSettings([], into: &bytes)
        HTTP2FrameEncoder.appendRawFrame(type: 0x6, flags: 0, streamWord: 0, payload: [1, 2, 3], into: &bytes)  // PING of 3 octets
        HTTP2FrameEncoder.appendData(streamID: 1, data: [UInt8](repeating: 0, count: 70_000), into: &bytes)
        HTTP2FrameEncoder.appendGoAway(lastStreamID: 1, errorCode: .protocolError, into: &bytes)
        reader.feed(Array(bytes.prefix(20)))
        reader.feed(Array(bytes.dropFirst(20)))
        XCTAssertEqual(reader.facts.goAway?.code, .protocolError)
        XCTAssertNotNil(reader.facts.serverViolation)
        XCTAssertNotNil(reader.facts.flowControlViolation, "70,000 octets exceed the default 65,535-octet windows")
    }

    func testFrameSpecsEncodeLyingLengthsAndPadding() {
        var spec = H2FrameSpec(type: HTTP2FrameType.data.rawValue, flags: nil, streamID: 3, body: .data(Array("ab".utf8), fill: nil))
        spec.padding = 2
        spec.padLengthOverride = 9
        var out: [UInt8] = []
        spec.encode(into: &out, context: H2EncodingContext(authority: "a"))
        XCTAssertEqual(out, [0, 0, 5, 0, 0x08, 0, 0, 0, 3, 9, 0x61, 0x62, 0, 0])
        var lying = H2FrameSpec(type: HTTP2FrameType.ping.rawValue, streamID: 0, body: .ping(opaque: [1]))
        lying.length = H2Size(base: .maxFrameSize, offset: 1)
        out = []
        lying.encode(into: &out, context: H2EncodingContext(authority: "a"))
        XCTAssertEqual(Array(out.prefix(3)), [0, 0x40, 0x01])
    }
}
