import XCTest
@testable import HTTP2Wire

/// The encoder's bytes, checked against RFC 9113 §4.1/§6 layouts written out by hand, and read back
/// by the parser.
final class FrameEncoderTests: XCTestCase {
    typealias E = HTTP2FrameEncoder

    private func encode(_ body: (inout [UInt8]) -> Void) -> [UInt8] {
        var out: [UInt8] = []
        body(&out)
        return out
    }

    func testPrefaceBytes() {
        XCTAssertEqual(encode { E.appendPreface(into: &$0) }, Array("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".utf8))
        XCTAssertEqual(HTTP2ConnectionPreface.bytes.count, 24)
    }

    func testDataLayoutWithPadding() {
        XCTAssertEqual(encode { E.appendData(streamID: 3, data: [0xaa, 0xbb], endStream: true, padLength: 2, into: &$0) },
                       [0, 0, 5, 0x0, 0x9, 0, 0, 0, 3, 2, 0xaa, 0xbb, 0, 0])
        XCTAssertEqual(encode { E.appendData(streamID: 1, data: [1], into: &$0) }, [0, 0, 1, 0, 0, 0, 0, 0, 1, 1])
    }

    func testHeadersLayoutWithPriorityAndPadding() {
        let bytes = encode {
            E.appendHeaders(streamID: 5, fieldBlock: [0x82], endStream: true,
                            priority: HTTP2Priority(exclusive: true, dependency: 3, weight: 255), padLength: 1, into: &$0)
        }
        XCTAssertEqual(bytes, [0, 0, 8, 0x1, 0x2d, 0, 0, 0, 5, 1, 0x80, 0, 0, 3, 255, 0x82, 0])
    }

    func testHeadersAreSplitIntoContinuationByTheMaxFrameSize() {
        let block = (0..<40_000).map { UInt8($0 & 0xff) }
        let bytes = encode { E.appendHeaders(streamID: 1, fieldBlock: block, endStream: true, padLength: 10, into: &$0) }
        // HEADERS carries 16384 − 11 octets of the block, then 16384, then the rest.
        let first = 16_384 - 11
        XCTAssertEqual(Array(bytes[0..<9]), [0, 0x40, 0, 0x1, 0x9, 0, 0, 0, 1])
        let second = 9 + 16_384
        XCTAssertEqual(Array(bytes[second..<second + 9]), [0, 0x40, 0, 0x9, 0, 0, 0, 0, 1])
        let third = second + 9 + 16_384
        let rest = 40_000 - first - 16_384
        XCTAssertEqual(Array(bytes[third..<third + 9]), [0, UInt8(rest >> 8), UInt8(rest & 0xff), 0x9, 0x4, 0, 0, 0, 1])
        XCTAssertEqual(bytes.count, third + 9 + rest)
        let events = FrameRecorder.server(bytes)
        XCTAssertEqual(events.last, "HEADERS s=1 es=true continuations=2 block=\(block.withUnsafeBytes { FrameRecorder.text($0) })")
    }

    func testALargerPeerMaxFrameSizeMeansFewerFrames() {
        let block = [UInt8](repeating: 1, count: 20_000)
        let bytes = encode { E.appendHeaders(streamID: 1, fieldBlock: block, maxFrameSize: 20_000, into: &$0) }
        XCTAssertEqual(bytes.count, 9 + 20_000)
        XCTAssertEqual(bytes[4], 0x4, "END_HEADERS on the only frame")
    }

    func testABlockThatFitsExactlyHasNoContinuation() {
        let bytes = encode { E.appendHeaders(streamID: 1, fieldBlock: [UInt8](repeating: 1, count: 16_384), into: &$0) }
        XCTAssertEqual(bytes.count, 9 + 16_384)
        let empty = encode { E.appendHeaders(streamID: 1, fieldBlock: [UInt8](), into: &$0) }
        XCTAssertEqual(empty, [0, 0, 0, 1, 4, 0, 0, 0, 1])
    }

    func testPushPromiseIsSplitAndCarriesThePromisedStream() {
        let bytes = encode { E.appendPushPromise(streamID: 1, promisedStreamID: 2, fieldBlock: [UInt8](repeating: 7, count: 16_381), into: &$0) }
        XCTAssertEqual(Array(bytes[0..<13]), [0, 0x40, 0, 0x5, 0, 0, 0, 0, 1, 0, 0, 0, 2])
        XCTAssertEqual(Array(bytes[9 + 16_384..<9 + 16_384 + 10]), [0, 0, 1, 0x9, 0x4, 0, 0, 0, 1, 7])
        XCTAssertEqual(FrameRecorder.client(bytes).last?.hasPrefix("PUSH_PROMISE s=1 es=false promised=2 continuations=1"), true)
    }

    func testControlFrameLayouts() {
        XCTAssertEqual(encode { E.appendPriority(streamID: 3, priority: HTTP2Priority(dependency: 1, weight: 9), into: &$0) },
                       [0, 0, 5, 2, 0, 0, 0, 0, 3, 0, 0, 0, 1, 9])
        XCTAssertEqual(encode { E.appendRSTStream(streamID: 3, errorCode: .refusedStream, into: &$0) },
                       [0, 0, 4, 3, 0, 0, 0, 0, 3, 0, 0, 0, 7])
        XCTAssertEqual(encode { E.appendSettings([HTTP2Setting(.maxConcurrentStreams, 100)], into: &$0) },
                       [0, 0, 6, 4, 0, 0, 0, 0, 0, 0, 3, 0, 0, 0, 100])
        XCTAssertEqual(encode { E.appendSettingsAck(into: &$0) }, [0, 0, 0, 4, 1, 0, 0, 0, 0])
        XCTAssertEqual(encode { E.appendPing(opaqueData: 0x0102_0304_0506_0708, ack: true, into: &$0) },
                       [0, 0, 8, 6, 1, 0, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8])
        XCTAssertEqual(encode { E.appendGoAway(lastStreamID: 5, errorCode: .enhanceYourCalm, debugData: [0x21], into: &$0) },
                       [0, 0, 9, 7, 0, 0, 0, 0, 0, 0, 0, 0, 5, 0, 0, 0, 0xb, 0x21])
        XCTAssertEqual(encode { E.appendWindowUpdate(streamID: 0, increment: 0x7fff_ffff, into: &$0) },
                       [0, 0, 4, 8, 0, 0, 0, 0, 0, 0x7f, 0xff, 0xff, 0xff])
        XCTAssertEqual(encode { E.appendContinuation(streamID: 9, fragment: [1], endHeaders: true, into: &$0) },
                       [0, 0, 1, 9, 4, 0, 0, 0, 9, 1])
    }

    func testTypedFramesRoundTripThroughTheParser() {
        let bytes = FrameBytes.clientStart + encode {
            E.appendData(streamID: 1, data: [1, 2], endStream: true, padLength: 0, into: &$0)
            E.appendPriority(streamID: 3, priority: HTTP2Priority(dependency: 1), into: &$0)
            E.appendRSTStream(streamID: 1, errorCode: .cancel, into: &$0)
            E.appendSettings([HTTP2Setting(.initialWindowSize, 1)], into: &$0)
            E.appendPing(opaqueData: 0xabc, into: &$0)
            E.appendWindowUpdate(streamID: 1, increment: 5, into: &$0)
            E.appendGoAway(lastStreamID: 1, errorCode: .noError, into: &$0)
        }
        XCTAssertEqual(FrameRecorder.record(bytes, configuration: .init(role: .server)), [
            "SETTINGS []", "DATA s=1 es=true length=3 data=[1, 2]", "PRIORITY s=3 dependency=1 exclusive=false weight=15",
            "RST_STREAM s=1 CANCEL", "SETTINGS [4=1]", "PING abc ack=false", "WINDOW_UPDATE s=1 +5", "GOAWAY last=1 NO_ERROR debug=[]",
        ])
    }

    func testTheEscapeHatchWritesWhatItIsTold() {
        // A length that lies about the payload, undefined flags, the reserved bit set, an unknown type.
        XCTAssertEqual(encode { E.appendRawFrame(length: 0xff_ffff, type: 0xee, flags: 0xff, streamWord: 0x8000_0001, payload: [1], into: &$0) },
                       [0xff, 0xff, 0xff, 0xee, 0xff, 0x80, 0, 0, 1, 1])
        XCTAssertEqual(encode { E.appendRawFrame(type: 8, flags: 0, streamWord: 0, payload: [0, 0, 0, 0], into: &$0) },
                       [0, 0, 4, 8, 0, 0, 0, 0, 0, 0, 0, 0, 0])
        // Typed functions do not police the protocol either: the harness sends such frames on purpose.
        XCTAssertEqual(encode { E.appendData(streamID: 0, data: [UInt8](), into: &$0) }, [0, 0, 0, 0, 0, 0, 0, 0, 0])
    }

    func testAppendingKeepsWhatIsAlreadyInTheBuffer() {
        var out: [UInt8] = [0xde, 0xad]
        E.appendSettingsAck(into: &out)
        XCTAssertEqual(out, [0xde, 0xad, 0, 0, 0, 4, 1, 0, 0, 0, 0])
    }
}
