import HTTPWire
import XCTest
@testable import PreforkServer

final class HTTP1BufferPoolTests: XCTestCase {
    private func allZero(_ buffers: HTTP1Buffers) -> Bool {
        UnsafeRawBufferPointer(start: buffers.input, count: buffers.inputCapacity).allSatisfy { $0 == 0 }
    }

    func testABufferTakenFromThePoolHoldsNoByteOfTheConnectionBefore() {
        let pool = HTTP1BufferPool(parserLimits: .defaults, limit: 2)
        let first = pool.take(streamOffset: 0)
        let secret = Array("GET /secret HTTP/1.1\r\nHost: a\r\nAuthorization: Bearer hunter2\r\n\r\n".utf8)
        secret.withUnsafeBytes { first.input.copyMemory(from: $0.baseAddress!, byteCount: $0.count) }
        first.inputHighWater = secret.count
        let parsed = secret.withUnsafeBytes { first.parser.next($0) }
        XCTAssertEqual(parsed, .head(consumed: secret.count))
        first.headBytes = secret
        first.body = [1, 2, 3]
        first.trailerBytes = [4]
        first.output = Array("HTTP/1.1 200 OK\r\n".utf8)
        pool.give(first)
        XCTAssertEqual(pool.spareCount, 1)

        let second = pool.take(streamOffset: 0)
        XCTAssertTrue(second === first, "a warm pool hands out what it has, allocating nothing")
        XCTAssertTrue(allZero(second), "no byte of the earlier request is readable")
        XCTAssertTrue(second.headBytes.isEmpty && second.body.isEmpty && second.trailerBytes.isEmpty && second.output.isEmpty)
        XCTAssertEqual(second.parser.streamOffset, 0)
        XCTAssertTrue(second.parser.holdsNoMessageState)
        XCTAssertTrue(second.parser.head.fields.isEmpty, "no field line of the earlier request survives")
    }

    func testGrownBuffersShrinkBackAndTheOffsetCarriesOver() {
        let pool = HTTP1BufferPool(parserLimits: .defaults, limit: 1)
        let buffers = pool.take(streamOffset: 0)
        memset(buffers.input, 0x41, buffers.inputCapacity)
        buffers.inputHighWater = buffers.inputCapacity
        XCTAssertTrue(buffers.growInput(keeping: buffers.inputCapacity, limit: 4 * HTTP1Buffers.inputCapacity))
        XCTAssertEqual(buffers.inputCapacity, 2 * HTTP1Buffers.inputCapacity)
        XCTAssertEqual(buffers.input.load(fromByteOffset: 10, as: UInt8.self), 0x41, "growing keeps the bytes")
        XCTAssertFalse(buffers.growInput(keeping: 0, limit: buffers.inputCapacity), "never past the limit")
        pool.give(buffers)
        let again = pool.take(streamOffset: 1234)
        XCTAssertEqual(again.inputCapacity, HTTP1Buffers.inputCapacity)
        XCTAssertTrue(allZero(again))
        XCTAssertEqual(again.parser.streamOffset, 1234, "violations keep reporting offsets in the whole stream")
    }

    func testThePoolKeepsAtMostItsLimit() {
        let pool = HTTP1BufferPool(parserLimits: .defaults, limit: 2)
        let taken = (0..<5).map { _ in pool.take(streamOffset: 0) }
        taken.forEach(pool.give)
        XCTAssertEqual(pool.spareCount, 2)
    }
}
