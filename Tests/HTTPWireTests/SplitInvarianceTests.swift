import SeededGenerator
import XCTest
@testable import HTTPWire

/// The parser's central property: however the bytes are chunked, the result is the same.
final class SplitInvarianceTests: XCTestCase {
    func testEveryVectorAtEverySplitPoint() {
        for vector in RequestVectors.all {
            let whole = StreamOutcome(vector.bytes, limits: vector.limits)
            for split in 0...vector.bytes.count {
                let halves = StreamOutcome(vector.bytes, limits: vector.limits,
                                           pieces: [0..<split, split..<vector.bytes.count])
                if halves != whole {
                    XCTFail("split at \(split) changes \(vector): \(halves) vs \(whole)")
                    break
                }
            }
        }
    }

    func testEveryVectorByteByByte() {
        for vector in RequestVectors.all {
            let whole = StreamOutcome(vector.bytes, limits: vector.limits)
            let bytewise = StreamOutcome(vector.bytes, limits: vector.limits,
                                         pieces: vector.bytes.indices.map { $0..<($0 + 1) })
            XCTAssertEqual(bytewise, whole, "\(vector)")
        }
    }

    func testEveryVectorAtThreeRandomSplits() {
        var generator = SplitMix64(seed: 0x5eed)
        for vector in RequestVectors.all where vector.bytes.count > 3 {
            let whole = StreamOutcome(vector.bytes, limits: vector.limits)
            for _ in 0..<20 {
                let cuts = (0..<3).map { _ in Int(generator.next() % UInt64(vector.bytes.count)) }.sorted()
                let bounds = [0] + cuts + [vector.bytes.count]
                let pieces = zip(bounds, bounds.dropFirst()).map { $0..<$1 }
                XCTAssertEqual(StreamOutcome(vector.bytes, limits: vector.limits, pieces: pieces), whole, "\(vector) cut at \(cuts)")
            }
        }
    }

    /// The raw event API, not only the stream driver: the caller keeps unconsumed bytes and appends.
    func testRawEventsDeliverTheSameBodyForAnyChunking() {
        let bytes = Array("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nWiki\r\n5;a=\"b\"\r\npedia\r\n0\r\nX: y\r\n\r\n".utf8)
        for split in 1..<bytes.count {
            var parser = RequestParser()
            var buffer: [UInt8] = []
            var body: [UInt8] = []
            var trailers: [String] = []
            var ended = false
            for piece in [bytes[0..<split], bytes[split...]] {
                buffer += piece
                var more = true
                while more {
                    buffer.withUnsafeBytes { input in
                        switch parser.next(input) {
                        case .needMore(let consumed):
                            buffer.removeFirst(consumed)
                            more = false
                        case .head(let consumed):
                            buffer.removeFirst(consumed)
                        case .body(let range, let consumed):
                            body += input[range]
                            buffer.removeFirst(consumed)
                        case .end(let consumed):
                            trailers = parser.trailers.map { String(decoding: input[$0.name], as: UTF8.self) }
                            buffer.removeFirst(consumed)
                            ended = true
                            more = false
                        case .rejected(let violation):
                            XCTFail("\(violation) at split \(split)")
                            more = false
                        }
                    }
                }
            }
            XCTAssertTrue(ended, "split \(split)")
            XCTAssertEqual(String(decoding: body, as: UTF8.self), "Wikipedia", "split \(split)")
            XCTAssertEqual(trailers, ["X"], "split \(split)")
        }
    }
}
