import SeededGenerator
import XCTest
@testable import HTTP2Wire

/// The frame parser's central property: however the bytes are chunked, the events are the same.
final class FrameSplitInvarianceTests: XCTestCase {
    typealias B = FrameBytes

    struct Vector {
        let name: String
        let bytes: [UInt8]
        let configuration: HTTP2FrameParserConfiguration
    }

    static var vectors: [Vector] {
        var requests = B.clientStart
        HTTP2FrameEncoder.appendWindowUpdate(streamID: 0, increment: 1 << 20, into: &requests)
        HTTP2FrameEncoder.appendHeaders(streamID: 1, fieldBlock: [0x82, 0x86, 0x84, 0x41, 0x01, 0x61], endStream: true,
                                        into: &requests)
        HTTP2FrameEncoder.appendHeaders(streamID: 3, fieldBlock: (0..<17_000).map { UInt8($0 & 0x7f) },
                                        priority: HTTP2Priority(dependency: 1, weight: 9), padLength: 3, into: &requests)
        HTTP2FrameEncoder.appendData(streamID: 3, data: Array("hello".utf8), padLength: 4, into: &requests)
        HTTP2FrameEncoder.appendData(streamID: 3, data: [UInt8](repeating: 0x5a, count: 3000), endStream: true, into: &requests)
        HTTP2FrameEncoder.appendPing(opaqueData: 0x0102_0304_0506_0708, into: &requests)
        HTTP2FrameEncoder.appendPriority(streamID: 5, priority: HTTP2Priority(exclusive: true, dependency: 3), into: &requests)
        requests += B.raw(0xfa, flags: 0x3, stream: 7, [1, 2, 3])
        HTTP2FrameEncoder.appendRSTStream(streamID: 3, errorCode: .cancel, into: &requests)
        HTTP2FrameEncoder.appendSettings([HTTP2Setting(.initialWindowSize, 1 << 20), HTTP2Setting(.maxFrameSize, 1 << 15)],
                                         into: &requests)
        HTTP2FrameEncoder.appendSettingsAck(into: &requests)
        HTTP2FrameEncoder.appendGoAway(lastStreamID: 3, errorCode: .noError, debugData: Array("bye".utf8), into: &requests)

        var streamErrors = B.clientStart
        streamErrors += B.raw(0, stream: 1, [UInt8](repeating: 1, count: 20_000))
        streamErrors += B.raw(2, stream: 5, [0, 0, 0, 1])
        streamErrors += B.raw(8, stream: 3, B.u32(0))
        streamErrors += B.raw(2, stream: 9, B.u32(9) + [1])
        HTTP2FrameEncoder.appendData(streamID: 1, data: [1, 2, 3], into: &streamErrors)

        var floodInBlock = B.clientStart
        HTTP2FrameEncoder.appendData(streamID: 1, data: [1, 2, 3], into: &floodInBlock)
        floodInBlock += B.raw(1, stream: 1, [1, 2])
        for _ in 0..<20 { floodInBlock += B.raw(9, stream: 1) }

        var interrupted = B.clientStart
        interrupted += B.raw(1, stream: 1, [1, 2]) + B.raw(9, stream: 1, [3]) + B.raw(0, stream: 1, [4])

        var push = B.settings([HTTP2Setting(.maxConcurrentStreams, 100)])
        HTTP2FrameEncoder.appendPushPromise(streamID: 1, promisedStreamID: 2, fieldBlock: [UInt8](repeating: 0x82, count: 16_500),
                                            padLength: 10, into: &push)
        HTTP2FrameEncoder.appendHeaders(streamID: 2, fieldBlock: [0x88], into: &push)
        HTTP2FrameEncoder.appendData(streamID: 2, data: [9, 9], endStream: true, into: &push)

        var badPreface = HTTP2ConnectionPreface.bytes
        badPreface[10] = 0x20
        badPreface += B.settings()

        var small = B.clientStart
        small += B.raw(1, flags: 0x2d, stream: 1, [1] + B.u32(0) + [3, 0x82, 0x84, 0])
        small += B.raw(0, flags: 0x9, stream: 1, [1, 7, 0])
        small += B.raw(1, stream: 3, [1, 2]) + B.raw(9, stream: 3, [3]) + B.raw(9, flags: 4, stream: 3, [4, 5])

        return [
            Vector(name: "requests", bytes: requests, configuration: .init(role: .server)),
            Vector(name: "stream errors", bytes: streamErrors, configuration: .init(role: .server)),
            Vector(name: "flood in block", bytes: floodInBlock, configuration: .init(role: .server)),
            Vector(name: "interrupted block", bytes: interrupted, configuration: .init(role: .server)),
            Vector(name: "push to client", bytes: push, configuration: .init(role: .client)),
            Vector(name: "bad preface", bytes: badPreface, configuration: .init(role: .server)),
            Vector(name: "small blocks", bytes: small, configuration: .init(role: .server)),
        ]
    }

    func testTheVectorsSayWhatTheyShould() {
        let expectedLast = [
            "GOAWAY last=3 NO_ERROR debug=[98, 121, 101]",
            "DATA s=1 es=false length=3 data=[1, 2, 3]",
            "CONNECTION-ERROR ENHANCE_YOUR_CALM too-many-continuation-frames",
            "CONNECTION-ERROR PROTOCOL_ERROR frame-interrupts-header-block",
            "DATA s=2 es=true length=2 data=[9, 9]",
            "CONNECTION-ERROR PROTOCOL_ERROR bad-connection-preface",
            "HEADERS s=3 es=false continuations=2 block=[1, 2, 3, 4, 5]",
        ]
        let counts = [13, 6, 3, 2, 4, 1, 4]
        for (index, vector) in Self.vectors.enumerated() {
            let events = FrameRecorder.record(vector.bytes, configuration: vector.configuration)
            XCTAssertEqual(events.last, expectedLast[index], vector.name)
            XCTAssertEqual(events.count, counts[index], "\(vector.name): \(events.map { String($0.prefix(60)) })")
        }
    }

    func testEveryTwoWaySplit() {
        for vector in Self.vectors {
            let whole = FrameRecorder.record(vector.bytes, configuration: vector.configuration)
            let count = vector.bytes.count
            for split in Self.splitPoints(vector) {
                let halves = FrameRecorder.record(vector.bytes, configuration: vector.configuration,
                                                  pieces: [0..<split, split..<count])
                if halves != whole {
                    XCTFail("\(vector.name): split at \(split) changes the events")
                    break
                }
            }
        }
    }

    /// Every point of the small vectors. The large ones (field blocks beyond one frame) are cut at every
    /// point within 40 bytes of a frame boundary, where the parser changes stage, and at a stride of 11
    /// elsewhere, to keep the debug run short.
    static func splitPoints(_ vector: Vector) -> [Int] {
        let count = vector.bytes.count
        guard count > 4000 else { return Array(0...count) }
        var boundaries: [Int] = []
        var index = vector.configuration.role == .server ? HTTP2ConnectionPreface.bytes.count : 0
        while index + 9 <= count {
            boundaries.append(index)
            let length = Int(vector.bytes[index]) << 16 | Int(vector.bytes[index + 1]) << 8 | Int(vector.bytes[index + 2])
            index += 9 + length
        }
        boundaries.append(count)
        var points = Set(stride(from: 0, through: count, by: 11))
        for boundary in boundaries {
            for point in max(0, boundary - 40)...min(count, boundary + 40) { points.insert(point) }
        }
        return points.sorted()
    }

    func testByteByByte() {
        for vector in Self.vectors {
            let whole = FrameRecorder.record(vector.bytes, configuration: vector.configuration)
            let bytewise = FrameRecorder.record(vector.bytes, configuration: vector.configuration,
                                                pieces: vector.bytes.indices.map { $0..<($0 + 1) })
            XCTAssertEqual(bytewise, whole, vector.name)
        }
    }

    func testRandomSplitsWithAFixedSeed() {
        var generator = SplitMix64(seed: 0xf4a3e5)
        for vector in Self.vectors {
            let whole = FrameRecorder.record(vector.bytes, configuration: vector.configuration)
            for _ in 0..<30 {
                let cutCount = Int(generator.next() % 12) + 1
                let cuts = (0..<cutCount).map { _ in Int(generator.next() % UInt64(vector.bytes.count + 1)) }.sorted()
                let bounds = [0] + cuts + [vector.bytes.count]
                let pieces = zip(bounds, bounds.dropFirst()).map { $0..<$1 }
                XCTAssertEqual(FrameRecorder.record(vector.bytes, configuration: vector.configuration, pieces: pieces), whole,
                               "\(vector.name) cut at \(cuts)")
            }
        }
    }
}
