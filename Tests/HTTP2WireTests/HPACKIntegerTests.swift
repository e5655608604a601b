import XCTest
@testable import HTTP2Wire

final class HPACKIntegerTests: XCTestCase {
    private func decode(_ bytes: [UInt8], prefixBits: Int) throws(HTTP2Violation) -> (Int, Int) {
        var position = 0
        var result: Result<Int, HTTP2Violation> = .success(0)
        bytes.withUnsafeBufferPointer { buffer in
            do throws(HTTP2Violation) {
                result = .success(try HPACKInteger.decode(buffer.baseAddress!, buffer.count, &position, prefixBits: prefixBits))
            } catch { result = .failure(error) }
        }
        return (try result.get(), position)
    }

    private func encode(_ value: Int, prefixBits: Int, flags: UInt8 = 0) -> [UInt8] {
        var out: [UInt8] = []
        HPACKInteger.encode(value, prefixBits: prefixBits, flags: flags, into: &out)
        return out
    }

    /// RFC 7541 C.1.1: 10 with a 5-bit prefix is one byte.
    func testC11TenWithFiveBitPrefix() throws {
        XCTAssertEqual(encode(10, prefixBits: 5, flags: 0xe0), [0xea])
        let (value, used) = try decode([0xea], prefixBits: 5)
        XCTAssertEqual(value, 10)
        XCTAssertEqual(used, 1)
    }

    /// RFC 7541 C.1.2: 1337 with a 5-bit prefix is 31 + 154 (1 + 10·128).
    func testC12ThirteenThirtySevenWithFiveBitPrefix() throws {
        XCTAssertEqual(encode(1337, prefixBits: 5), [0x1f, 0x9a, 0x0a])
        let (value, used) = try decode([0x1f, 0x9a, 0x0a, 0xff], prefixBits: 5)
        XCTAssertEqual(value, 1337)
        XCTAssertEqual(used, 3, "stops after the byte without the continuation flag")
    }

    /// RFC 7541 C.1.3: 42 starting at an octet boundary (8-bit prefix).
    func testC13FortyTwoAtAnOctetBoundary() throws {
        XCTAssertEqual(encode(42, prefixBits: 8), [0x2a])
        XCTAssertEqual(try decode([0x2a], prefixBits: 8).0, 42)
    }

    func testPrefixBoundaryValuesRoundTrip() throws {
        for prefixBits in 1...8 {
            for value in [0, 1, (1 << prefixBits) - 2, (1 << prefixBits) - 1, 1 << prefixBits, 127, 128, 16383, 16384,
                          Int(UInt32.max)] {
                let bytes = encode(value, prefixBits: prefixBits)
                let (decoded, used) = try decode(bytes, prefixBits: prefixBits)
                XCTAssertEqual(decoded, value, "prefix \(prefixBits)")
                XCTAssertEqual(used, bytes.count)
            }
        }
    }

    func testFlagBitsAboveThePrefixAreIgnored() throws {
        XCTAssertEqual(try decode([0xff, 0x00], prefixBits: 7).0, 127)
        XCTAssertEqual(try decode([0xc5], prefixBits: 6).0, 5)
    }

    func testTruncatedIntegerIsRejected() {
        XCTAssertThrowsError(try decode([0x1f], prefixBits: 5)) { XCTAssertEqual(($0 as? HTTP2Violation)?.reason, "hpack-integer-truncated") }
        XCTAssertThrowsError(try decode([0x1f, 0x80, 0x80], prefixBits: 5)) {
            XCTAssertEqual(($0 as? HTTP2Violation)?.reason, "hpack-integer-truncated")
        }
    }

    func testValueAboveThirtyTwoBitsIsRejected() {
        // 2^32 - 1 with a 7-bit prefix decodes; one more does not.
        let largest = encode(Int(UInt32.max), prefixBits: 7)
        XCTAssertEqual(try? decode(largest, prefixBits: 7).0, Int(UInt32.max))
        XCTAssertThrowsError(try decode(encode(Int(UInt32.max) + 1, prefixBits: 7), prefixBits: 7)) {
            let violation = $0 as? HTTP2Violation
            XCTAssertEqual(violation?.reason, "hpack-integer-overflow")
            XCTAssertEqual(violation?.code, .compressionError)
            XCTAssertEqual(violation?.rfcSection, "RFC 7541 §5.1")
        }
    }

    func testMoreThanFiveContinuationBytesAreRejectedEvenWhenTheValueIsSmall() {
        // Zero-valued continuation bytes add nothing but still cost a byte each.
        XCTAssertEqual(try? decode([0x7f, 0x80, 0x80, 0x80, 0x80, 0x00], prefixBits: 7).0, 127)
        XCTAssertThrowsError(try decode([0x7f, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00], prefixBits: 7)) {
            XCTAssertEqual(($0 as? HTTP2Violation)?.reason, "hpack-integer-too-long")
        }
    }
}
