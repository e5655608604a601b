import CMallocCounter
import HTTPWire
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

    /// Frames and HPACK together, as a server reads a client: the frame parser hands each field block
    /// (one of them split over CONTINUATION frames) to a decoder whose dynamic table is warm and churns
    /// (every request inserts its :path, evicting older entries), and nothing touches the heap. Each
    /// round starts with size updates to 0 and back, so it decodes against the same table states.
    func testH2ConnectionWithWarmTableAllocatesNothing() throws {
        var encoder = HPACKEncoder(policy: .indexEverything, huffman: .whenShorter)
        var frames: [UInt8] = []
        let requests = 20
        var fieldsPerRound = 0
        for number in 0..<requests {
            let request: [HeaderField] = [
                HeaderField(":method", "GET"), HeaderField(":scheme", "https"), HeaderField(":authority", "www.example.com"),
                HeaderField(":path", "/cats/\(number)/" + String(repeating: "p", count: 200)),
                HeaderField("user-agent", "Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0"),
                HeaderField("accept", "text/html,application/xhtml+xml"), HeaderField("accept-encoding", "gzip, deflate, br"),
                HeaderField("cookie", "session=6f1c2e9a4b7d4c0e"), HeaderField("cookie", "theme=dark"),
            ]
            fieldsPerRound += request.count
            // 001 00000: size 0; 001 11111 + 4065 (RFC 7541 §5.1): 4096. The table starts each round empty.
            var block: [UInt8] = number == 0 ? [0x20, 0x3f, 0xe1, 0x1f] : []
            encoder.encode(request, into: &block)
            let stream = UInt32(2 * number + 1)
            if number == 5 {
                // HEADERS with END_STREAM and without END_HEADERS, then the rest in a CONTINUATION (§6.10).
                let cut = block.count / 2
                HTTP2FrameEncoder.appendRawFrame(length: UInt32(cut), type: HTTP2FrameType.headers.rawValue,
                                                 flags: HTTP2FrameFlags.endStream.rawValue, streamWord: stream,
                                                 payload: Array(block[..<cut]), into: &frames)
                HTTP2FrameEncoder.appendContinuation(streamID: stream, fragment: block[cut...], endHeaders: true, into: &frames)
            } else {
                HTTP2FrameEncoder.appendHeaders(streamID: stream, fieldBlock: block, endStream: true, into: &frames)
            }
        }
        XCTAssertLessThan(encoder.table.count, requests * 2, "the table evicted entries")

        var parser = HTTP2FrameParser(role: .server)
        var decoder = HPACKDecoder()
        var list = DecodedFieldList()
        func round() -> Int {
            var decoded = 0
            frames.withUnsafeBytes { all in
                var offset = 0
                while true {
                    switch parser.next(all, at: &offset) {
                    case .headerBlock(let block):
                        if (try? decoder.decode(block.fieldBlock, into: &list)) == .complete { decoded += list.count }
                    case .needMore, .connectionError: return
                    default: break
                    }
                }
            }
            return decoded
        }
        var clientStart = HTTP2ConnectionPreface.bytes
        HTTP2FrameEncoder.appendSettings([], into: &clientStart)
        clientStart.withUnsafeBytes { _ = parser.feed($0) { _ in } }
        XCTAssertEqual(round(), fieldsPerRound)
        XCTAssertEqual(round(), fieldsPerRound)
        malloc_counter_start()
        var fields = 0
        for _ in 0..<200 { fields += round() }
        let allocations = malloc_counter_stop()
        XCTAssertNil(parser.violation)
        XCTAssertEqual(fields, 200 * fieldsPerRound)
        XCTAssertEqual(allocations, 0, "heap allocations while reading \(200 * requests) requests")
    }
}
