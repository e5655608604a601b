import HTTPWire
import XCTest
@testable import Hammer

final class EchoFramingTests: XCTestCase {
    /// SHA-256 of "hello".
    let helloHash = "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"

    func strictRequests(_ text: String) -> [ParsedRequest] {
        var parser = RequestStreamParser()
        parser.feed(Array(text.utf8))
        return parser.requests
    }

    func response(_ status: Int, _ body: String) -> ResponseMessage {
        var message = ResponseMessage()
        message.status = status
        message.body = Array(body.utf8)
        return message
    }

    func testBothEchoDialectsAreRead() {
        XCTAssertEqual(EchoedFraming(responseBody: Array("{\"body_length\":5,\"body_sha256\":\"\(helloHash)\",\"method\":\"POST\"}\n".utf8)),
                       EchoedFraming(bodyLength: 5, bodySHA256: helloHash))
        XCTAssertEqual(EchoedFraming(responseBody: Array("ok 12\n".utf8)), EchoedFraming(bodyLength: 12, bodySHA256: nil))
        for other in ["ok", "ok -1", "ok twelve", "{\"cats\": 3}", "<html>", "", "{broken"] {
            XCTAssertNil(EchoedFraming(responseBody: Array(other.utf8)), other)
        }
    }

    func testAgreementAndEachKindOfDisagreement() {
        let requests = strictRequests("POST /echo HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n"
                                      + "GET /echo HTTP/1.1\r\nHost: a\r\n\r\n")
        XCTAssertEqual(requests.count, 2)
        let agreeing = [response(200, "{\"body_length\":5,\"body_sha256\":\"\(helloHash)\"}"), response(200, "ok 0\n")]
        XCTAssertEqual(EchoFramingCheck.disagreements(strict: requests, finalResponses: agreeing), [])

        let shortBody = [response(200, "ok 0\n"), response(200, "ok 0\n")]
        XCTAssertEqual(EchoFramingCheck.disagreements(strict: requests, finalResponses: shortBody),
                       ["framing: request 1: the target read a body of 0 bytes, the strict parser frames 5"])

        let otherBytes = [response(200, "{\"body_length\":5,\"body_sha256\":\"\(String(repeating: "0", count: 64))\"}"), response(200, "ok 3\n")]
        let found = EchoFramingCheck.disagreements(strict: requests, finalResponses: otherBytes)
        XCTAssertEqual(found.count, 2, "\(found)")
        XCTAssertTrue(found[0].hasPrefix("framing: request 1: the target read 5 body bytes with SHA-256 000000000000…"), found[0])
        XCTAssertEqual(found[1], "framing: request 2: the target read a body of 3 bytes, the strict parser frames 0")
    }

    func testOnlySuccessfulEchoesAreCompared() {
        let requests = strictRequests("POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello")
        XCTAssertEqual(EchoFramingCheck.disagreements(strict: requests, finalResponses: [response(400, "ok 0\n")]), [],
                       "a rejection is judged by its status, not its body")
        XCTAssertEqual(EchoFramingCheck.disagreements(strict: requests, finalResponses: [response(200, "<h1>cats</h1>")]), [],
                       "a target that does not echo is not framing-checked")
        XCTAssertEqual(EchoFramingCheck.disagreements(strict: [], finalResponses: [response(200, "ok 9\n")]), [],
                       "a response with no strict request to pair with is the response count's business")
    }
}
