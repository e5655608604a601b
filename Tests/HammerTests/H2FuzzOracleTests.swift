import HTTP2Wire
import XCTest
@testable import Hammer

/// The HTTP/2 fuzzer's oracle (the strict HTTP2Wire layer), classifier, mutators and frame units,
/// without sockets.
final class H2FuzzOracleTests: XCTestCase {
    func headers(_ id: UInt32, endStream: Bool = true, extra: [(String, String)] = []) -> [UInt8] {
        var block = HeaderBlockBuilder()
        for (name, value) in [(":method", "GET"), (":scheme", "http"), (":path", "/"), (":authority", "a.test")] + extra {
            block.literal(.withoutIndexing, name: .literal(.raw(Array(name.utf8))), value: .raw(Array(value.utf8)))
        }
        var out: [UInt8] = []
        HTTP2FrameEncoder.appendRawFrame(type: HTTP2FrameType.headers.rawValue,
                                         flags: HTTP2FrameFlags.endHeaders.rawValue | (endStream ? HTTP2FrameFlags.endStream.rawValue : 0),
                                         streamWord: id, payload: block.bytes, into: &out)
        return out
    }

    func expect(_ bytes: [UInt8]) -> H2Expectation { H2Oracle.expect(bytes, server: HTTP2Settings()) }

    func testAValidRequestIsAnsweredAndTheProbeReached() {
        let expectation = expect(headers(1) + headers(3))
        XCTAssertEqual(expectation.answered, [1, 3])
        XCTAssertTrue(expectation.probeReached)
        XCTAssertNil(expectation.connectionError)
        XCTAssertEqual(expectation.reason, "valid")
    }

    func testConnectionAndStreamErrorsComeFromTheStrictLayer() {
        var data: [UInt8] = []
        HTTP2FrameEncoder.appendRawFrame(type: HTTP2FrameType.data.rawValue, flags: 0, streamWord: 0, payload: [1], into: &data)
        let onStreamZero = expect(data)
        XCTAssertEqual(onStreamZero.connectionError?.code, .protocolError)
        XCTAssertFalse(onStreamZero.probeReached)

        let uppercase = expect(headers(1, extra: [("X-Upper", "v")]))
        XCTAssertEqual(uppercase.streamErrors[1]?.code, .protocolError)
        XCTAssertEqual(uppercase.answered, [])
        XCTAssertTrue(uppercase.probeReached)

        var tooLong = headers(1)
        tooLong[0] = 0x01  // length 65536 + the real one: past SETTINGS_MAX_FRAME_SIZE and past the end
        let oversized = expect(tooLong)
        XCTAssertEqual(oversized.connectionError?.code, .frameSizeError)
        XCTAssertTrue(oversized.endsInsideFrame)

        let decreasing = expect(headers(5) + headers(3))
        XCTAssertEqual(decreasing.connectionError?.reason, "frame-on-implicitly-closed-stream", "3 was skipped when 5 opened (§5.1.1)")
        XCTAssertEqual(decreasing.connectionError?.code, .protocolError)
        XCTAssertEqual(decreasing.answered, [5])
    }

    func testTimingDependentFramesAndOwnLimitsAreNotJudged() {
        var late: [UInt8] = []
        HTTP2FrameEncoder.appendData(streamID: 1, data: [1], endStream: true, into: &late)
        let afterEnd = expect(headers(1) + late)
        XCTAssertNotNil(afterEnd.incomparable, "a stream or a connection error depending on whether the response was sent")
        XCTAssertNil(afterEnd.connectionError)
    }

    func testAStreamErrorAfterTheRequestIsCompleteDoesNotMakeItMalformed() {
        // Found against the reference server: it answers 200, then resets the stream for the zero increment.
        var zero: [UInt8] = []
        HTTP2FrameEncoder.appendRawFrame(type: HTTP2FrameType.windowUpdate.rawValue, flags: 0, streamWord: 1, payload: [0, 0, 0, 0], into: &zero)
        let late = expect(headers(1) + zero)
        XCTAssertEqual(late.streamErrors, [:])
        XCTAssertEqual(Set(late.laterResets.keys), [1])
        XCTAssertEqual(late.answered, [])
        var answered = H2Facts()
        answered.responses = [H2Facts.Response(streamID: 1, status: 200)]
        XCTAssertNil(H2FindingClassifier.classify(late, observation(answered, probeAcked: true)))
        // A PRIORITY of the wrong length on an idle id costs that id nothing: a request may open it next.
        var priority: [UInt8] = []
        HTTP2FrameEncoder.appendRawFrame(type: HTTP2FrameType.priority.rawValue, flags: 0, streamWord: 1, payload: [0, 0, 0], into: &priority)
        let idle = expect(priority + headers(1))
        XCTAssertEqual(idle.streamErrors, [:])
        XCTAssertEqual(idle.answered, [1])
        // Found against nginx: the request is complete, then a frame on an idle stream (a connection
        // error); the 200 answers the request, not the bad frame.
        var data: [UInt8] = []
        HTTP2FrameEncoder.appendRawFrame(type: HTTP2FrameType.data.rawValue, flags: 0, streamWord: 9, payload: [1], into: &data)
        let thenIdle = expect(headers(1) + data)
        XCTAssertNotNil(thenIdle.connectionError)
        XCTAssertEqual(H2FindingClassifier.classify(thenIdle, observation(answered, probeAcked: false))?.detail, "no-connection-error",
                       "silent after the error, but not lenient for the 200")
    }

    func testFramesCutShortAndEscalatedStreamErrorsAreNoFindings() {
        // Found against nginx: a HEADERS frame longer than the bytes sent, answered 400 by a server that
        // decodes the block before the frame is complete: stream 1 is opened, no desync.
        var cut = headers(1)
        cut[0] = 0x40
        let long = expect(cut)
        XCTAssertTrue(long.headersStreams.contains(1))
        var refused = H2Facts()
        refused.responses = [H2Facts.Response(streamID: 1, status: 400)]
        refused.goAway = H2Facts.GoAway(lastStreamID: 1, code: .protocolError, debug: [])
        XCTAssertNil(H2FindingClassifier.classify(long, observation(refused, .closed, probeAcked: false)))
        // A PRIORITY of the wrong length (a stream error) made a connection error: allowed.
        var priority: [UInt8] = []
        HTTP2FrameEncoder.appendRawFrame(type: HTTP2FrameType.priority.rawValue, flags: 0, streamWord: 5, payload: [0, 0, 0], into: &priority)
        var frameSize = H2Facts()
        frameSize.goAway = H2Facts.GoAway(lastStreamID: 0, code: .frameSizeError, debug: [])
        XCTAssertNil(H2FindingClassifier.classify(expect(priority), observation(frameSize, .closed, probeAcked: false)))
    }

    func observation(_ facts: H2Facts, _ ending: ConnectionEnding = .open, probeAcked: Bool) -> H2Observation {
        H2Observation(facts: facts, ending: ending, probeAcked: probeAcked)
    }

    func testTheClassifierNamesWhatDiffers() {
        var data: [UInt8] = []
        HTTP2FrameEncoder.appendRawFrame(type: HTTP2FrameType.data.rawValue, flags: 0, streamWord: 0, payload: [1], into: &data)
        let connectionError = expect(data)
        XCTAssertEqual(H2FindingClassifier.classify(connectionError, observation(H2Facts(), probeAcked: true))?.detail, "ignored-connection-error")
        var goAway = H2Facts()
        goAway.goAway = H2Facts.GoAway(lastStreamID: 0, code: .protocolError, debug: [])
        XCTAssertNil(H2FindingClassifier.classify(connectionError, observation(goAway, .closed, probeAcked: false)))
        XCTAssertNil(H2FindingClassifier.classify(connectionError, observation(H2Facts(), .closed, probeAcked: false)), "closing is a way to signal it")

        let malformed = expect(headers(1, extra: [("connection", "close")]))
        var answered = H2Facts()
        answered.responses = [H2Facts.Response(streamID: 1, status: 200)]
        let lenient = H2FindingClassifier.classify(malformed, observation(answered, probeAcked: true))
        XCTAssertEqual(lenient?.findingClass, .lenient)
        XCTAssertEqual(lenient?.detail, "answered-malformed")
        var reset = H2Facts()
        reset.resets = [H2Facts.Reset(streamID: 1, code: .protocolError)]
        XCTAssertNil(H2FindingClassifier.classify(malformed, observation(reset, probeAcked: true)))

        let valid = expect(headers(1))
        XCTAssertNil(H2FindingClassifier.classify(valid, observation(answered, probeAcked: true)))
        XCTAssertEqual(H2FindingClassifier.classify(valid, observation(reset, probeAcked: true))?.detail, "reset-PROTOCOL_ERROR")
        XCTAssertEqual(H2FindingClassifier.classify(valid, observation(H2Facts(), probeAcked: true))?.findingClass, .hang)
        var phantom = H2Facts()
        phantom.responses = [H2Facts.Response(streamID: 1, status: 200), H2Facts.Response(streamID: 7, status: 200)]
        XCTAssertEqual(H2FindingClassifier.classify(valid, observation(phantom, probeAcked: true))?.findingClass, .desync)
        XCTAssertEqual(H2FindingClassifier.classify(valid, observation(answered, probeAcked: true), healthProblem: "gone")?.findingClass, .crash)
        // Found against h2o: after SETTINGS_HEADER_TABLE_SIZE = 0 its second response does not decode.
        var undecodable = answered
        undecodable.undecodableBlock = "the field block on stream 3 does not decode"
        XCTAssertEqual(H2FindingClassifier.classify(valid, observation(undecodable, probeAcked: true))?.detail, "undecodable-response-block")
    }

    func testGenerationIsDeterministicAndMutatesFrames() {
        let seeds = [FuzzSeed(id: "A", input: FuzzInput(segments: [headers(1), headers(3, endStream: false)]))]
        let generator = H2FuzzGenerator(seeds: seeds, runSeed: 9)
        var changed = 0
        var names: Set<String> = []
        for index in 0..<200 {
            let generated = generator.generate(index)
            XCTAssertEqual(generated, generator.generate(index))
            if generated.input != seeds[0].input { changed += 1 }
            names.formUnion(generated.mutations)
        }
        XCTAssertGreaterThan(changed, 150)
        // Many more, from a seed with extreme ids: no mutator may trap (the encoders refuse ids past 31 bits).
        let extreme = H2FuzzGenerator(seeds: [FuzzSeed(id: "B", input: FuzzInput(segments: [headers(0x7FFF_FFFF), headers(0x7FFF_FFFD, endStream: false)]))],
                                      runSeed: 3)
        for index in 0..<1000 { _ = H2Oracle.expect(extreme.generate(index).input.bytes, server: HTTP2Settings()) }
        for prefix in ["h2.frame.", "h2.hpack.", "h2.stream."] {
            XCTAssertTrue(names.contains { $0.hasPrefix(prefix) }, "\(prefix) mutators drawn: \(names.sorted())")
        }
    }

    func testFrameUnitsAndTheMinimizerReduceToTheGuiltyFrame() {
        let guilty = headers(3, extra: [("X-Upper", "v")])
        let input = FuzzInput(segments: [headers(1), guilty, headers(5)])
        XCTAssertEqual(H2FrameLayout.units(input.bytes).count, 3)
        var minimizer = Minimizer(budget: 200, units: H2FrameLayout.units) { candidate in
            self.expect(candidate.bytes).streamErrors.values.contains { $0.reason == "field-name-uppercase" }
        }
        let minimized = minimizer.minimize(input)
        XCTAssertLessThan(minimized.bytes.count, guilty.count, "frames, then bytes: \(minimized.bytes)")
        XCTAssertTrue(expect(minimized.bytes).streamErrors.values.contains { $0.reason == "field-name-uppercase" })
    }
}
