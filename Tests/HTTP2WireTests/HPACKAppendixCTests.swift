import HTTPWire
import XCTest
@testable import HTTP2Wire

/// RFC 7541 Appendix C: every example decodes to the published list and table, and the encoder,
/// given the examples' choices, writes the published bytes.
final class HPACKAppendixCTests: XCTestCase {
    struct Step {
        let block: String
        let list: [(String, String)]
        /// Newest first, as the RFC prints the table.
        let table: [(String, String)]
        let size: Int
    }

    static let requestOne = [(":method", "GET"), (":scheme", "http"), (":path", "/"), (":authority", "www.example.com")]
    static let requestTwo = requestOne + [("cache-control", "no-cache")]
    static let requestThree = [(":method", "GET"), (":scheme", "https"), (":path", "/index.html"),
                               (":authority", "www.example.com"), ("custom-key", "custom-value")]
    static let requestTables = [
        [(":authority", "www.example.com")],
        [("cache-control", "no-cache"), (":authority", "www.example.com")],
        [("custom-key", "custom-value"), ("cache-control", "no-cache"), (":authority", "www.example.com")],
    ]
    static let requestSizes = [57, 110, 164]

    static let date1 = "Mon, 21 Oct 2013 20:13:21 GMT"
    static let date2 = "Mon, 21 Oct 2013 20:13:22 GMT"
    static let cookie = "foo=ASDJKHQKBZXOQWEOPIUAXQWEOIU; max-age=3600; version=1"
    static let responseOne = [(":status", "302"), ("cache-control", "private"), ("date", date1),
                              ("location", "https://www.example.com")]
    static let responseTwo = [(":status", "307")] + Array(responseOne.dropFirst())
    static let responseThree = [(":status", "200"), ("cache-control", "private"), ("date", date2),
                                ("location", "https://www.example.com"), ("content-encoding", "gzip"), ("set-cookie", cookie)]
    static let responseTables = [
        [("location", "https://www.example.com"), ("date", date1), ("cache-control", "private"), (":status", "302")],
        [(":status", "307"), ("location", "https://www.example.com"), ("date", date1), ("cache-control", "private")],
        [("set-cookie", cookie), ("content-encoding", "gzip"), ("date", date2)],
    ]
    static let responseSizes = [222, 222, 215]

    static func steps(_ blocks: [String], _ lists: [[(String, String)]], _ tables: [[(String, String)]], _ sizes: [Int]) -> [Step] {
        (0..<3).map { Step(block: blocks[$0], list: lists[$0], table: tables[$0], size: sizes[$0]) }
    }

    static let c3 = steps([
        "8286 8441 0f77 7777 2e65 7861 6d70 6c65 2e63 6f6d",
        "8286 84be 5808 6e6f 2d63 6163 6865",
        "8287 85bf 400a 6375 7374 6f6d 2d6b 6579 0c63 7573 746f 6d2d 7661 6c75 65",
    ], [requestOne, requestTwo, requestThree], requestTables, requestSizes)

    static let c4 = steps([
        "8286 8441 8cf1 e3c2 e5f2 3a6b a0ab 90f4 ff",
        "8286 84be 5886 a8eb 1064 9cbf",
        "8287 85bf 4088 25a8 49e9 5ba9 7d7f 8925 a849 e95b b8e8 b4bf",
    ], [requestOne, requestTwo, requestThree], requestTables, requestSizes)

    static let c5 = steps([
        """
        4803 3330 3258 0770 7269 7661 7465 611d 4d6f 6e2c 2032 3120 4f63 7420 3230 3133 2032 303a 3133 3a32
        3120 474d 546e 1768 7474 7073 3a2f 2f77 7777 2e65 7861 6d70 6c65 2e63 6f6d
        """,
        "4803 3330 37c1 c0bf",
        """
        88c1 611d 4d6f 6e2c 2032 3120 4f63 7420 3230 3133 2032 303a 3133 3a32 3220 474d 54c0 5a04 677a 6970
        7738 666f 6f3d 4153 444a 4b48 514b 425a 584f 5157 454f 5049 5541 5851 5745 4f49 553b 206d 6178 2d61
        6765 3d33 3630 303b 2076 6572 7369 6f6e 3d31
        """,
    ], [responseOne, responseTwo, responseThree], responseTables, responseSizes)

    static let c6 = steps([
        """
        4882 6402 5885 aec3 771a 4b61 96d0 7abe 9410 54d4 44a8 2005 9504 0b81 66e0 82a6 2d1b ff6e 919d 29ad
        1718 63c7 8f0b 97c8 e9ae 82ae 43d3
        """,
        "4883 640e ffc1 c0bf",
        """
        88c1 6196 d07a be94 1054 d444 a820 0595 040b 8166 e084 a62d 1bff c05a 839b d9ab 77ad 94e7 821d d7f2
        e6c7 b335 dfdf cd5b 3960 d5af 2708 7f36 72c1 ab27 0fb5 291f 9587 3160 65c0 03ed 4ee5 b106 3d50 07
        """,
    ], [responseOne, responseTwo, responseThree], responseTables, responseSizes)

    private func render(_ list: [(String, String)]) -> [String] { list.map { $0.0 + ": " + $0.1 } }

    private func checkDecoding(_ steps: [Step], tableSize: Int, file: StaticString = #filePath, line: UInt = #line) throws {
        var decoder = HPACKDecoder(headerTableSize: tableSize)
        var list = DecodedFieldList()
        for (number, step) in steps.enumerated() {
            XCTAssertEqual(try decoder.decode(hexBytes(step.block), into: &list), .complete, file: file, line: line)
            XCTAssertEqual(pairs(list), render(step.list), "list \(number + 1)", file: file, line: line)
            XCTAssertEqual(pairs(decoder.table), render(step.table), "table \(number + 1)", file: file, line: line)
            XCTAssertEqual(decoder.table.size, step.size, "table size \(number + 1)", file: file, line: line)
            let expectedListSize = step.list.reduce(0) { $0 + $1.0.utf8.count + $1.1.utf8.count + 32 }
            XCTAssertEqual(list.headerListSize, expectedListSize, file: file, line: line)
        }
    }

    private func checkEncoding(_ steps: [Step], tableSize: Int, huffman: HPACKHuffmanChoice,
                               file: StaticString = #filePath, line: UInt = #line) {
        var encoder = HPACKEncoder(maxTableSize: tableSize, peerHeaderTableSize: tableSize, policy: .indexEverything, huffman: huffman)
        for (number, step) in steps.enumerated() {
            var out: [UInt8] = []
            encoder.encode(fields(step.list), into: &out)
            XCTAssertEqual(hexString(out), hexString(hexBytes(step.block)), "block \(number + 1)", file: file, line: line)
            XCTAssertEqual(pairs(encoder.table), render(step.table), "table \(number + 1)", file: file, line: line)
            XCTAssertEqual(encoder.table.size, step.size, file: file, line: line)
        }
    }

    /// C.2.1: literal with incremental indexing, new name.
    func testC21LiteralWithIndexing() throws {
        var decoder = HPACKDecoder()
        var list = DecodedFieldList()
        _ = try decoder.decode(hexBytes("400a 6375 7374 6f6d 2d6b 6579 0d63 7573 746f 6d2d 6865 6164 6572"), into: &list)
        XCTAssertEqual(pairs(list), ["custom-key: custom-header"])
        XCTAssertEqual(list.representations, [.incrementalIndexing])
        XCTAssertEqual(pairs(decoder.table), ["custom-key: custom-header"])
        XCTAssertEqual(decoder.table.size, 55)
    }

    /// C.2.2: literal without indexing, indexed name.
    func testC22LiteralWithoutIndexing() throws {
        var decoder = HPACKDecoder()
        var list = DecodedFieldList()
        _ = try decoder.decode(hexBytes("040c 2f73 616d 706c 652f 7061 7468"), into: &list)
        XCTAssertEqual(pairs(list), [":path: /sample/path"])
        XCTAssertEqual(list.representations, [.withoutIndexing])
        XCTAssertEqual(decoder.table.count, 0)
    }

    /// C.2.3: literal never indexed, new name; the flag is kept for the next hop.
    func testC23LiteralNeverIndexed() throws {
        var decoder = HPACKDecoder()
        var list = DecodedFieldList()
        _ = try decoder.decode(hexBytes("1008 7061 7373 776f 7264 0673 6563 7265 74"), into: &list)
        XCTAssertEqual(pairs(list), ["password: secret"])
        XCTAssertTrue(list.isNeverIndexed(0))
        XCTAssertEqual(decoder.table.count, 0)
    }

    /// C.2.4: indexed field.
    func testC24Indexed() throws {
        var decoder = HPACKDecoder()
        var list = DecodedFieldList()
        _ = try decoder.decode([0x82], into: &list)
        XCTAssertEqual(pairs(list), [":method: GET"])
        XCTAssertEqual(list.representations, [.indexed])
        XCTAssertEqual(list.fields[0].known, .other)
    }

    func testC2EncoderChoices() {
        var encoder = HPACKEncoder(policy: .indexEverything, huffman: .never)
        var out: [UInt8] = []
        encoder.append(name: "custom-key", value: "custom-header", into: &out)
        XCTAssertEqual(out, hexBytes("400a 6375 7374 6f6d 2d6b 6579 0d63 7573 746f 6d2d 6865 6164 6572"))
        out = []
        encoder.append(name: ":path", value: "/sample/path", indexing: .withoutIndexing, into: &out)
        XCTAssertEqual(out, hexBytes("040c 2f73 616d 706c 652f 7061 7468"))
        out = []
        encoder.append(name: "password", value: "secret", indexing: .neverIndexed, into: &out)
        XCTAssertEqual(out, hexBytes("1008 7061 7373 776f 7264 0673 6563 7265 74"))
        out = []
        encoder.append(name: ":method", value: "GET", into: &out)
        XCTAssertEqual(out, [0x82])
    }

    func testC3RequestsWithoutHuffmanDecode() throws { try checkDecoding(Self.c3, tableSize: 4096) }
    func testC4RequestsWithHuffmanDecode() throws { try checkDecoding(Self.c4, tableSize: 4096) }
    func testC5ResponsesWithoutHuffmanDecodeWithEviction() throws { try checkDecoding(Self.c5, tableSize: 256) }
    func testC6ResponsesWithHuffmanDecodeWithEviction() throws { try checkDecoding(Self.c6, tableSize: 256) }

    func testC3EncoderReproducesTheBytes() { checkEncoding(Self.c3, tableSize: 4096, huffman: .never) }
    func testC4EncoderReproducesTheBytes() { checkEncoding(Self.c4, tableSize: 4096, huffman: .whenShorter) }
    /// C.5/C.6 assume a 256-byte table on both sides from the start (no size update in the blocks).
    func testC5EncoderReproducesTheBytes() { checkEncoding(Self.c5, tableSize: 256, huffman: .never) }
    /// C.6.2 codes "307" with Huffman although both forms take 3 bytes: the RFC's encoder always codes.
    func testC6EncoderReproducesTheBytes() { checkEncoding(Self.c6, tableSize: 256, huffman: .always) }

    func testWhenShorterKeepsRawStringsOnATie() {
        var encoder = HPACKEncoder(maxTableSize: 256, peerHeaderTableSize: 256, policy: .indexEverything, huffman: .whenShorter)
        var out: [UInt8] = []
        encoder.append(name: ":status", value: "307", into: &out)
        XCTAssertEqual(out, hexBytes("4803 3330 37"))
    }
}
