import HTTPWire
import XCTest
@testable import HTTP2Wire

final class HPACKDecoderTests: XCTestCase {
    typealias B = HeaderBlockBuilder

    private func block(_ build: (inout HeaderBlockBuilder) -> Void) -> [UInt8] {
        var builder = HeaderBlockBuilder()
        build(&builder)
        return builder.bytes
    }

    private func decode(_ bytes: [UInt8], _ decoder: inout HPACKDecoder) throws -> (HPACKBlockStatus, [String]) {
        var list = DecodedFieldList()
        let status = try decoder.decode(bytes, into: &list)
        return (status, pairs(list))
    }

    private func assertRejected(_ bytes: [UInt8], _ reason: String, _ section: String, decoder: HPACKDecoder = HPACKDecoder(),
                                file: StaticString = #filePath, line: UInt = #line) {
        var decoder = decoder
        guard let violation = decodingViolation(bytes, decoder: &decoder, file: file, line: line) else { return }
        XCTAssertEqual(violation.reason, reason, file: file, line: line)
        XCTAssertEqual(violation.rfcSection, section, file: file, line: line)
        XCTAssertEqual(violation.code, .compressionError, file: file, line: line)
        XCTAssertEqual(violation.scope, .connection, file: file, line: line)
    }

    // MARK: Representations the builder writes and the decoder accepts

    func testEveryValidRepresentationDecodes() throws {
        let bytes = block {
            $0.indexed(2)
            $0.literal(.incrementalIndexing, name: .index(1), value: "example.org")
            $0.literal(.withoutIndexing, name: .literal("x-raw"), value: .huffman(Array("huffman value".utf8)))
            $0.literal(.neverIndexed, name: .literal(.huffman(Array("x-secret".utf8))), value: "s3cr3t")
            $0.literal(.incrementalIndexing, name: .index(62), value: "example.net")
            $0.indexed(63)
            $0.literal(.withoutIndexing, name: .index(4), value: .huffmanCodes(symbols: [0x2f, 0x61], padding: ""))
        }
        var decoder = HPACKDecoder()
        var list = DecodedFieldList()
        XCTAssertEqual(try decoder.decode(bytes, into: &list), .complete)
        XCTAssertEqual(pairs(list), [":method: GET", ":authority: example.org", "x-raw: huffman value", "x-secret: s3cr3t",
                                     ":authority: example.net", ":authority: example.org", ":path: /a"])
        XCTAssertEqual(list.representations, [.indexed, .incrementalIndexing, .withoutIndexing, .neverIndexed,
                                              .incrementalIndexing, .indexed, .withoutIndexing])
        XCTAssertEqual(pairs(decoder.table), [":authority: example.net", ":authority: example.org"])
    }

    func testKnownFieldsAreClassified() throws {
        let bytes = block {
            $0.literal(.withoutIndexing, name: .index(28), value: "5")
            $0.literal(.withoutIndexing, name: .literal("host"), value: "a")
            $0.literal(.incrementalIndexing, name: .literal("te"), value: "trailers")
            $0.indexed(62)
        }
        var decoder = HPACKDecoder()
        var list = DecodedFieldList()
        _ = try decoder.decode(bytes, into: &list)
        XCTAssertEqual(list.fields.map(\.known), [.contentLength, .host, .other, .other])
    }

    // MARK: Invalid representations

    /// An idle connection costs no table storage: the rings come with the first indexed field.
    func testTheTablesStorageIsAllocatedByTheFirstInsertOnly() throws {
        var decoder = HPACKDecoder()
        XCTAssertFalse(decoder.table.hasStorage)
        var list = DecodedFieldList()
        _ = try decoder.decode([0x82, 0x86, 0x84], into: &list)  // :method GET, :scheme http, :path / (static)
        XCTAssertFalse(decoder.table.hasStorage, "static references insert nothing")
        XCTAssertEqual(list.count, 3)
        _ = try decoder.decode([0x40, 0x01, 0x78, 0x01, 0x79], into: &list)  // literal x: y, incremental indexing
        XCTAssertTrue(decoder.table.hasStorage)
        XCTAssertEqual(decoder.table.field(at: 1), HeaderField(name: Array("x".utf8), value: Array("y".utf8)))
        XCTAssertLessThan(decoder.table.storageBytes, 1024, "one small entry, not the whole 4,096-octet maximum")
        // Grown entry by entry past several reallocations, the table keeps every entry in order.
        var table = HPACKDynamicTable(capacity: 4096)
        for number in 0..<200 {
            let name = Array("name-\(number)".utf8), value = Array(String(repeating: "v", count: number % 50).utf8)
            name.withUnsafeBytes { name in value.withUnsafeBytes { value in table.insert(name: name, value: value, known: .other) } }
            XCTAssertLessThanOrEqual(table.size, 4096)
            let newest = table.field(at: 1)
            XCTAssertEqual(newest.name, name)
            XCTAssertEqual(newest.value, value)
            if table.count >= 2 {
                let previous = number - 1
                XCTAssertEqual(table.field(at: 2).name, Array("name-\(previous)".utf8))
                XCTAssertEqual(table.field(at: 2).value.count, previous % 50)
            }
        }
        XCTAssertLessThanOrEqual(table.storageBytes, 4096 + 4096 / 32 * 64, "never beyond the capacity")
        var encoder = HPACKEncoder()
        XCTAssertFalse(encoder.table.hasStorage)
        var out: [UInt8] = []
        encoder.encode([HeaderField(name: Array("server".utf8), value: Array("cathammer".utf8))], into: &out)
        XCTAssertTrue(encoder.table.hasStorage)
    }

    func testIndexZeroIsRejected() {
        assertRejected(block { $0.indexed(0) }, "hpack-index-zero", "RFC 7541 §6.1")
    }

    func testIndexPastStaticAndDynamicTablesIsRejected() {
        assertRejected(block { $0.indexed(62) }, "hpack-index-out-of-range", "RFC 7541 §2.3.3")
        assertRejected(block { $0.literal(.incrementalIndexing, name: "a", value: "b"); $0.indexed(63) },
                       "hpack-index-out-of-range", "RFC 7541 §2.3.3")
        assertRejected(block { $0.literal(.withoutIndexing, name: .index(62), value: "v") },
                       "hpack-index-out-of-range", "RFC 7541 §2.3.3")
        assertRejected(block { $0.indexed(Int(UInt32.max)) }, "hpack-index-out-of-range", "RFC 7541 §2.3.3")
    }

    func testOversizedIntegersAreRejected() {
        assertRejected(block { $0.oversizedInteger(flags: 0x80, prefixBits: 7, continuationBytes: 10, payload: 0) },
                       "hpack-integer-too-long", "RFC 7541 §5.1")
        assertRejected(block { $0.oversizedInteger(flags: 0x80, prefixBits: 7, continuationBytes: 5) },
                       "hpack-integer-overflow", "RFC 7541 §5.1")
        // As a string length.
        assertRejected(block { $0.raw([0x00]); $0.oversizedInteger(flags: 0x00, prefixBits: 7, continuationBytes: 10, payload: 0) },
                       "hpack-integer-too-long", "RFC 7541 §5.1")
        assertRejected([0xff], "hpack-integer-truncated", "RFC 7541 §5.1")
    }

    func testStringLongerThanTheBlockIsRejected() {
        assertRejected(block { $0.literal(.withoutIndexing, name: .index(1), value: .declared(huffman: false, length: 10, payload: [0x61])) },
                       "hpack-string-truncated", "RFC 7541 §5.2")
        assertRejected(block { $0.literal(.withoutIndexing, name: .index(1), value: .declared(huffman: true, length: 2, payload: [0xff])) },
                       "hpack-string-truncated", "RFC 7541 §5.2")
        // The value is missing altogether.
        assertRejected([0x41], "hpack-string-truncated", "RFC 7541 §5.2")
        assertRejected(block { $0.raw([0x40]); $0.string("name") }, "hpack-string-truncated", "RFC 7541 §5.2")
    }

    func testHuffmanRulesApplyToNamesAndValues() {
        let badPadding = B.StringForm.huffmanCodes(symbols: [0x61], padding: "000")
        let longPadding = B.StringForm.huffmanCodes(symbols: [0x61], padding: "111" + "11111111")
        let eosInside = B.StringForm.huffmanCodes(symbols: [0x61, 256, 0x61], padding: "")
        assertRejected(block { $0.literal(.withoutIndexing, name: .index(1), value: badPadding) },
                       "hpack-huffman-padding-not-eos", "RFC 7541 §5.2")
        assertRejected(block { $0.literal(.withoutIndexing, name: .literal(badPadding), value: "v") },
                       "hpack-huffman-padding-not-eos", "RFC 7541 §5.2")
        assertRejected(block { $0.literal(.incrementalIndexing, name: .index(1), value: longPadding) },
                       "hpack-huffman-padding-too-long", "RFC 7541 §5.2")
        assertRejected(block { $0.literal(.neverIndexed, name: .literal(eosInside), value: "v") },
                       "hpack-huffman-eos", "RFC 7541 §5.2")
        assertRejected(block { $0.literal(.withoutIndexing, name: .index(1), value: .huffmanBits("11111111 11111111 11111111 11111100")) },
                       "hpack-huffman-eos", "RFC 7541 §5.2")
    }

    // MARK: Dynamic table size updates

    func testSizeUpdateAtTheStartIsApplied() throws {
        var decoder = HPACKDecoder()
        _ = try decode(block { $0.literal(.incrementalIndexing, name: "a", value: "b") }, &decoder)
        XCTAssertEqual(decoder.table.count, 1)
        let (_, list) = try decode(block { $0.sizeUpdate(0); $0.sizeUpdate(100); $0.indexed(2) }, &decoder)
        XCTAssertEqual(list, [":method: GET"])
        XCTAssertEqual(decoder.table.count, 0, "shrinking to 0 evicted the entry")
        XCTAssertEqual(decoder.table.maxSize, 100)
    }

    func testSizeUpdateAfterAFieldIsRejected() {
        assertRejected(block { $0.indexed(2); $0.sizeUpdate(0) }, "hpack-size-update-not-at-start", "RFC 7541 §4.2")
    }

    func testSizeUpdateAboveTheAdvertisedLimitIsRejected() {
        assertRejected(block { $0.sizeUpdate(4097) }, "hpack-size-update-above-limit", "RFC 7541 §6.3")
        var small = HPACKDecoder()
        small.setHeaderTableSizeLimit(100)
        assertRejected(block { $0.sizeUpdate(50); $0.sizeUpdate(101) }, "hpack-size-update-above-limit", "RFC 7541 §6.3",
                       decoder: small)
    }

    func testLoweredLimitRequiresASizeUpdateInTheNextBlock() throws {
        var decoder = HPACKDecoder()
        decoder.setHeaderTableSizeLimit(1024)
        XCTAssertEqual(decoder.requiredSizeUpdate, 1024)
        assertRejected(block { $0.indexed(2) }, "hpack-size-update-missing", "RFC 7541 §4.2", decoder: decoder)
        assertRejected([], "hpack-size-update-missing", "RFC 7541 §4.2", decoder: decoder)
        assertRejected(block { $0.sizeUpdate(1025) }, "hpack-size-update-above-limit", "RFC 7541 §6.3", decoder: decoder)
        let (_, list) = try decode(block { $0.sizeUpdate(512); $0.indexed(2) }, &decoder)
        XCTAssertEqual(list, [":method: GET"])
        XCTAssertNil(decoder.requiredSizeUpdate)
        XCTAssertEqual(decoder.table.maxSize, 512)
        // Once signalled, later blocks need none.
        XCTAssertEqual(try decode(block { $0.indexed(2) }, &decoder).0, .complete)
    }

    func testSeveralLoweringsRequireTheSmallestFirst() throws {
        var decoder = HPACKDecoder()
        decoder.setHeaderTableSizeLimit(0)
        decoder.setHeaderTableSizeLimit(4096)
        assertRejected(block { $0.sizeUpdate(4096); $0.indexed(2) }, "hpack-size-update-missing", "RFC 7541 §4.2", decoder: decoder)
        XCTAssertEqual(try decode(block { $0.sizeUpdate(0); $0.sizeUpdate(4096); $0.indexed(2) }, &decoder).0, .complete)
    }

    func testRaisedLimitNeedsNoUpdateAndGrowsTheStorage() throws {
        var decoder = HPACKDecoder(headerTableSize: 64)
        decoder.setHeaderTableSizeLimit(8192)
        XCTAssertNil(decoder.requiredSizeUpdate)
        let long = String(repeating: "x", count: 5000)
        _ = try decode(block { $0.sizeUpdate(8192); $0.literal(.incrementalIndexing, name: "big", value: .raw(Array(long.utf8))) }, &decoder)
        XCTAssertEqual(decoder.table.count, 1)
        XCTAssertEqual(try decode(block { $0.indexed(62) }, &decoder).1, ["big: " + long])
    }

    // MARK: Eviction (§4.4)

    func testInsertionEvictsOldestAndAnOversizedEntryEmptiesTheTable() throws {
        var decoder = HPACKDecoder(headerTableSize: 100)
        // Each entry: 1 + 30 + 32 = 63 bytes; the second evicts the first.
        let thirty = String(repeating: "v", count: 30)
        _ = try decode(block { $0.literal(.incrementalIndexing, name: "a", value: .raw(Array(thirty.utf8))) }, &decoder)
        _ = try decode(block { $0.literal(.incrementalIndexing, name: "b", value: .raw(Array(thirty.utf8))) }, &decoder)
        XCTAssertEqual(pairs(decoder.table), ["b: " + thirty])
        XCTAssertEqual(decoder.table.size, 63)
        // 101 bytes: larger than the table, which ends up empty; the field itself is still emitted.
        let large = String(repeating: "w", count: 68)
        XCTAssertEqual(try decode(block { $0.literal(.incrementalIndexing, name: "c", value: .raw(Array(large.utf8))) }, &decoder).1,
                       ["c: " + large])
        XCTAssertEqual(decoder.table.count, 0)
        XCTAssertEqual(decoder.table.size, 0)
    }

    func testNewEntryMayReuseTheNameOfTheEntryItEvicts() throws {
        var decoder = HPACKDecoder(headerTableSize: 80)
        _ = try decode(block { $0.literal(.incrementalIndexing, name: "custom-name", value: "first-value") }, &decoder)
        // The name comes from index 62, the very entry that must go to make room.
        let (_, list) = try decode(block { $0.literal(.incrementalIndexing, name: .index(62), value: "second-value") }, &decoder)
        XCTAssertEqual(list, ["custom-name: second-value"])
        XCTAssertEqual(pairs(decoder.table), ["custom-name: second-value"])
    }

    func testEntriesWrappingAroundTheRingReadBackIntact() throws {
        var decoder = HPACKDecoder(headerTableSize: 200)
        var expected: [String] = []
        for round in 0..<40 {
            let name = "n\(round)"
            let value = String(repeating: Character(UnicodeScalar(UInt8(97 + round % 26))), count: 10 + round % 17)
            _ = try decode(block { $0.literal(.incrementalIndexing, name: .literal(.raw(Array(name.utf8))), value: .raw(Array(value.utf8))) },
                           &decoder)
            expected.insert(name + ": " + value, at: 0)
            var size = 0
            var kept: [String] = []
            for entry in expected {
                let entrySize = entry.utf8.count - 2 + 32
                if size + entrySize > 200 { break }
                size += entrySize
                kept.append(entry)
            }
            expected = kept
            XCTAssertEqual(pairs(decoder.table), expected, "round \(round)")
            XCTAssertEqual(decoder.table.size, size)
            let indexes = block { for index in 0..<kept.count { $0.indexed(62 + index) } }
            XCTAssertEqual(try decode(indexes, &decoder).1, kept)
        }
    }

    // MARK: Header list size (RFC 9113 §6.5.2) and the HPACK bomb

    func testHeaderListSizeIsEnforcedWhileDecodingAndTheTableStaysInSync() throws {
        var decoder = HPACKDecoder(maxHeaderListSize: 200)
        var list = DecodedFieldList()
        let value = String(repeating: "v", count: 100)
        let bytes = block {
            $0.literal(.incrementalIndexing, name: "a", value: .raw(Array(value.utf8)))   // 133
            $0.literal(.incrementalIndexing, name: "b", value: .raw(Array(value.utf8)))   // 266: too large
            $0.literal(.withoutIndexing, name: "c", value: .huffman(Array("x".utf8)))
            $0.indexed(62)
        }
        XCTAssertEqual(try decoder.decode(bytes, into: &list), .headerListTooLarge(size: 133 + 133 + 34 + 133))
        XCTAssertTrue(list.isEmpty, "fields are dropped once the list is too large")
        XCTAssertEqual(list.byteCount, 0, "no bytes are kept once the list is too large")
        // Both incremental entries were still added: the next block sees the same table as the peer.
        XCTAssertEqual(pairs(decoder.table), ["b: " + value, "a: " + value])
        XCTAssertEqual(try decoder.decode(block { $0.indexed(62); $0.indexed(2) }, into: &list), .complete)
        XCTAssertEqual(pairs(list), ["b: " + value, ":method: GET"])
    }

    func testCompressionErrorsAreStillDetectedPastTheListLimit() {
        var decoder = HPACKDecoder(maxHeaderListSize: 40)
        let bytes = block {
            $0.literal(.withoutIndexing, name: "a", value: .raw(Array(String(repeating: "v", count: 20).utf8)))
            $0.literal(.withoutIndexing, name: .index(1), value: .huffmanCodes(symbols: [0x61], padding: "000"))
        }
        XCTAssertEqual(decodingViolation(bytes, decoder: &decoder)?.reason, "hpack-huffman-padding-not-eos")
    }

    func testHPACKBombStopsCopyingAtTheLimit() throws {
        var decoder = HPACKDecoder(headerTableSize: 4096, maxHeaderListSize: 16 * 1024)
        let big = [UInt8](repeating: 0x61, count: 4000)
        var list = DecodedFieldList()
        _ = try decoder.decode(block { $0.literal(.incrementalIndexing, name: "x", value: .raw(big)) }, into: &list)
        // 16 KiB of one-byte references would expand to 64 MB.
        let bomb = [UInt8](repeating: 0x80 | 62, count: 16 * 1024)
        let status = try decoder.decode(bomb, into: &list)
        XCTAssertEqual(status, .headerListTooLarge(size: 16 * 1024 * (1 + 4000 + 32)))
        XCTAssertTrue(list.isEmpty)
        XCTAssertLessThan(list.bytes.capacity, 64 * 1024, "the list never held more than the limit")
    }

    // MARK: Robustness

    func testAnyByteStringYieldsAStatusOrAViolation() {
        var generator = SplitMix(seed: 0x5eed)
        var decoder = HPACKDecoder(headerTableSize: 256, maxHeaderListSize: 1024)
        var list = DecodedFieldList()
        var outcomes = [0, 0]
        for _ in 0..<20_000 {
            let count = Int(generator.next() % 48)
            var bytes = (0..<count).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
            // Bias towards valid-looking prefixes so that deeper states are reached.
            if count > 0 && generator.next() % 2 == 0 { bytes[0] = [0x82, 0x40, 0x00, 0x10, 0x20, 0xbe][Int(generator.next() % 6)] }
            do {
                _ = try decoder.decode(bytes, into: &list)
                outcomes[0] += 1
            } catch {
                outcomes[1] += 1
                XCTAssertEqual(error.code, .compressionError)
                decoder = HPACKDecoder(headerTableSize: 256, maxHeaderListSize: 1024)
            }
        }
        XCTAssertGreaterThan(outcomes[0], 100)
        XCTAssertGreaterThan(outcomes[1], 100)
    }
}

/// A small deterministic generator, so a failing input can be reproduced from the seed.
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9e37_79b9_7f4a_7c15
        var z = state
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 31)
    }
}
