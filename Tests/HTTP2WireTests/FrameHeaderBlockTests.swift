import XCTest
@testable import HTTP2Wire

/// Field blocks: HEADERS/PUSH_PROMISE + CONTINUATION assembly (§4.3, §6.10) and the flood bounds (§10.5).
final class FrameHeaderBlockTests: XCTestCase {
    typealias B = FrameBytes
    let settingsFirst = "SETTINGS []"

    func testContinuationFragmentsAreConcatenatedWithoutPaddingOrPriority() {
        let headers = B.raw(1, flags: 0x29, stream: 1, [1] + B.u32(0) + [15] + [1, 2] + [0])
        let events = FrameRecorder.server(headers + B.raw(9, stream: 1, [3]) + B.raw(9, stream: 1, [])
                                          + B.raw(9, flags: 4, stream: 1, [4, 5]))
        XCTAssertEqual(events, [settingsFirst, "HEADERS s=1 es=true priority=0/false/15 continuations=3 block=[1, 2, 3, 4, 5]"])
    }

    func testPushPromiseContinuationsAreAssembled() {
        let events = FrameRecorder.client(B.raw(5, stream: 1, B.u32(4) + [1]) + B.raw(9, flags: 4, stream: 1, [2]))
        XCTAssertEqual(events, [settingsFirst, "PUSH_PROMISE s=1 es=false promised=4 continuations=1 block=[1, 2]"])
    }

    func testStorageIsReusedAcrossBlocks() {
        let block = B.raw(1, stream: 1, [1]) + B.raw(9, flags: 4, stream: 1, [2])
        let next = B.raw(1, stream: 3, [7]) + B.raw(9, flags: 4, stream: 3, [8])
        XCTAssertEqual(FrameRecorder.server(block + next),
                       [settingsFirst, "HEADERS s=1 es=false continuations=1 block=[1, 2]",
                        "HEADERS s=3 es=false continuations=1 block=[7, 8]"])
    }

    func testContinuationWithoutAnOpenBlockIsProtocolError() {
        XCTAssertEqual(FrameRecorder.server(B.raw(9, flags: 4, stream: 1, [1])).last,
                       "CONNECTION-ERROR PROTOCOL_ERROR continuation-without-header-block")
        let ended = B.raw(1, flags: 4, stream: 1, [1]) + B.raw(9, flags: 4, stream: 1, [2])
        XCTAssertEqual(FrameRecorder.server(ended).last, "CONNECTION-ERROR PROTOCOL_ERROR continuation-without-header-block")
    }

    func testAnotherFrameInsideABlockIsProtocolError() {
        let events = FrameRecorder.server(B.raw(1, stream: 1, [1]) + B.raw(6, [UInt8](repeating: 0, count: 8)))
        XCTAssertEqual(events, [settingsFirst, "CONNECTION-ERROR PROTOCOL_ERROR frame-interrupts-header-block"])
    }

    func testAnUnknownFrameInsideABlockIsProtocolError() {
        let events = FrameRecorder.server(B.raw(1, stream: 1, [1]) + B.raw(0xfa, stream: 1))
        XCTAssertEqual(events.last, "CONNECTION-ERROR PROTOCOL_ERROR frame-interrupts-header-block")
    }

    func testContinuationOnAnotherStreamIsProtocolError() {
        let events = FrameRecorder.server(B.raw(1, stream: 1, [1]) + B.raw(9, flags: 4, stream: 3, [2]))
        XCTAssertEqual(events.last, "CONNECTION-ERROR PROTOCOL_ERROR continuation-on-other-stream")
    }

    func testOversizedContinuationIsAConnectionFrameSizeError() {
        let events = FrameRecorder.server(B.raw(1, stream: 1, [1]) + B.raw(9, flags: 4, stream: 1, [UInt8](repeating: 0, count: 16_385)))
        XCTAssertEqual(events.last, "CONNECTION-ERROR FRAME_SIZE_ERROR frame-larger-than-max-frame-size")
    }

    func testEmptyContinuationFloodHitsTheFrameCountLimit() {
        let configuration = HTTP2FrameParserConfiguration(role: .server, maxContinuationFrames: 3)
        let three = B.raw(1, stream: 1, [1]) + B.raw(9, stream: 1) + B.raw(9, stream: 1) + B.raw(9, flags: 4, stream: 1)
        XCTAssertEqual(FrameRecorder.server(three, configuration).last, "HEADERS s=1 es=false continuations=3 block=[1]")
        let four = B.raw(1, stream: 1, [1]) + B.raw(9, stream: 1) + B.raw(9, stream: 1) + B.raw(9, stream: 1) + B.raw(9, flags: 4, stream: 1)
        let events = FrameRecorder.server(four, configuration)
        XCTAssertEqual(events, [settingsFirst, "CONNECTION-ERROR ENHANCE_YOUR_CALM too-many-continuation-frames"])
    }

    func testTheDefaultContinuationLimitStopsAnEndlessBlock() {
        var flood = B.raw(1, stream: 1, [1])
        for _ in 0..<100 { flood += B.raw(9, stream: 1) }
        XCTAssertEqual(FrameRecorder.server(flood).last, "CONNECTION-ERROR ENHANCE_YOUR_CALM too-many-continuation-frames")
    }

    func testBlockSizeLimitCountsEveryFrameOfTheBlock() {
        let configuration = HTTP2FrameParserConfiguration(role: .server, maxHeaderBlockBytes: 10)
        let exact = B.raw(1, stream: 1, [UInt8](repeating: 1, count: 6)) + B.raw(9, flags: 4, stream: 1, [2, 2, 2, 2])
        XCTAssertEqual(FrameRecorder.server(exact, configuration).last?.hasPrefix("HEADERS s=1"), true)
        let over = B.raw(1, stream: 1, [UInt8](repeating: 1, count: 6)) + B.raw(9, flags: 4, stream: 1, [2, 2, 2, 2, 2])
        XCTAssertEqual(FrameRecorder.server(over, configuration).last, "CONNECTION-ERROR ENHANCE_YOUR_CALM header-block-too-large")
        let single = B.raw(1, flags: 4, stream: 1, [UInt8](repeating: 1, count: 11))
        XCTAssertEqual(FrameRecorder.server(single, configuration).last, "CONNECTION-ERROR ENHANCE_YOUR_CALM header-block-too-large")
    }

    func testTheFloodIsRefusedAtTheFrameHeaderBeforeItsPayloadArrives() {
        let configuration = HTTP2FrameParserConfiguration(role: .server, maxHeaderBlockBytes: 100)
        // Only the header of the oversized CONTINUATION is sent: the verdict must not wait for its payload.
        let bytes = B.raw(1, stream: 1, [1]) + Array(B.raw(9, stream: 1, [UInt8](repeating: 0, count: 200))[0..<9])
        XCTAssertEqual(FrameRecorder.server(bytes, configuration).last, "CONNECTION-ERROR ENHANCE_YOUR_CALM header-block-too-large")
    }

    func testTheAssemblerStandsAlone() {
        var assembler = HTTP2HeaderBlockAssembler(maxBlockBytes: 8, maxContinuationFrames: 1)
        XCTAssertNil(assembler.streamID)
        [UInt8]([1, 2]).withUnsafeBytes {
            assembler.begin(.headers, streamID: 5, endStream: true, priority: nil, promisedStreamID: 0,
                            streamError: nil, payloadLength: 2, fragment: $0)
        }
        XCTAssertEqual(assembler.streamID, 5)
        XCTAssertNil(assembler.admitContinuation(payloadLength: 6))
        XCTAssertEqual(assembler.admitContinuation(payloadLength: 7)?.reason, "header-block-too-large")
        [UInt8]([3]).withUnsafeBytes { assembler.append(continuation: $0) }
        XCTAssertEqual(assembler.admitContinuation(payloadLength: 0)?.reason, "too-many-continuation-frames")
        let block = assembler.finish()
        XCTAssertEqual(Array(block.fieldBlock), [1, 2, 3])
        XCTAssertTrue(block.endStream)
        XCTAssertFalse(assembler.isAssembling)
    }
}
