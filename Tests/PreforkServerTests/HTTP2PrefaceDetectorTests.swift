import HTTP2Wire
import XCTest
@testable import PreforkServer

final class HTTP2PrefaceDetectorTests: XCTestCase {
    private func judge(_ bytes: [UInt8]) -> HTTP2PrefaceDetector.Verdict {
        bytes.withUnsafeBytes { HTTP2PrefaceDetector.judge($0) }
    }

    func testThePrefaceAtEverySplitIsUndecidedThenHTTP2() {
        let preface = HTTP2ConnectionPreface.bytes
        XCTAssertEqual(judge([]), .undecided)
        for count in 1..<preface.count { XCTAssertEqual(judge(Array(preface[0..<count])), .undecided, "\(count) bytes") }
        XCTAssertEqual(judge(preface), .http2)
        XCTAssertEqual(judge(preface + [0, 0, 0, 4]), .http2, "frames may follow in the same read")
    }

    func testRequestsAndNearMissesAreHTTP1() {
        XCTAssertEqual(judge(Array("GET / HTTP/1.1\r\n".utf8)), .http1)
        XCTAssertEqual(judge(Array("PUT / HTTP/1.1\r\n".utf8)), .http1, "decided at the second byte")
        XCTAssertEqual(judge(Array("PRI * HTTP/2.0\r\n\r\nXX".utf8)), .http1)
        XCTAssertEqual(judge(Array("POST /".utf8)), .http1)
    }
}
