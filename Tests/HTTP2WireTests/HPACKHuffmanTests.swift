import XCTest
@testable import HTTP2Wire

final class HPACKHuffmanTests: XCTestCase {
    private func huffmanDecode(_ bytes: [UInt8]) -> ([UInt8], HTTP2Violation?) {
        var output = [UInt8](repeating: 0, count: HuffmanDecoder.maxDecodedCount(bytes.count))
        let (written, failure) = bytes.withUnsafeBufferPointer { input in
            output.withUnsafeMutableBufferPointer { out in
                HuffmanDecoder.decode(input.baseAddress ?? UnsafePointer(out.baseAddress!), count: input.count,
                                      into: out.baseAddress!)
            }
        }
        return (Array(output[..<written]), failure)
    }

    private func huffmanEncode(_ text: String) -> [UInt8] {
        var out: [UInt8] = []
        Array(text.utf8).withUnsafeBytes { HuffmanCode.encode($0, into: &out) }
        return out
    }

    /// Rows of RFC 7541 Appendix B, spread over every code length; the rest follow from the lengths.
    func testDerivedCodesMatchAppendixB() {
        let rows: [(Int, UInt32, UInt8)] = [
            (0, 0x1ff8, 13), (1, 0x7fffd8, 23), (9, 0xffffea, 24), (10, 0x3ffffffc, 30), (22, 0x3ffffffe, 30),
            (32, 0x14, 6), (48, 0x0, 5), (58, 0x5c, 7), (60, 0x7ffc, 15), (92, 0x7fff0, 19), (94, 0x3ffc, 14),
            (97, 0x3, 5), (122, 0x7b, 7), (124, 0x7fc, 11), (127, 0xffffffc, 28), (128, 0xfffe6, 20),
            (153, 0x1fffdc, 21), (199, 0x1ffffec, 25), (203, 0x7ffffde, 27), (220, 0xffffffd, 28),
            (249, 0xffffffe, 28), (254, 0x7fffff0, 27), (255, 0x3ffffee, 26), (256, 0x3fffffff, 30),
        ]
        for (symbol, code, length) in rows {
            XCTAssertEqual(HuffmanCode.codes[symbol], code, "code of \(symbol)")
            XCTAssertEqual(HuffmanCode.lengths[symbol], length, "length of \(symbol)")
        }
    }

    func testCodeIsCompleteAndPrefixFree() {
        XCTAssertEqual(HuffmanCode.lengths.count, 257)
        // Kraft sum exactly one, in units of 2^-30.
        let sum = HuffmanCode.lengths.reduce(0) { $0 + (1 << (30 - Int($1))) }
        XCTAssertEqual(sum, 1 << 30)
    }

    func testEveryByteRoundTrips() {
        let all = (0...255).map { UInt8($0) }
        var coded: [UInt8] = []
        all.withUnsafeBytes { HuffmanCode.encode($0, into: &coded) }
        XCTAssertEqual(all.withUnsafeBytes { HuffmanCode.encodedCount($0) }, coded.count)
        let (decoded, failure) = huffmanDecode(coded)
        XCTAssertNil(failure)
        XCTAssertEqual(decoded, all)
    }

    /// RFC 7541 C.4.1 and C.6.1 strings.
    func testAppendixCStrings() {
        XCTAssertEqual(huffmanEncode("www.example.com"), hexBytes("f1e3 c2e5 f23a 6ba0 ab90 f4ff"))
        XCTAssertEqual(huffmanEncode("no-cache"), hexBytes("a8eb 1064 9cbf"))
        XCTAssertEqual(huffmanEncode("302"), hexBytes("6402"))
        XCTAssertEqual(huffmanDecode(hexBytes("640e ff")).0, Array("307".utf8))
        XCTAssertEqual(huffmanDecode(hexBytes("25a8 49e9 5ba9 7d7f")).0, Array("custom-key".utf8))
        XCTAssertEqual(huffmanDecode([]).0, [])
        XCTAssertNil(huffmanDecode([]).1)
    }

    func testEOSInsideAStringIsRejected() {
        // '0' (00000), EOS (30 ones), filled to 40 bits with ones: an EOS code decoded in full.
        let bytes = HeaderBlockBuilder.pack("00000" + String(repeating: "1", count: 30) + "00000")
        XCTAssertEqual(huffmanDecode(bytes).1?.reason, "hpack-huffman-eos")
        XCTAssertEqual(huffmanDecode(bytes).1?.rfcSection, "RFC 7541 §5.2")
    }

    func testPaddingLongerThanSevenBitsIsRejected() {
        XCTAssertEqual(huffmanDecode([0xff]).1?.reason, "hpack-huffman-padding-too-long")
        // 'a' (00011) then 11 bits of ones.
        XCTAssertEqual(huffmanDecode(HeaderBlockBuilder.pack("00011" + String(repeating: "1", count: 11))).1?.reason,
                       "hpack-huffman-padding-too-long")
        // Seven bits of ones is the longest valid padding.
        XCTAssertNil(huffmanDecode(HeaderBlockBuilder.pack("0" + "1111111")).1)
    }

    func testPaddingThatIsNotAPrefixOfEOSIsRejected() {
        // 'a' (00011) then 000: zeros are not EOS padding.
        XCTAssertEqual(huffmanDecode([0b0001_1000]).1?.reason, "hpack-huffman-padding-not-eos")
        XCTAssertEqual(huffmanDecode([0x00]).1?.reason, "hpack-huffman-padding-not-eos")
        // 'a' then 101.
        XCTAssertEqual(huffmanDecode([0b0001_1101]).1?.reason, "hpack-huffman-padding-not-eos")
    }

    func testDecodedLengthBoundHolds() {
        // Only 5-bit symbols: the worst case for output length.
        let fives = Array(String(repeating: "0123aceiost", count: 20).utf8)
        var coded: [UInt8] = []
        fives.withUnsafeBytes { HuffmanCode.encode($0, into: &coded) }
        XCTAssertLessThanOrEqual(fives.count, HuffmanDecoder.maxDecodedCount(coded.count))
        XCTAssertEqual(huffmanDecode(coded).0, fives)
    }
}
