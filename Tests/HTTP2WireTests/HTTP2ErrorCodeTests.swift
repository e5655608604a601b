import XCTest
@testable import HTTP2Wire

final class HTTP2ErrorCodeTests: XCTestCase {
    func testEveryNamedCodeRoundTripsThroughItsName() {
        XCTAssertEqual(HTTP2ErrorCode.names.count, 14)
        for (code, name) in HTTP2ErrorCode.names {
            XCTAssertEqual(code.name, name)
            XCTAssertEqual(HTTP2ErrorCode(name: name), code)
        }
        XCTAssertEqual(HTTP2ErrorCode.http11Required.rawValue, 0xd)
    }

    func testUnknownCodesPrintAsHexAndUnknownNamesAreRejected() {
        XCTAssertEqual(HTTP2ErrorCode(rawValue: 0x2a).name, "0x2a")
        XCTAssertNil(HTTP2ErrorCode(name: "PROTOCOL"))
    }

    func testViolationDescriptionNamesScopeCodeAndSection() {
        let stream = HTTP2Violation.stream(3, "pseudo-header-after-field", .protocolError, "RFC 9113 §8.3")
        XCTAssertEqual(stream.description, "stream 3 error PROTOCOL_ERROR: pseudo-header-after-field (RFC 9113 §8.3)")
        XCTAssertFalse(stream.isConnectionError)
        let connection = HTTP2Violation.connection("bad-preface", .protocolError, "RFC 9113 §3.4")
        XCTAssertTrue(connection.isConnectionError)
    }
}
