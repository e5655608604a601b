import XCTest
@testable import HTTP2Wire

/// Flow-control windows of RFC 9113 §6.9, without sockets.
final class FlowControlWindowTests: XCTestCase {
    func testTheInitialWindowIs65535() {
        XCTAssertEqual(HTTP2FlowControlWindow(scope: .connection).size, 65_535)
    }

    func testReceivedDataConsumesTheWindowPaddingIncluded() {
        var window = HTTP2FlowControlWindow(scope: .stream(1), size: 100)
        // A padded DATA frame of 10 data octets, Pad Length and 5 octets of padding: length 16.
        var frame: [UInt8] = []
        HTTP2FrameEncoder.appendData(streamID: 1, data: [UInt8](repeating: 1, count: 10), padLength: 5, into: &frame)
        let length = Int(frame[0]) << 16 | Int(frame[1]) << 8 | Int(frame[2])
        XCTAssertNil(window.consumeReceived(flowControlledLength: length))
        XCTAssertEqual(window.size, 84)
    }

    func testReceivingMoreThanTheWindowIsAFlowControlErrorInTheWindowsScope() {
        var stream = HTTP2FlowControlWindow(scope: .stream(3), size: 10)
        XCTAssertNil(stream.consumeReceived(flowControlledLength: 10))
        XCTAssertEqual(stream.consumeReceived(flowControlledLength: 1),
                       .stream(3, "data-exceeds-flow-control-window", .flowControlError, "RFC 9113 §6.9.1"))
        XCTAssertEqual(stream.size, 0, "unchanged after the error")
        var connection = HTTP2FlowControlWindow(scope: .connection, size: 5)
        XCTAssertEqual(connection.consumeReceived(flowControlledLength: 6)?.scope, .connection)
    }

    func testGrantingReopensTheReceiveWindow() {
        var window = HTTP2FlowControlWindow(scope: .connection, size: 0)
        window.grantToPeer(1_000)
        XCTAssertNil(window.consumeReceived(flowControlledLength: 1_000))
    }

    func testSpendingAndWindowUpdatesOnTheSendSide() {
        var window = HTTP2FlowControlWindow(scope: .stream(1), size: 100)
        window.spend(60)
        XCTAssertEqual(window.available, 40)
        XCTAssertNil(window.applyWindowUpdate(increment: 10))
        XCTAssertEqual(window.available, 50)
    }

    func testWindowUpdateUpToTheMaximumIsAccepted() {
        var window = HTTP2FlowControlWindow(scope: .connection, size: 65_535)
        XCTAssertNil(window.applyWindowUpdate(increment: 0x7fff_ffff - 65_535))
        XCTAssertEqual(window.size, 0x7fff_ffff)
    }

    func testWindowUpdateBeyondTheMaximumIsAFlowControlError() {
        var stream = HTTP2FlowControlWindow(scope: .stream(5), size: 0x7fff_ffff)
        XCTAssertEqual(stream.applyWindowUpdate(increment: 1),
                       .stream(5, "window-update-overflows-window", .flowControlError, "RFC 9113 §6.9.1"))
        XCTAssertEqual(stream.size, 0x7fff_ffff, "unchanged after the error")
        var connection = HTTP2FlowControlWindow(scope: .connection, size: 65_535)
        XCTAssertEqual(connection.applyWindowUpdate(increment: 0x7fff_ffff),
                       .connection("window-update-overflows-window", .flowControlError, "RFC 9113 §6.9.1"))
    }

    func testZeroIncrementIsAProtocolErrorInTheWindowsScope() {
        var stream = HTTP2FlowControlWindow(scope: .stream(5))
        XCTAssertEqual(stream.applyWindowUpdate(increment: 0), .stream(5, "window-update-zero-increment", .protocolError, "RFC 9113 §6.9"))
        var connection = HTTP2FlowControlWindow(scope: .connection)
        XCTAssertEqual(connection.applyWindowUpdate(increment: 0)?.scope, .connection)
    }

    func testAnInitialWindowSizeDecreaseCanMakeASendWindowNegative() {
        var window = HTTP2FlowControlWindow(scope: .stream(1), size: 65_535)
        window.spend(60_000)
        XCTAssertNil(window.applyInitialWindowSizeDelta(HTTP2FlowControlWindow.initialWindowSizeDelta(from: 65_535, to: 1_000)))
        XCTAssertEqual(window.size, 5_535 - 64_535)
        XCTAssertEqual(window.available, 0, "nothing may be sent while negative")
        XCTAssertNil(window.applyWindowUpdate(increment: 60_000))
        XCTAssertEqual(window.size, 1_000)
    }

    func testAnInitialWindowSizeIncreaseBeyondTheMaximumIsAConnectionError() {
        var window = HTTP2FlowControlWindow(scope: .stream(3), size: 0x7fff_0000)
        let delta = HTTP2FlowControlWindow.initialWindowSizeDelta(from: 65_535, to: 0x7fff_ffff)
        XCTAssertEqual(window.applyInitialWindowSizeDelta(delta),
                       .connection("initial-window-size-change-overflows-window", .flowControlError, "RFC 9113 §6.9.2"))
        XCTAssertEqual(window.size, 0x7fff_0000)
    }

    func testAnInitialWindowSizeChangeMovesEveryStreamWindowByTheDelta() {
        var windows = [HTTP2FlowControlWindow(scope: .stream(1), size: 65_535), HTTP2FlowControlWindow(scope: .stream(3), size: 100),
                       HTTP2FlowControlWindow(scope: .stream(5), size: -20)]
        XCTAssertNil(HTTP2FlowControlWindow.applyInitialWindowSizeChange(from: 65_535, to: 65_635, to: &windows))
        XCTAssertEqual(windows.map(\.size), [65_635, 200, 80])
        XCTAssertNil(HTTP2FlowControlWindow.applyInitialWindowSizeChange(from: 65_635, to: 65_635, to: &windows))
        XCTAssertEqual(windows.map(\.size), [65_635, 200, 80])
        XCTAssertEqual(HTTP2FlowControlWindow.applyInitialWindowSizeChange(from: 0, to: 0x7fff_ffff, to: &windows)?.code, .flowControlError)
    }

    func testSettingsReportTheInitialWindowDelta() {
        var settings = HTTP2Settings()
        let payload = FrameBytes.setting(4, 1_000) + FrameBytes.setting(4, 70_000) + FrameBytes.setting(0xff, 1)
        let delta = payload.withUnsafeBytes { settings.apply(HTTP2SettingsPayload(bytes: $0)) }
        XCTAssertEqual(delta, 70_000 - 65_535, "the last value of a parameter wins (§6.5.3)")
        XCTAssertEqual(settings.initialWindowSize, 70_000)
    }
}
