import XCTest
@testable import HTTP2Wire

/// Every phase × every event a reader can legally send, without sockets (RFC 9113 §8.1, §8.1.1).
final class H2MessageLifecycleTests: XCTestCase {
    private func run(_ events: [H2MessageEvent]) -> (H2MessagePhase, [String]) {
        var lifecycle = H2MessageLifecycle(streamID: 1)
        var reasons: [String] = []
        for event in events {
            if let violation = lifecycle.receive(event) {
                XCTAssertEqual(violation.scope, .stream(1))
                XCTAssertEqual(violation.code, .protocolError)
                XCTAssertTrue(violation.rfcSection.hasPrefix("RFC 9113 §8.1"), violation.rfcSection)
                reasons.append(violation.reason)
            }
        }
        return (lifecycle.phase, reasons)
    }

    func testHeadersDataTrailersComplete() {
        XCTAssertEqual(run([.head(contentLength: nil, endStream: true)]).0, .complete)
        XCTAssertEqual(run([.head(contentLength: nil, endStream: false)]).0, .receivingData)
        XCTAssertEqual(run([.head(contentLength: nil, endStream: false), .data(count: 3, endStream: false),
                            .data(count: 0, endStream: true)]).0, .complete)
        XCTAssertEqual(run([.head(contentLength: nil, endStream: false), .data(count: 3, endStream: false),
                            .trailers(endStream: true)]).0, .complete)
        XCTAssertEqual(run([.informationalHead, .informationalHead, .head(contentLength: 0, endStream: true)]).0, .complete)
    }

    func testContentLengthAgainstTheSumOfData() {
        XCTAssertEqual(run([.head(contentLength: 5, endStream: false), .data(count: 2, endStream: false),
                            .data(count: 3, endStream: true)]).0, .complete)
        // Longer than declared: refused at the frame that overruns it.
        let long = run([.head(contentLength: 4, endStream: false), .data(count: 3, endStream: false),
                        .data(count: 2, endStream: false)])
        XCTAssertEqual(long.0, .malformed)
        XCTAssertEqual(long.1, ["content-length-mismatch"])
        // Shorter: refused at END_STREAM, on DATA, on trailers, or on the HEADERS itself (CVE-2021-21409's shape).
        XCTAssertEqual(run([.head(contentLength: 4, endStream: false), .data(count: 3, endStream: true)]).1, ["content-length-mismatch"])
        XCTAssertEqual(run([.head(contentLength: 4, endStream: false), .data(count: 3, endStream: false),
                            .trailers(endStream: true)]).1, ["content-length-mismatch"])
        XCTAssertEqual(run([.head(contentLength: 4, endStream: true)]).1, ["content-length-mismatch"])
        XCTAssertEqual(run([.head(contentLength: 0, endStream: true)]).1, [])
    }

    func testOutOfOrderPartsAreMalformed() {
        XCTAssertEqual(run([.data(count: 1, endStream: true)]).1, ["data-before-headers"])
        let trailersOpen = run([.head(contentLength: nil, endStream: false), .trailers(endStream: false)])
        XCTAssertEqual(trailersOpen.0, .malformed)
        XCTAssertEqual(trailersOpen.1, ["trailers-without-end-stream"])
    }

    func testResetAndMalformedEndTheMessage() {
        XCTAssertEqual(run([.reset]).0, .reset)
        XCTAssertEqual(run([.head(contentLength: nil, endStream: false), .reset]).0, .reset)
        XCTAssertEqual(run([.head(contentLength: nil, endStream: true), .reset]).0, .complete)
        XCTAssertEqual(run([.malformed]).0, .malformed)
        XCTAssertEqual(run([.head(contentLength: nil, endStream: false), .malformed]).0, .malformed)
        for phase in H2MessagePhase.allCases {
            XCTAssertEqual(phase.isFinished, phase != .awaitingHeaders && phase != .receivingData)
        }
    }

    func testExpectsHeadOnlyBeforeTheHead() {
        var lifecycle = H2MessageLifecycle(streamID: 3)
        XCTAssertTrue(lifecycle.expectsHead)
        lifecycle.receive(.informationalHead)
        XCTAssertTrue(lifecycle.expectsHead)
        lifecycle.receive(.head(contentLength: 2, endStream: false))
        XCTAssertFalse(lifecycle.expectsHead)
        XCTAssertEqual(lifecycle.declaredLength, 2)
        lifecycle.receive(.data(count: 2, endStream: false))
        XCTAssertEqual(lifecycle.receivedLength, 2)
    }
}
