import Foundation
import XCTest

final class ParseCommandTests: XCTestCase {
    func testValidStreamPrintsEveryRequestAndExitsZero() throws {
        let result = try CathammerBinary.run(["parse"], stdin: Array("""
            GET /a HTTP/1.1\r\nHost: x\r\n\r\nPOST /b HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n
            """.utf8))
        XCTAssertEqual(result.status, 0, result.stderr)
        let report = try CathammerBinary.json(result.stdout)
        XCTAssertEqual(report["outcome"] as? String, "valid")
        XCTAssertEqual(report["consumed"] as? Int, report["input_bytes"] as? Int)
        let requests = try XCTUnwrap(report["requests"] as? [[String: Any]])
        XCTAssertEqual(requests.count, 2)
        XCTAssertEqual(requests[0]["target"] as? String, "/a")
        XCTAssertEqual(requests[0]["framing"] as? String, "none")
        XCTAssertEqual(requests[1]["method"] as? String, "POST")
        XCTAssertEqual(requests[1]["framing"] as? String, "chunked")
        XCTAssertEqual(requests[1]["body_length"] as? Int, 3)
        XCTAssertEqual(requests[1]["offset"] as? Int, 28)
    }

    func testRejectedRequestReportsStatusReasonAndSectionAndExitsOne() throws {
        let result = try CathammerBinary.run(["parse", "--escaped"], stdin: Array(
            "POST / HTTP/1.1\\r\\nHost: x\\r\\nContent-Length: 6\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\n0\\r\\n\\r\\nX\n".utf8))
        XCTAssertEqual(result.status, 1)
        let report = try CathammerBinary.json(result.stdout)
        XCTAssertEqual(report["outcome"] as? String, "rejected")
        let refused = try XCTUnwrap((report["requests"] as? [[String: Any]])?.last)
        XCTAssertEqual(refused["accepted"] as? Bool, false)
        XCTAssertEqual(refused["status"] as? Int, 400)
        XCTAssertEqual(refused["reason"] as? String, "te-with-content-length")
        XCTAssertEqual(refused["rfc_section"] as? String, "RFC 9112 §6.3")
        XCTAssertEqual(refused["closes_connection"] as? Bool, true)
    }

    func testIncompleteStreamExitsThree() throws {
        let result = try CathammerBinary.run(["parse"], stdin: Array("GET / HTTP/1.1\r\nHost: x\r\n\r\nPOST / HTTP/1.1\r\nHo".utf8))
        XCTAssertEqual(result.status, 3)
        let report = try CathammerBinary.json(result.stdout)
        XCTAssertEqual(report["outcome"] as? String, "incomplete")
        XCTAssertEqual(report["incomplete_at"] as? Int, 27)
    }

    func testHumanFormAndFileArgument() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("cathammer-parse-\(getpid()).http")
        try Data("GET / HTTP/1.1\r\nHost: x\r\nHost: y\r\n\r\n".utf8).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let result = try CathammerBinary.run(["parse", "--human", file.path])
        XCTAssertEqual(result.status, 1)
        XCTAssertTrue(result.stdout.contains("rejected: 400 host-duplicate (RFC 9112 §3.2, MUST) at byte 25"), result.stdout)
    }

    func testNonPrintableBytesAreEscapedInJSON() throws {
        let result = try CathammerBinary.run(["parse"], stdin: Array("GET / HTTP/1.1\r\nHost: x\r\nX: caf".utf8) + [0xC3, 0xA9] + Array("\r\n\r\n".utf8))
        XCTAssertEqual(result.status, 0)
        let fields = try XCTUnwrap((try CathammerBinary.json(result.stdout)["requests"] as? [[String: Any]])?.first?["fields"] as? [[String: String]])
        XCTAssertEqual(fields.last?["value"], "caf\\xc3\\xa9")
    }

    func testUsageErrorsExitTwoAndNameTheProblem() throws {
        let unknown = try CathammerBinary.run(["parse", "--no-such-flag"])
        XCTAssertEqual(unknown.status, 2)
        XCTAssertTrue(unknown.stderr.contains("--no-such-flag"), unknown.stderr)

        let missing = try CathammerBinary.run(["parse", "/nonexistent/cathammer-input"])
        XCTAssertEqual(missing.status, 2)
        XCTAssertTrue(missing.stderr.contains("/nonexistent/cathammer-input"), missing.stderr)

        let badEscape = try CathammerBinary.run(["parse", "--escaped"], stdin: Array("GET / HTTP/1.1\\q".utf8))
        XCTAssertEqual(badEscape.status, 2)
        XCTAssertTrue(badEscape.stderr.contains("--escaped"), badEscape.stderr)

        let noCommand = try CathammerBinary.run(["frobnicate"])
        XCTAssertEqual(noCommand.status, 2)
    }

    func testResponseStreamIsSplitExactly() throws {
        let result = try CathammerBinary.run(["parse", "--response", "--request-method", "GET", "HEAD", "GET"], stdin: Array("""
            HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok\
            HTTP/1.1 200 OK\r\nContent-Length: 50\r\n\r\n\
            HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nhi\r\n0\r\n\r\n
            """.utf8))
        XCTAssertEqual(result.status, 0, result.stdout + result.stderr)
        let report = try CathammerBinary.json(result.stdout)
        let responses = try XCTUnwrap(report["responses"] as? [[String: Any]])
        XCTAssertEqual(responses.map { $0["status"] as? Int }, [100, 200, 200, 200])
        XCTAssertEqual(responses.map { $0["interim"] as? Bool }, [true, false, false, false])
        XCTAssertEqual(responses.map { $0["body_length"] as? Int }, [0, 2, 0, 2])
    }

    func testTruncatedResponseExitsThree() throws {
        let result = try CathammerBinary.run(["parse", "--response", "--human"],
                                             stdin: Array("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc".utf8))
        XCTAssertEqual(result.status, 3)
        XCTAssertTrue(result.stdout.contains("truncated"), result.stdout)
    }
}
