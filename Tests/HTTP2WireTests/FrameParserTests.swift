import XCTest
@testable import HTTP2Wire

/// One test per receiver rule of RFC 9113 §3.4, §4 and §6 (field blocks are in FrameHeaderBlockTests).
final class FrameParserTests: XCTestCase {
    typealias B = FrameBytes
    let settingsFirst = "SETTINGS []"

    private func serverEvents(_ frames: [UInt8], _ configuration: HTTP2FrameParserConfiguration = .init(role: .server)) -> [String] {
        FrameRecorder.server(frames, configuration)
    }

    private func assertLast(_ events: [String], _ expected: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(events.last, expected, "\(events)", file: file, line: line)
    }

    // MARK: §3.4 preface and first SETTINGS

    func testServerAcceptsThePrefaceThenSettings() {
        XCTAssertEqual(serverEvents(B.raw(6, stream: 0, [1, 2, 3, 4, 5, 6, 7, 8])),
                       [settingsFirst, "PING 102030405060708 ack=false"])
    }

    func testWrongPrefaceIsProtocolError() {
        var bytes = B.clientStart
        bytes[23] = UInt8(ascii: "X")
        let events = FrameRecorder.record(bytes, configuration: .init(role: .server))
        XCTAssertEqual(events, ["CONNECTION-ERROR PROTOCOL_ERROR bad-connection-preface"])
    }

    func testHTTP1RequestInsteadOfPrefaceIsProtocolError() {
        let events = FrameRecorder.record(Array("GET / HTTP/1.1\r\nHost: a\r\n\r\n".utf8), configuration: .init(role: .server))
        XCTAssertEqual(events, ["CONNECTION-ERROR PROTOCOL_ERROR bad-connection-preface"])
    }

    func testPrefaceNotFollowedBySettingsIsProtocolError() {
        let events = FrameRecorder.record(HTTP2ConnectionPreface.bytes + B.raw(6, [0, 0, 0, 0, 0, 0, 0, 0]),
                                          configuration: .init(role: .server))
        XCTAssertEqual(events, ["CONNECTION-ERROR PROTOCOL_ERROR preface-not-followed-by-settings"])
    }

    func testPrefaceFollowedBySettingsAckIsProtocolError() {
        let events = FrameRecorder.record(HTTP2ConnectionPreface.bytes + B.raw(4, flags: 1),
                                          configuration: .init(role: .server))
        XCTAssertEqual(events, ["CONNECTION-ERROR PROTOCOL_ERROR preface-not-followed-by-settings"])
    }

    func testClientExpectsNoPrefaceButSettingsFirst() {
        XCTAssertEqual(FrameRecorder.client([]), [settingsFirst])
        let events = FrameRecorder.record(B.raw(6, [0, 0, 0, 0, 0, 0, 0, 0]), configuration: .init(role: .client))
        XCTAssertEqual(events, ["CONNECTION-ERROR PROTOCOL_ERROR preface-not-followed-by-settings"])
        let preface = FrameRecorder.record(HTTP2ConnectionPreface.bytes, configuration: .init(role: .client))
        XCTAssertEqual(preface.last?.hasPrefix("CONNECTION-ERROR PROTOCOL_ERROR"), true, "\(preface)")
    }

    // MARK: §4.2 frame size

    func testOversizedDataIsAStreamErrorAndParsingContinues() {
        let big = B.raw(0, stream: 1, [UInt8](repeating: 7, count: 16_385))
        let events = serverEvents(big + B.raw(8, stream: 0, B.u32(1)))
        XCTAssertEqual(events, [settingsFirst, "STREAM-ERROR FRAME_SIZE_ERROR frame-larger-than-max-frame-size s=1 DATA",
                                "WINDOW_UPDATE s=0 +1"])
    }

    func testDataOfExactlyMaxFrameSizeIsAccepted() {
        let events = serverEvents(B.raw(0, stream: 1, [UInt8](repeating: 7, count: 16_384)))
        XCTAssertEqual(events.count, 2)
        XCTAssertEqual(events.last?.hasPrefix("DATA s=1 es=false length=16384"), true)
    }

    func testOversizedHeadersIsAConnectionError() {
        assertLast(serverEvents(B.raw(1, flags: 4, stream: 1, [UInt8](repeating: 0x82, count: 16_385))),
                   "CONNECTION-ERROR FRAME_SIZE_ERROR frame-larger-than-max-frame-size")
    }

    func testOversizedSettingsIsAConnectionError() {
        assertLast(serverEvents(B.raw(4, [UInt8](repeating: 0, count: 16_386))),
                   "CONNECTION-ERROR FRAME_SIZE_ERROR frame-larger-than-max-frame-size")
    }

    func testOversizedFrameOnStreamZeroIsAConnectionError() {
        assertLast(serverEvents(B.raw(0xfa, stream: 0, [UInt8](repeating: 0, count: 16_385))),
                   "CONNECTION-ERROR FRAME_SIZE_ERROR frame-larger-than-max-frame-size")
    }

    func testOversizedUnknownFrameOnAStreamIsAStreamError() {
        XCTAssertEqual(serverEvents(B.raw(0xfa, stream: 3, [UInt8](repeating: 0, count: 16_385))),
                       [settingsFirst, "STREAM-ERROR FRAME_SIZE_ERROR frame-larger-than-max-frame-size s=3 UNKNOWN(0xfa)"])
    }

    func testOversizedRstStreamAndWindowUpdateAreConnectionErrors() {
        assertLast(serverEvents(B.raw(3, stream: 1, [UInt8](repeating: 0, count: 16_385))),
                   "CONNECTION-ERROR FRAME_SIZE_ERROR frame-larger-than-max-frame-size")
        assertLast(serverEvents(B.raw(8, stream: 1, [UInt8](repeating: 0, count: 16_385))),
                   "CONNECTION-ERROR FRAME_SIZE_ERROR frame-larger-than-max-frame-size")
    }

    func testTheAdvertisedMaxFrameSizeIsTheLimit() {
        let frame = B.raw(0, stream: 1, [UInt8](repeating: 1, count: 20_000))
        let larger = HTTP2FrameParserConfiguration(role: .server, maxFrameSize: 20_000)
        XCTAssertEqual(serverEvents(frame, larger).last?.hasPrefix("DATA s=1 es=false length=20000"), true)
        var parser = HTTP2FrameParser(role: .server)
        _ = FrameRecorder.record(B.clientStart, parser: &parser)
        XCTAssertEqual(FrameRecorder.record(frame, parser: &parser).first?.hasPrefix("STREAM-ERROR FRAME_SIZE_ERROR"), true)
        parser.setMaxFrameSize(20_000)
        XCTAssertEqual(FrameRecorder.record(frame, parser: &parser).first?.hasPrefix("DATA s=1"), true)
    }

    // MARK: stream identifiers per type (§6.1–§6.9)

    func testFramesThatNeedAStreamAreRejectedOnStreamZero() {
        let cases: [(UInt8, [UInt8], String)] = [
            (0, [1], "data-on-stream-0"), (1, [0x82], "headers-on-stream-0"),
            (2, [0, 0, 0, 3, 15], "priority-on-stream-0"), (3, [0, 0, 0, 8], "rst-stream-on-stream-0"),
        ]
        for (type, payload, reason) in cases {
            assertLast(serverEvents(B.raw(type, flags: type == 1 ? 4 : 0, stream: 0, payload)),
                       "CONNECTION-ERROR PROTOCOL_ERROR \(reason)")
        }
        let push = FrameRecorder.client(B.raw(5, flags: 4, stream: 0, B.u32(2) + [0x82]))
        assertLast(push, "CONNECTION-ERROR PROTOCOL_ERROR push-promise-on-stream-0")
    }

    func testConnectionFramesAreRejectedOnAStream() {
        assertLast(serverEvents(B.raw(4, stream: 1)), "CONNECTION-ERROR PROTOCOL_ERROR settings-on-a-stream")
        assertLast(serverEvents(B.raw(6, stream: 1, [UInt8](repeating: 0, count: 8))), "CONNECTION-ERROR PROTOCOL_ERROR ping-on-a-stream")
        assertLast(serverEvents(B.raw(7, stream: 1, [UInt8](repeating: 0, count: 8))), "CONNECTION-ERROR PROTOCOL_ERROR goaway-on-a-stream")
    }

    func testWindowUpdateIsAcceptedOnStreamZeroAndOnAStream() {
        XCTAssertEqual(serverEvents(B.raw(8, stream: 0, B.u32(10)) + B.raw(8, stream: 5, B.u32(20))),
                       [settingsFirst, "WINDOW_UPDATE s=0 +10", "WINDOW_UPDATE s=5 +20"])
    }

    func testTheReservedBitOfTheStreamIdentifierIsIgnored() {
        XCTAssertEqual(serverEvents(B.raw(0, stream: 0x8000_0001, [9])),
                       [settingsFirst, "DATA s=1 es=false length=1 data=[9]"])
        // With only the reserved bit set, the stream is 0.
        assertLast(serverEvents(B.raw(0, stream: 0x8000_0000, [9])), "CONNECTION-ERROR PROTOCOL_ERROR data-on-stream-0")
    }

    // MARK: §6.1 DATA padding

    func testDataPaddingIsRemovedAndEndStreamKept() {
        XCTAssertEqual(serverEvents(B.raw(0, flags: 0x9, stream: 1, [2, 0x61, 0x62, 0, 0])),
                       [settingsFirst, "DATA s=1 es=true length=5 data=[97, 98]"])
    }

    func testDataPaddingFillingAllButThePadLengthIsAccepted() {
        XCTAssertEqual(serverEvents(B.raw(0, flags: 0x8, stream: 1, [3, 0, 0, 0])),
                       [settingsFirst, "DATA s=1 es=false length=4 data=[]"])
    }

    func testDataPaddingAsLongAsThePayloadIsProtocolError() {
        assertLast(serverEvents(B.raw(0, flags: 0x8, stream: 1, [4, 0, 0, 0])),
                   "CONNECTION-ERROR PROTOCOL_ERROR data-padding-too-long")
        assertLast(serverEvents(B.raw(0, flags: 0x8, stream: 1, [1])),
                   "CONNECTION-ERROR PROTOCOL_ERROR data-padding-too-long")
    }

    func testPaddedDataWithoutPadLengthIsFrameSizeError() {
        assertLast(serverEvents(B.raw(0, flags: 0x8, stream: 1)), "CONNECTION-ERROR FRAME_SIZE_ERROR data-too-short-for-pad-length")
    }

    // MARK: §6.2 HEADERS

    func testHeadersPaddingAndPriorityAreRemovedFromTheBlock() {
        let payload: [UInt8] = [2] + B.u32(0x8000_0003) + [200] + [0x82, 0x86] + [0, 0]
        XCTAssertEqual(serverEvents(B.raw(1, flags: 0x2d, stream: 1, payload)),
                       [settingsFirst, "HEADERS s=1 es=true priority=3/true/200 continuations=0 block=[130, 134]"])
    }

    func testHeadersPaddingTooLongIsProtocolError() {
        // Pad length 2 leaves no room after the 5 priority octets in a 7-octet payload... plus one.
        let payload: [UInt8] = [3] + B.u32(3) + [15] + [0x82]
        assertLast(serverEvents(B.raw(1, flags: 0x2c, stream: 1, payload)), "CONNECTION-ERROR PROTOCOL_ERROR headers-padding-too-long")
        assertLast(serverEvents(B.raw(1, flags: 0x0c, stream: 1, [1])), "CONNECTION-ERROR PROTOCOL_ERROR headers-padding-too-long")
    }

    func testHeadersPaddingLeavingAnEmptyFragmentIsAccepted() {
        XCTAssertEqual(serverEvents(B.raw(1, flags: 0x0c, stream: 1, [2, 0, 0])),
                       [settingsFirst, "HEADERS s=1 es=false continuations=0 block=[]"])
    }

    func testHeadersTooShortForPriorityIsFrameSizeError() {
        assertLast(serverEvents(B.raw(1, flags: 0x24, stream: 1, [0, 0, 0, 3])),
                   "CONNECTION-ERROR FRAME_SIZE_ERROR headers-too-short-for-fixed-fields")
    }

    func testHeadersDependingOnItsOwnStreamCarriesAStreamError() {
        XCTAssertEqual(serverEvents(B.raw(1, flags: 0x24, stream: 3, B.u32(3) + [15, 0x82])),
                       [settingsFirst, "HEADERS s=3 es=false priority=3/false/15 continuations=0 block=[130] stream-error=PROTOCOL_ERROR stream-depends-on-itself"])
    }

    // MARK: §6.3 PRIORITY

    func testPriorityIsDelivered() {
        XCTAssertEqual(serverEvents(B.raw(2, stream: 5, B.u32(0x8000_0001) + [7])),
                       [settingsFirst, "PRIORITY s=5 dependency=1 exclusive=true weight=7"])
    }

    func testPriorityOfWrongLengthIsAStreamFrameSizeError() {
        XCTAssertEqual(serverEvents(B.raw(2, stream: 5, [0, 0, 0, 1]) + B.raw(2, stream: 7, [0, 0, 0, 1, 2, 3])
                                    + B.raw(8, stream: 0, B.u32(1))),
                       [settingsFirst, "STREAM-ERROR FRAME_SIZE_ERROR priority-length-not-5 s=5 PRIORITY",
                        "STREAM-ERROR FRAME_SIZE_ERROR priority-length-not-5 s=7 PRIORITY", "WINDOW_UPDATE s=0 +1"])
    }

    func testPriorityOnItsOwnStreamIsAStreamProtocolError() {
        XCTAssertEqual(serverEvents(B.raw(2, stream: 5, B.u32(5) + [7]) + B.raw(8, stream: 0, B.u32(1))),
                       [settingsFirst, "STREAM-ERROR PROTOCOL_ERROR stream-depends-on-itself s=5 PRIORITY", "WINDOW_UPDATE s=0 +1"])
    }

    // MARK: §6.4 RST_STREAM

    func testRstStreamIsDelivered() {
        XCTAssertEqual(serverEvents(B.raw(3, stream: 1, B.u32(8))), [settingsFirst, "RST_STREAM s=1 CANCEL"])
    }

    func testRstStreamOfWrongLengthIsAConnectionFrameSizeError() {
        assertLast(serverEvents(B.raw(3, stream: 1, [0, 0, 8])), "CONNECTION-ERROR FRAME_SIZE_ERROR rst-stream-length-not-4")
        assertLast(serverEvents(B.raw(3, stream: 1, [0, 0, 0, 8, 0])), "CONNECTION-ERROR FRAME_SIZE_ERROR rst-stream-length-not-4")
    }

    // MARK: §6.5 SETTINGS

    func testSettingsAreDeliveredInOrderWithUnknownOnesKept() {
        let payload = B.setting(4, 100) + B.setting(0xff, 7) + B.setting(4, 200)
        XCTAssertEqual(serverEvents(B.raw(4, payload) + B.raw(4, flags: 1)),
                       [settingsFirst, "SETTINGS [4=100,255=7,4=200]", "SETTINGS ACK"])
    }

    func testSettingsLengthNotAMultipleOfSixIsFrameSizeError() {
        assertLast(serverEvents(B.raw(4, [0, 4, 0, 0, 0])), "CONNECTION-ERROR FRAME_SIZE_ERROR settings-length-not-multiple-of-6")
    }

    func testSettingsAckWithPayloadIsFrameSizeError() {
        assertLast(serverEvents(B.raw(4, flags: 1, B.setting(4, 1))), "CONNECTION-ERROR FRAME_SIZE_ERROR settings-ack-with-payload")
    }

    func testEnablePushOtherThanZeroOrOneIsProtocolError() {
        assertLast(serverEvents(B.raw(4, B.setting(2, 2))), "CONNECTION-ERROR PROTOCOL_ERROR settings-enable-push-not-boolean")
        XCTAssertEqual(serverEvents(B.raw(4, B.setting(2, 1) + B.setting(2, 0))).last, "SETTINGS [2=1,2=0]")
    }

    func testClientReceivingEnablePushOneIsProtocolError() {
        assertLast(FrameRecorder.client(B.raw(4, B.setting(2, 1))), "CONNECTION-ERROR PROTOCOL_ERROR settings-enable-push-from-server")
        XCTAssertEqual(FrameRecorder.client(B.raw(4, B.setting(2, 0))).last, "SETTINGS [2=0]")
    }

    func testInitialWindowSizeAboveTheMaximumIsFlowControlError() {
        XCTAssertEqual(serverEvents(B.raw(4, B.setting(4, 0x7fff_ffff))).last, "SETTINGS [4=2147483647]")
        assertLast(serverEvents(B.raw(4, B.setting(4, 0x8000_0000))),
                   "CONNECTION-ERROR FLOW_CONTROL_ERROR settings-initial-window-size-too-large")
    }

    func testMaxFrameSizeOutsideItsRangeIsProtocolError() {
        XCTAssertEqual(serverEvents(B.raw(4, B.setting(5, 16_384) + B.setting(5, 16_777_215))).last,
                       "SETTINGS [5=16384,5=16777215]")
        assertLast(serverEvents(B.raw(4, B.setting(5, 16_383))), "CONNECTION-ERROR PROTOCOL_ERROR settings-max-frame-size-out-of-range")
        assertLast(serverEvents(B.raw(4, B.setting(5, 16_777_216))), "CONNECTION-ERROR PROTOCOL_ERROR settings-max-frame-size-out-of-range")
    }

    func testExtensionBooleanSettingsAreChecked() {
        assertLast(serverEvents(B.raw(4, B.setting(8, 2))), "CONNECTION-ERROR PROTOCOL_ERROR settings-enable-connect-protocol-not-boolean")
        assertLast(serverEvents(B.raw(4, B.setting(9, 2))), "CONNECTION-ERROR PROTOCOL_ERROR settings-no-rfc7540-priorities-not-boolean")
    }

    func testTheFirstSettingsFrameIsValidatedToo() {
        let events = FrameRecorder.record(HTTP2ConnectionPreface.bytes + B.raw(4, B.setting(2, 3)), configuration: .init(role: .server))
        XCTAssertEqual(events, ["CONNECTION-ERROR PROTOCOL_ERROR settings-enable-push-not-boolean"])
    }

    // MARK: §6.6, §8.4 PUSH_PROMISE

    func testServerReceivingPushPromiseIsProtocolError() {
        assertLast(serverEvents(B.raw(5, flags: 4, stream: 1, B.u32(2) + [0x82])),
                   "CONNECTION-ERROR PROTOCOL_ERROR push-promise-from-client")
    }

    func testClientReceivesPushPromiseWithPaddingRemoved() {
        XCTAssertEqual(FrameRecorder.client(B.raw(5, flags: 0xc, stream: 1, [1] + B.u32(0x8000_0002) + [0x82, 0])),
                       [settingsFirst, "PUSH_PROMISE s=1 es=false promised=2 continuations=0 block=[130]"])
    }

    func testClientThatDisabledPushRejectsPushPromise() {
        let events = FrameRecorder.client(B.raw(5, flags: 4, stream: 1, B.u32(2)), .init(role: .client, acceptsPushPromise: false))
        assertLast(events, "CONNECTION-ERROR PROTOCOL_ERROR push-promise-when-disabled")
    }

    func testPushPromiseTooShortOrOverPaddedIsRejected() {
        assertLast(FrameRecorder.client(B.raw(5, flags: 4, stream: 1, [0, 0, 2])),
                   "CONNECTION-ERROR FRAME_SIZE_ERROR push-promise-too-short-for-fixed-fields")
        assertLast(FrameRecorder.client(B.raw(5, flags: 0xc, stream: 1, [2] + B.u32(2) + [0])),
                   "CONNECTION-ERROR PROTOCOL_ERROR push-promise-padding-too-long")
    }

    // MARK: §6.7 PING, §6.8 GOAWAY

    func testPingAckIsDelivered() {
        XCTAssertEqual(serverEvents(B.raw(6, flags: 1, [0, 0, 0, 0, 0, 0, 0, 0xff])), [settingsFirst, "PING ff ack=true"])
    }

    func testPingOfWrongLengthIsFrameSizeError() {
        assertLast(serverEvents(B.raw(6, [UInt8](repeating: 0, count: 7))), "CONNECTION-ERROR FRAME_SIZE_ERROR ping-length-not-8")
        assertLast(serverEvents(B.raw(6, [UInt8](repeating: 0, count: 9))), "CONNECTION-ERROR FRAME_SIZE_ERROR ping-length-not-8")
    }

    func testGoAwayWithDebugDataIsDelivered() {
        XCTAssertEqual(serverEvents(B.raw(7, B.u32(0x8000_0007) + B.u32(2) + [0x68, 0x69])),
                       [settingsFirst, "GOAWAY last=7 INTERNAL_ERROR debug=[104, 105]"])
    }

    func testGoAwayShorterThanEightIsFrameSizeError() {
        assertLast(serverEvents(B.raw(7, [0, 0, 0, 0, 0, 0, 0])), "CONNECTION-ERROR FRAME_SIZE_ERROR goaway-too-short")
    }

    // MARK: §6.9 WINDOW_UPDATE

    func testWindowUpdateOfWrongLengthIsAConnectionFrameSizeError() {
        assertLast(serverEvents(B.raw(8, stream: 1, [0, 0, 1])), "CONNECTION-ERROR FRAME_SIZE_ERROR window-update-length-not-4")
        assertLast(serverEvents(B.raw(8, stream: 0, [0, 0, 0, 1, 0])), "CONNECTION-ERROR FRAME_SIZE_ERROR window-update-length-not-4")
    }

    func testZeroIncrementOnAStreamIsAStreamError() {
        XCTAssertEqual(serverEvents(B.raw(8, stream: 3, B.u32(0)) + B.raw(8, stream: 3, B.u32(1))),
                       [settingsFirst, "STREAM-ERROR PROTOCOL_ERROR window-update-zero-increment s=3 WINDOW_UPDATE",
                        "WINDOW_UPDATE s=3 +1"])
    }

    func testZeroIncrementOnTheConnectionIsAConnectionError() {
        assertLast(serverEvents(B.raw(8, stream: 0, B.u32(0))), "CONNECTION-ERROR PROTOCOL_ERROR window-update-zero-increment")
    }

    func testTheReservedBitOfTheIncrementIsIgnored() {
        XCTAssertEqual(serverEvents(B.raw(8, stream: 0, B.u32(0x8000_0005))).last, "WINDOW_UPDATE s=0 +5")
        assertLast(serverEvents(B.raw(8, stream: 0, B.u32(0x8000_0000))), "CONNECTION-ERROR PROTOCOL_ERROR window-update-zero-increment")
    }

    // MARK: §4.1, §5.5 extensions

    func testUnknownFrameTypesAreHandedOutAndParsingContinues() {
        XCTAssertEqual(serverEvents(B.raw(0xfa, flags: 0xff, stream: 9, [1, 2]) + B.raw(0x0b, stream: 0)
                                    + B.raw(8, stream: 0, B.u32(1))),
                       [settingsFirst, "UNKNOWN type=250 s=9 payload=[1, 2]", "UNKNOWN type=11 s=0 payload=[]",
                        "WINDOW_UPDATE s=0 +1"])
    }

    func testFlagsATypeDoesNotDefineAreIgnored() {
        // DATA with PRIORITY and END_HEADERS bits; PING with PADDED (not a PING flag: no pad length).
        XCTAssertEqual(serverEvents(B.raw(0, flags: 0xf4, stream: 1, [5]) + B.raw(6, flags: 0xfe, [1, 0, 0, 0, 0, 0, 0, 0])
                                    + B.raw(3, flags: 0xff, stream: 1, B.u32(0))),
                       [settingsFirst, "DATA s=1 es=false length=1 data=[5]", "PING 100000000000000 ack=false",
                        "RST_STREAM s=1 NO_ERROR"])
    }

    // MARK: the parser itself

    func testAfterAConnectionErrorNothingElseIsRead() {
        var parser = HTTP2FrameParser(role: .server)
        let events = FrameRecorder.record(B.clientStart + B.raw(8, stream: 0, B.u32(0)) + B.raw(8, stream: 0, B.u32(1)), parser: &parser)
        XCTAssertEqual(events.last, "CONNECTION-ERROR PROTOCOL_ERROR window-update-zero-increment")
        XCTAssertEqual(FrameRecorder.record(B.raw(8, stream: 0, B.u32(1)), parser: &parser),
                       ["CONNECTION-ERROR PROTOCOL_ERROR window-update-zero-increment"])
        XCTAssertEqual(parser.violation?.rfcSection, "RFC 9113 §6.9")
    }

    func testStreamOffsetPointsAfterTheOffendingFrame() {
        var parser = HTTP2FrameParser(role: .server)
        let good = B.raw(8, stream: 0, B.u32(1))
        _ = FrameRecorder.record(B.clientStart + good + B.raw(8, stream: 0, B.u32(0)) + good, parser: &parser)
        XCTAssertEqual(parser.streamOffset, B.clientStart.count + 2 * good.count)
    }

    func testIsBetweenFramesOnlyAtFrameBoundaries() {
        var parser = HTTP2FrameParser(role: .server)
        XCTAssertFalse(parser.isBetweenFrames, "the preface is still to come")
        _ = FrameRecorder.record(B.clientStart, parser: &parser)
        XCTAssertTrue(parser.isBetweenFrames)
        let ping = B.raw(6, [UInt8](repeating: 0, count: 8))
        _ = FrameRecorder.record(Array(ping[0..<4]), parser: &parser)
        XCTAssertFalse(parser.isBetweenFrames)
        _ = FrameRecorder.record(Array(ping[4...]), parser: &parser)
        XCTAssertTrue(parser.isBetweenFrames)
        _ = FrameRecorder.record(B.raw(1, stream: 1, [0x82]), parser: &parser)
        XCTAssertFalse(parser.isBetweenFrames, "a field block is open")
        XCTAssertTrue(parser.isInsideHeaderBlock)
        _ = FrameRecorder.record(B.raw(9, flags: 4, stream: 1, [0x84]), parser: &parser)
        XCTAssertFalse(parser.isInsideHeaderBlock)
        XCTAssertTrue(parser.isBetweenFrames)
    }

    func testEmptyChunksAndEmptyFramesAreFine() {
        var parser = HTTP2FrameParser(role: .server)
        var offset = 0
        guard case .needMore = parser.next(UnsafeRawBufferPointer(start: nil, count: 0), at: &offset) else {
            return XCTFail("an empty chunk needs more")
        }
        XCTAssertEqual(FrameRecorder.record(B.clientStart + B.raw(0, stream: 1) + B.raw(0, flags: 1, stream: 1), parser: &parser),
                       [settingsFirst, "DATA s=1 es=false length=0 data=[]", "DATA s=1 es=true length=0 data=[]"])
    }
}
