import HTTPWire
import XCTest
@testable import HTTP2Wire

/// "8286 8441" → [0x82, 0x86, 0x84, 0x41]; spaces and newlines ignored.
func hexBytes(_ text: String) -> [UInt8] {
    let digits = Array(text.unicodeScalars.filter { !$0.properties.isWhitespace })
    precondition(digits.count % 2 == 0, "odd number of hex digits")
    return stride(from: 0, to: digits.count, by: 2).map { UInt8(String(digits[$0]) + String(digits[$0 + 1]), radix: 16)! }
}

func hexString(_ bytes: [UInt8]) -> String {
    bytes.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
}

func pairs(_ list: DecodedFieldList) -> [String] {
    list.headerFields.map { String(decoding: $0.name, as: UTF8.self) + ": " + String(decoding: $0.value, as: UTF8.self) }
}

func pairs(_ table: HPACKDynamicTable) -> [String] {
    table.fields.map { String(decoding: $0.name, as: UTF8.self) + ": " + String(decoding: $0.value, as: UTF8.self) }
}

func fields(_ list: [(String, String)]) -> [HeaderField] { list.map { HeaderField($0.0, $0.1) } }

/// Decodes `block` and returns the violation it raises, failing the test if it raises none.
func decodingViolation(_ block: [UInt8], decoder: inout HPACKDecoder,
                       file: StaticString = #filePath, line: UInt = #line) -> HTTP2Violation? {
    var list = DecodedFieldList()
    do {
        let status = try decoder.decode(block, into: &list)
        XCTFail("block \(hexString(block)) decoded (\(status)): \(pairs(list))", file: file, line: line)
        return nil
    } catch {
        return error
    }
}

func decodingViolation(_ block: [UInt8], file: StaticString = #filePath, line: UInt = #line) -> HTTP2Violation? {
    var decoder = HPACKDecoder()
    return decodingViolation(block, decoder: &decoder, file: file, line: line)
}
