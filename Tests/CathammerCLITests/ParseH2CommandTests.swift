import Foundation
import HTTP2Wire
import HTTPWire
import XCTest

/// `cathammer parse --protocol h2`, run as a binary on bytes written with HTTP2Wire's encoders.
final class ParseH2CommandTests: XCTestCase {
    private struct Writer {
        var bytes: [UInt8] = []
        var encoder = HPACKEncoder(policy: .indexEverything)

        static func client() -> Writer {
            var writer = Writer(bytes: HTTP2ConnectionPreface.bytes)
            HTTP2FrameEncoder.appendSettings([HTTP2Setting(.initialWindowSize, 1 << 20)], into: &writer.bytes)
            return writer
        }

        static func server() -> Writer {
            var writer = Writer()
            HTTP2FrameEncoder.appendSettings([], into: &writer.bytes)
            return writer
        }

        mutating func headers(_ stream: UInt32, _ fields: [(String, String)], endStream: Bool = false) {
            var block: [UInt8] = []
            encoder.encode(fields.map { HeaderField($0.0, $0.1) }, into: &block)
            HTTP2FrameEncoder.appendHeaders(streamID: stream, fieldBlock: block, endStream: endStream, into: &bytes)
        }

        mutating func data(_ stream: UInt32, _ text: String, endStream: Bool = false) {
            HTTP2FrameEncoder.appendData(streamID: stream, data: Array(text.utf8), endStream: endStream, into: &bytes)
        }
    }

    private let get = [(":method", "GET"), (":scheme", "https"), (":authority", "example.com"), (":path", "/")]

    func testClientStreamPrintsFramesBlocksAndRequests() throws {
        var w = Writer.client()
        w.headers(1, get + [("cookie", "a=1"), ("cookie", "b=2")], endStream: true)
        w.headers(3, [(":method", "POST"), (":scheme", "https"), (":authority", "example.com"), (":path", "/echo"),
                      ("content-length", "5")])
        w.data(3, "hello", endStream: true)
        HTTP2FrameEncoder.appendPing(opaqueData: 0x0102, into: &w.bytes)
        let result = try CathammerBinary.run(["parse", "--protocol", "h2", "--json"], stdin: w.bytes)
        XCTAssertEqual(result.status, 0, result.stdout + result.stderr)
        let report = try CathammerBinary.json(result.stdout)
        XCTAssertEqual(report["outcome"] as? String, "valid")
        XCTAssertEqual(report["protocol"] as? String, "h2")
        XCTAssertEqual(report["consumed"] as? Int, w.bytes.count)
        let frames = try XCTUnwrap(report["frames"] as? [[String: Any]])
        XCTAssertEqual(frames.map { $0["type"] as? String }, ["SETTINGS", "HEADERS", "HEADERS", "DATA", "PING"])
        XCTAssertEqual(frames[0]["settings"] as? [String], ["SETTINGS_INITIAL_WINDOW_SIZE=1048576"])
        let blockFields = try XCTUnwrap(frames[1]["fields"] as? [[String: String]])
        XCTAssertEqual(blockFields[0], ["name": ":method", "value": "GET", "representation": "indexed"])
        XCTAssertEqual(blockFields.count, 6)
        XCTAssertEqual(frames[4]["opaque_data"] as? String, "0000000000000102")
        let requests = try XCTUnwrap(report["requests"] as? [[String: Any]])
        XCTAssertEqual(requests.map { $0["stream"] as? Int }, [1, 3])
        XCTAssertEqual(requests[0]["method"] as? String, "GET")
        XCTAssertEqual(requests[0]["fields"] as? [[String: String]],
                       [["name": "host", "value": "example.com"], ["name": "cookie", "value": "a=1; b=2"]])
        XCTAssertEqual(requests[1]["body_length"] as? Int, 5)
        XCTAssertEqual(requests[1]["content_length"] as? Int, 5)
        XCTAssertNil(report["violation"])
    }

    func testViolationsExitOneWithCodeReasonAndSection() throws {
        var w = Writer.client()
        w.headers(1, get + [("transfer-encoding", "chunked")], endStream: true)
        w.headers(3, get, endStream: true)
        let stream = try CathammerBinary.run(["parse", "--protocol", "h2"], stdin: w.bytes)
        XCTAssertEqual(stream.status, 1, stream.stdout + stream.stderr)
        let report = try CathammerBinary.json(stream.stdout)
        XCTAssertEqual(report["outcome"] as? String, "rejected")
        let violation = try XCTUnwrap(report["violation"] as? [String: Any])
        XCTAssertEqual(violation["scope"] as? String, "stream")
        XCTAssertEqual(violation["stream"] as? Int, 1)
        XCTAssertEqual(violation["code"] as? String, "PROTOCOL_ERROR")
        XCTAssertEqual(violation["reason"] as? String, "connection-specific-field")
        XCTAssertEqual(violation["rfc_section"] as? String, "RFC 9113 §8.2.2")
        // A stream error costs only its stream: the next request is still formed.
        XCTAssertEqual((report["requests"] as? [[String: Any]])?.map { $0["stream"] as? Int }, [3])

        let preface = try CathammerBinary.run(["parse", "--protocol", "h2", "--human"], stdin: Array("GET / HTTP/1.1\r\n\r\n".utf8))
        XCTAssertEqual(preface.status, 1)
        XCTAssertTrue(preface.stdout.contains("connection error PROTOCOL_ERROR: bad-connection-preface (RFC 9113 §3.4) at byte 0"),
                      preface.stdout)
    }

    func testResponseModeWithHumanTextAndHeadRequests() throws {
        var w = Writer.server()
        w.headers(1, [(":status", "103"), ("link", "</a.css>; rel=preload")])
        w.headers(1, [(":status", "200"), ("content-length", "2")])
        w.data(1, "ok", endStream: true)
        w.headers(3, [(":status", "200"), ("content-length", "40")], endStream: true)
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("cathammer-parse-h2-\(getpid()).bin")
        try Data(w.bytes).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }

        let result = try CathammerBinary.run(["parse", "--protocol", "h2", "--response", "--human",
                                              "--request-method", "GET", "HEAD", "--", file.path])
        XCTAssertEqual(result.status, 0, result.stdout + result.stderr)
        XCTAssertTrue(result.stdout.contains("response on stream 1: 200 after 103, body 2 bytes"), result.stdout)
        XCTAssertTrue(result.stdout.contains("    link: </a.css>; rel=preload  [incremental-indexing]"), result.stdout)
        XCTAssertTrue(result.stdout.contains("valid: 5 frame(s), 2 response(s)"), result.stdout)

        // Without knowing stream 3 answered a HEAD, its content-length of 40 with no DATA is malformed (§8.1.1).
        let strict = try CathammerBinary.run(["parse", "--protocol", "h2", "--response", file.path])
        XCTAssertEqual(strict.status, 1)
        let violation = try XCTUnwrap(try CathammerBinary.json(strict.stdout)["violation"] as? [String: Any])
        XCTAssertEqual(violation["reason"] as? String, "content-length-mismatch")
        XCTAssertEqual(violation["stream"] as? Int, 3)
    }

    func testInputEndingInsideAFrameOrAStreamExitsThree() throws {
        var w = Writer.client()
        w.headers(1, [(":method", "POST"), (":scheme", "https"), (":authority", "x"), (":path", "/")])
        let open = try CathammerBinary.run(["parse", "--protocol", "h2"], stdin: w.bytes)
        XCTAssertEqual(open.status, 3, open.stdout)
        XCTAssertEqual(try CathammerBinary.json(open.stdout)["incomplete_streams"] as? [Int], [1])

        let cut = try CathammerBinary.run(["parse", "--protocol", "h2", "--human"], stdin: Array(w.bytes.dropLast(3)))
        XCTAssertEqual(cut.status, 3)
        XCTAssertTrue(cut.stdout.contains("input ends inside a frame or field block"), cut.stdout)
    }

    func testUsageErrorsExitTwo() throws {
        let badProtocol = try CathammerBinary.run(["parse", "--protocol", "h3"])
        XCTAssertEqual(badProtocol.status, 2)
        XCTAssertTrue(badProtocol.stderr.contains("--protocol"), badProtocol.stderr)

        let both = try CathammerBinary.run(["parse", "--protocol", "h2", "--human", "--json"])
        XCTAssertEqual(both.status, 2)
        XCTAssertTrue(both.stderr.contains("--human and --json"), both.stderr)

        let methods = try CathammerBinary.run(["parse", "--protocol", "h2", "--request-method", "HEAD"])
        XCTAssertEqual(methods.status, 2)
        XCTAssertTrue(methods.stderr.contains("--request-method"), methods.stderr)
    }
}
