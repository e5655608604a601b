import CMallocCounter
import XCTest
@testable import HTTP2Wire

final class FrameAllocationTests: XCTestCase {
    /// The hot path must not touch the heap: a warmed parser over a typical mix of frames, fed whole
    /// and split so that both the in-place and the gathered paths run, field blocks with CONTINUATION
    /// included. Unoptimized code boxes generics and closures, so the count means something only in
    /// release builds, which is how this package is built by `make test`.
    func testH2FrameParsingAllocatesNothing() throws {
        var frames: [UInt8] = []
        HTTP2FrameEncoder.appendHeaders(streamID: 1, fieldBlock: [UInt8](repeating: 0x82, count: 100), endStream: true, into: &frames)
        HTTP2FrameEncoder.appendHeaders(streamID: 3, fieldBlock: [UInt8](repeating: 0x82, count: 20_000), into: &frames)
        HTTP2FrameEncoder.appendData(streamID: 3, data: [UInt8](repeating: 1, count: 1000), padLength: 8, into: &frames)
        HTTP2FrameEncoder.appendWindowUpdate(streamID: 0, increment: 1000, into: &frames)
        HTTP2FrameEncoder.appendPing(opaqueData: 7, into: &frames)
        HTTP2FrameEncoder.appendSettings([HTTP2Setting(.initialWindowSize, 100_000)], into: &frames)
        HTTP2FrameEncoder.appendPriority(streamID: 5, priority: HTTP2Priority(dependency: 0), into: &frames)
        HTTP2FrameEncoder.appendRSTStream(streamID: 3, errorCode: .cancel, into: &frames)
        let perRound = 8
        let split = frames.count / 2 + 3

        var parser = HTTP2FrameParser(role: .server)
        func parse(_ bytes: [UInt8], _ parser: inout HTTP2FrameParser) -> Int {
            var events = 0
            bytes.withUnsafeBytes { all in
                func count(_ event: HTTP2FrameEvent) {
                    switch event {
                    case .frame, .headerBlock: events += 1
                    default: break
                    }
                }
                parser.feed(all, count)
                parser.feed(UnsafeRawBufferPointer(rebasing: all[0..<split]), count)
                parser.feed(UnsafeRawBufferPointer(rebasing: all[split...]), count)
            }
            return events
        }
        var clientStart = HTTP2ConnectionPreface.bytes
        HTTP2FrameEncoder.appendSettings([], into: &clientStart)
        clientStart.withUnsafeBytes { _ = parser.feed($0) { _ in } }
        XCTAssertEqual(parse(frames, &parser), 2 * perRound)
        malloc_counter_start()
        var events = 0
        for _ in 0..<1000 { events += parse(frames, &parser) }
        let allocations = malloc_counter_stop()
        XCTAssertNil(parser.violation)
        XCTAssertEqual(events, 2000 * perRound)
        XCTAssertEqual(allocations, 0, "heap allocations while parsing \(events) frames")
    }
}
