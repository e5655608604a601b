import CMallocCounter
import HTTPWire
import XCTest
@testable import HTTP2Wire

final class HPACKAllocationTests: XCTestCase {
    /// A warmed decoder and list decode typical request blocks without touching the heap. Measured in
    /// release builds only, as this package is built (unoptimized code boxes and copies).
    func testH2HPACKDecodingWarmTableAllocatesNothing() throws {
        var encoder = HPACKEncoder(policy: .standard, huffman: .whenShorter)
        var blocks: [[UInt8]] = []
        for number in 0..<4 {
            var out: [UInt8] = []
            encoder.encode([
                (":method", number % 2 == 0 ? "GET" : "POST"), (":scheme", "https"), (":authority", "example.com"),
                (":path", "/items/\(number)?page=\(number * 7)"), ("user-agent", "Mozilla/5.0 (X11; Linux x86_64) Gecko/20100101"),
                ("accept", "text/html,application/xhtml+xml"), ("accept-encoding", "gzip, deflate, br"),
                ("cookie", "session=\(number)abcdef0123456789"), ("x-request-id", "\(number)-4f1c-8a2e"),
            ].map { HeaderField($0.0, $0.1) }, into: &out)
            blocks.append(out)
        }
        // RFC 7541 Appendix C.4.1: the first request, Huffman-coded.
        blocks.append([0x82, 0x86, 0x84, 0x41, 0x8c, 0xf1, 0xe3, 0xc2, 0xe5, 0xf2, 0x3a, 0x6b, 0xa0, 0xab, 0x90, 0xf4, 0xff])
        var decoder = HPACKDecoder()
        var list = DecodedFieldList()
        var fieldCount = 0
        // Warm: the blocks re-insert their indexed fields until the table is full and its storage
        // (allocated at the first entry, grown as entries need) has reached its final size.
        for _ in 0..<20 { for block in blocks { _ = try decoder.decode(block, into: &list) } }
        malloc_counter_start()
        for _ in 0..<500 {
            for block in blocks {
                block.withUnsafeBytes { bytes in
                    if (try? decoder.decode(bytes, into: &list)) == .complete { fieldCount += list.count }
                }
            }
        }
        let allocations = malloc_counter_stop()
        XCTAssertEqual(fieldCount, 500 * (4 * 9 + 4))
        XCTAssertEqual(allocations, 0, "heap allocations while decoding 2500 header blocks")
    }
}
