import HTTPWire
import XCTest
@testable import HTTP2Wire

final class HPACKEncoderTests: XCTestCase {
    private func decodeAll(_ block: [UInt8], _ decoder: inout HPACKDecoder) throws -> DecodedFieldList {
        var list = DecodedFieldList()
        XCTAssertEqual(try decoder.decode(block, into: &list), .complete)
        return list
    }

    func testStandardPolicyNeverIndexesSecretsAndSkipsPerMessageValues() throws {
        var encoder = HPACKEncoder()
        var block: [UInt8] = []
        encoder.encode(fields([(":status", "200"), ("set-cookie", "id=1"), ("authorization", "Bearer x"),
                               ("content-length", "12"), ("content-type", "text/html"), ("cookie", "a=b")]), into: &block)
        var decoder = HPACKDecoder()
        let list = try decodeAll(block, &decoder)
        XCTAssertEqual(pairs(list), [":status: 200", "set-cookie: id=1", "authorization: Bearer x", "content-length: 12",
                                     "content-type: text/html", "cookie: a=b"])
        XCTAssertEqual(list.representations, [.indexed, .neverIndexed, .neverIndexed, .withoutIndexing, .incrementalIndexing,
                                              .neverIndexed])
        XCTAssertEqual(pairs(encoder.table), ["content-type: text/html"])
        XCTAssertEqual(pairs(decoder.table), pairs(encoder.table))
    }

    func testRepeatedFieldsBecomeOneByteReferences() throws {
        var encoder = HPACKEncoder()
        var first: [UInt8] = []
        encoder.encode(fields([("server", "cathammer"), ("content-type", "application/json")]), into: &first)
        var second: [UInt8] = []
        encoder.encode(fields([("server", "cathammer"), ("content-type", "application/json")]), into: &second)
        XCTAssertEqual(second, [0x80 | 63, 0x80 | 62])
        var decoder = HPACKDecoder()
        _ = try decodeAll(first, &decoder)
        XCTAssertEqual(pairs(try decodeAll(second, &decoder)), ["server: cathammer", "content-type: application/json"])
    }

    func testNeverIndexedOverrideAvoidsExactMatches() {
        var encoder = HPACKEncoder(policy: .indexEverything, huffman: .never)
        var out: [UInt8] = []
        encoder.append(name: ":method", value: "GET", indexing: .neverIndexed, into: &out)
        XCTAssertEqual(out, [0x12, 0x03] + Array("GET".utf8), "literal never indexed with the static name index 2")
    }

    func testLargeEntriesAreNotIndexedByTheStandardPolicy() {
        var encoder = HPACKEncoder(maxTableSize: 256, peerHeaderTableSize: 256)
        var out: [UInt8] = []
        encoder.append(name: "x-big", value: String(repeating: "z", count: 180), into: &out)
        XCTAssertEqual(encoder.table.count, 0)
        encoder.append(name: "x-small", value: "z", into: &out)
        XCTAssertEqual(encoder.table.count, 1)
    }

    func testPeerTableSizeChangesAreSignalledAtTheNextBlock() throws {
        var encoder = HPACKEncoder()
        var decoder = HPACKDecoder()
        var block: [UInt8] = []
        encoder.encode(fields([("x-a", "1")]), into: &block)
        _ = try decodeAll(block, &decoder)

        // The peer (our decoder) lowers its limit to 0 and then raises it to 1024 before the next block.
        encoder.setPeerHeaderTableSize(0)
        decoder.setHeaderTableSizeLimit(0)
        encoder.setPeerHeaderTableSize(1024)
        decoder.setHeaderTableSizeLimit(1024)
        block = []
        encoder.encode(fields([("x-b", "2")]), into: &block)
        XCTAssertEqual(Array(block.prefix(4)), [0x20, 0x3f, 0xe1, 0x07], "0, then 1024")
        XCTAssertEqual(pairs(try decodeAll(block, &decoder)), ["x-b: 2"])
        XCTAssertEqual(pairs(decoder.table), ["x-b: 2"])
        XCTAssertEqual(encoder.table.maxSize, 1024)
        XCTAssertEqual(decoder.table.maxSize, 1024)

        // No change, no update.
        block = []
        encoder.encode(fields([("x-b", "2")]), into: &block)
        XCTAssertEqual(block, [0x80 | 62])
    }

    func testOwnLimitBelowTheDefaultIsAnnouncedAndPeerLimitsAboveItAreCapped() throws {
        var encoder = HPACKEncoder(maxTableSize: 512)
        var block: [UInt8] = []
        encoder.encode(fields([("x-a", "1")]), into: &block)
        XCTAssertEqual(Array(block.prefix(3)), [0x3f, 0xe1, 0x03], "size update to 512")
        encoder.setPeerHeaderTableSize(65536)
        block = []
        encoder.beginBlock(into: &block)
        XCTAssertEqual(block, [], "the peer allowing more changes nothing: 512 is already in force")
        XCTAssertEqual(encoder.table.maxSize, 512)
    }

    /// Many blocks through one encoder and one decoder with a small table: their tables never drift.
    func testEncoderAndDecoderTablesStayInStepUnderEviction() throws {
        var generator = SplitMix(seed: 42)
        var encoder = HPACKEncoder(maxTableSize: 300, peerHeaderTableSize: 300, policy: .standard)
        var decoder = HPACKDecoder(headerTableSize: 300)
        let names = ["x-a", "x-b", "server", "content-type", "cache-control", "set-cookie", "vary", "x-long-name-here"]
        for round in 0..<300 {
            var sent: [(String, String)] = []
            for _ in 0..<(1 + Int(generator.next() % 6)) {
                let name = names[Int(generator.next() % UInt64(names.count))]
                let value = String(repeating: "v", count: Int(generator.next() % 40)) + "\(generator.next() % 5)"
                sent.append((name, value))
            }
            encoder.huffman = round % 3 == 0 ? .never : round % 3 == 1 ? .always : .whenShorter
            var block: [UInt8] = []
            encoder.encode(fields(sent), into: &block)
            XCTAssertEqual(pairs(try decodeAll(block, &decoder)), sent.map { $0.0 + ": " + $0.1 }, "round \(round)")
            XCTAssertEqual(pairs(decoder.table), pairs(encoder.table), "round \(round)")
            XCTAssertEqual(decoder.table.size, encoder.table.size)
        }
    }
}
