import XCTest
@testable import HTTP2Wire

final class FrameThroughputTests: XCTestCase {
    /// Prints frames per second over a mix of small frames, the figure to compare with libnghttp2's
    /// `nghttp2_session_mem_recv` later. Only optimized code says anything: `swift test -c release`.
    func testFrameParsingThroughput() throws {
        #if DEBUG
        throw XCTSkip("throughput is measured in release builds")
        #endif
        var frames: [UInt8] = []
        for i in 0..<2_500 {
            let stream = UInt32(2 * i + 1)
            HTTP2FrameEncoder.appendHeaders(streamID: stream, fieldBlock: [UInt8](repeating: 0x82, count: 24), into: &frames)
            HTTP2FrameEncoder.appendData(streamID: stream, data: [UInt8](repeating: 1, count: 64), endStream: true, into: &frames)
            HTTP2FrameEncoder.appendWindowUpdate(streamID: 0, increment: 64, into: &frames)
            HTTP2FrameEncoder.appendRSTStream(streamID: stream, errorCode: .cancel, into: &frames)
        }
        var parser = HTTP2FrameParser(role: .server)
        FrameBytes.clientStart.withUnsafeBytes { _ = parser.feed($0) { _ in } }
        let rounds = 200
        var count = 0
        let elapsed = ContinuousClock().measure {
            frames.withUnsafeBytes { all in
                for _ in 0..<rounds {
                    // 16 KiB reads, as a socket would deliver them, so frames straddle chunks.
                    var start = 0
                    while start < all.count {
                        let end = min(start + 16_384, all.count)
                        parser.feed(UnsafeRawBufferPointer(rebasing: all[start..<end])) { event in
                            if case .needMore = event {} else { count += 1 }
                        }
                        start = end
                    }
                }
            }
        }
        XCTAssertNil(parser.violation)
        XCTAssertEqual(count, rounds * 10_000)
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        print("HTTP/2 frame parsing: \(Int(Double(count) / seconds)) frames/s, \(Int(Double(rounds * frames.count) / seconds / 1e6)) MB/s")
    }
}
