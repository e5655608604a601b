import CathammerContract
@testable import Hammer
import HTTPWire
import XCTest

/// The chain judge without sockets: windows built by hand.
final class ChainJudgeTests: XCTestCase {
    func view(_ method: String, _ target: String, fields: [(String, String)], body: [UInt8] = []) -> EchoView {
        EchoView(method: method, target: target, targetForm: "origin", version: "HTTP/1.1", authority: nil,
                 headers: fields.map { EchoView.Field(name: $0.0, value: $0.1, valueBase64: nil) },
                 framing: body.isEmpty ? "none" : "content-length", bodyLength: body.count, bodySHA256: SHA256Hex.of(body),
                 trailers: [], keepAlive: true)
    }

    func window(_ views: [EchoView], bytes: Int = 10) -> OriginWindow {
        let requests = views.enumerated().map { OriginConnection.Request(sequence: $0.offset + 2, start: 0, end: bytes, view: $0.element) }
        return OriginWindow(connections: [.init(id: 1, bytes: Array(repeating: 0x41, count: bytes), startOffset: 0, requests: requests,
                                                rejections: [], opened: true, peerClosed: false, closed: false, unfinishedBytes: 0,
                                                carriedOver: false)], fence: .seen)
    }

    func testLineEndingsARecipientMayAcceptDoNotCountAsInjection() {
        // A lone LF may end a line (RFC 9112 §2.2); a colon-less line kept as a field came from the client.
        let client = ChainJudge.ClientStream(sent: Array("GET / HTTP/1.1\r\nHost: a\nX-Lf: 1\r\nbare\r\n\r\n".utf8))
        XCTAssertNotNil(client.violation)
        let found = ChainJudge.judge(client: client, origin: window([view("GET", "/", fields: [("Host", "a"), ("X-Lf", "1"), ("bare", "")])]))
        XCTAssertFalse(found.contains { $0.kind == .injectedField }, found.map(\.line).joined(separator: "\n"))
    }

    func testBareCRSplitIsInjection() {
        let client = ChainJudge.ClientStream(sent: Array("GET / HTTP/1.1\r\nHost: a\r\nX-A: a\rX-B: b\r\n\r\n".utf8))
        let found = ChainJudge.judge(client: client, origin: window([view("GET", "/", fields: [("Host", "a"), ("X-A", "a"), ("X-B", "b")])]))
        XCTAssertEqual(found.filter { $0.kind == .injectedField }.map(\.key), ["x-b"])
    }

    func testMoreRequestsThanTheClientSentIsRequestCountAndProxyFieldsAreNormalization() {
        let client = ChainJudge.ClientStream(sent: Array("GET /a HTTP/1.1\r\nHost: a\r\n\r\n".utf8))
        let found = ChainJudge.judge(client: client, origin: window([
            view("GET", "/a", fields: [("Host", "a"), ("Via", "1.1 front"), ("X-Forwarded-For", "127.0.0.1")]),
            view("GET", "/smuggled", fields: [("Host", "a")]),
        ]))
        XCTAssertEqual(found.filter { !$0.kind.informational }.map(\.key), ["more-requests"])
        XCTAssertTrue(found.contains { $0.kind == .normalization && $0.detail.contains("added via, x-forwarded-for") })
    }

    func testADifferentBodyIsFraming() {
        let client = ChainJudge.ClientStream(sent: Array("POST /a HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nabc".utf8))
        let found = ChainJudge.judge(client: client, origin: window([view("POST", "/a", fields: [("Host", "a"), ("Content-Length", "2")], body: Array("ab".utf8))]))
        XCTAssertEqual(found.filter { !$0.kind.informational }.map(\.kind), [.framing])
    }
}

extension ChainJudgeTests {
    func testAGetBodyReadAndDroppedIsNormalization() {
        let client = ChainJudge.ClientStream(sent: Array("GET /a HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nabc".utf8))
        let found = ChainJudge.judge(client: client, origin: window([view("GET", "/a", fields: [("Host", "a")])]))
        XCTAssertEqual(found.filter { !$0.kind.informational }.map(\.kind), [])
        XCTAssertTrue(found.contains { $0.basis == "RFC 9110 §9.3.1" })
    }
}

/// The HTTP/2 → HTTP/1.1 downgrade classes, judged on hand-built origin windows.
extension ChainJudgeTests {
    func h2Case(_ frames: [String]) throws -> H2ClientRequests {
        let yaml = """
            id: H2-CHAIN-TEST
            title: 'chain test'
            category: h2-semantics
            protocol: h2
            level: MAY
            rfc: RFC 9113 §8.1.1
            why: test
            steps:
            \(frames.map { "  - frame: \($0)" }.joined(separator: "\n"))
            expect:
              pass: ["200"]
            """
        let testCase = try CorpusCase.load(path: "corpus/h2-semantics/H2-CHAIN-TEST.yaml", text: yaml)
        return H2ClientRequests(script: try XCTUnwrap(testCase.h2), authority: "a")
    }

    func connection(_ text: String, requests: [EchoView]) -> OriginWindow {
        let bytes = Array(text.utf8)
        return OriginWindow(connections: [.init(id: 1, bytes: bytes, startOffset: 0,
            requests: requests.enumerated().map { .init(sequence: $0.offset + 2, start: 0, end: bytes.count, view: $0.element) },
            rejections: [], opened: true, peerClosed: false, closed: false, unfinishedBytes: 0, carriedOver: false)], fence: .seen)
    }

    func testH2ContentLengthAndTransferEncodingPassedThrough() throws {
        let client = try h2Case([
            "{type: HEADERS, stream: 1, flags: [END_HEADERS], request: POST /echo, fields: ['content-length: 0', 'transfer-encoding: chunked']}",
            "{type: DATA, stream: 1, flags: [END_STREAM], data: 'GET /x HTTP/1.1'}",
        ])
        let origin = connection("POST /echo HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n", requests: [
            view("POST", "/echo", fields: [("Host", "a"), ("Transfer-Encoding", "chunked")]),
        ])
        let found = ChainJudge.judgeH2(client: client, origin: origin)
        XCTAssertEqual(Set(found.filter { $0.kind == .h2TransferEncodingOrLength }.map(\.key)), ["h2-te", "h2-cl"], found.map(\.line).joined(separator: "\n"))
        XCTAssertTrue(found.contains { $0.kind == .framing })
    }

    func testPseudoHeaderBytesInTheOriginRequestLine() throws {
        let client = try h2Case(["{type: HEADERS, stream: 1, flags: [END_STREAM, END_HEADERS], fields: [':method: GET', ':scheme: http', ':path: / HTTP/1.1', ':authority: a']}"])
        let origin = connection("GET / HTTP/1.1 HTTP/1.1\r\nHost: a\r\n\r\n", requests: [])
        XCTAssertEqual(ChainJudge.judgeH2(client: client, origin: origin).filter { !$0.kind.informational }.map(\.kind), [.pseudoHeaderLeakage])
    }

    func testAStreamTheFrontRefusedDoesNotTakeTheNextStreamsRequest() throws {
        // Stream 1 is malformed (H2.CL) and refused by the front; only stream 3 reaches the origin.
        let client = try h2Case([
            "{type: HEADERS, stream: 1, flags: [END_HEADERS], request: POST /echo, fields: ['content-length: 40']}",
            "{type: DATA, stream: 1, flags: [END_STREAM], data: 'hello'}",
            "{type: HEADERS, stream: 3, flags: [END_STREAM, END_HEADERS], request: GET /cats/1}",
        ])
        let origin = connection("GET /cats/1 HTTP/1.1\r\nHost: a\r\n\r\n", requests: [view("GET", "/cats/1", fields: [("Host", "a")])])
        XCTAssertEqual(ChainJudge.judgeH2(client: client, origin: origin).filter { !$0.kind.informational }.map(\.line), [])
        // Forwarded with its length, stream 1 is still found.
        let both = connection("POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 40\r\n\r\nhelloGET /cats/1 HTTP/1.1\r\nHost: a\r\n\r\n",
                              requests: [view("POST", "/echo", fields: [("Host", "a"), ("Content-Length", "40")], body: Array("helloGET /cats/1 HTTP/1.1\r\nHost: a\r\n\r\n".utf8).prefix(40).map { $0 })])
        XCTAssertTrue(ChainJudge.judgeH2(client: client, origin: both).contains { $0.kind == .h2TransferEncodingOrLength })
    }

    func testAFrontsOwnChunkedFramingOfTheDataIsNotH2TE() throws {
        let client = try h2Case([
            "{type: HEADERS, stream: 1, flags: [END_HEADERS], request: POST /echo, fields: ['transfer-encoding: chunked']}",
            "{type: DATA, stream: 1, flags: [END_STREAM], data: '0\\r\\n\\r\\nGET /x HTTP/1.1\\r\\n\\r\\n'}",
        ])
        let data = Array("0\r\n\r\nGET /x HTTP/1.1\r\n\r\n".utf8)
        var rechunked = view("POST", "/echo", fields: [("Host", "a"), ("Transfer-Encoding", "chunked")], body: data)
        rechunked.framing = "chunked"
        let origin = connection("POST /echo HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n18\r\n0\r\n\r\nGET /x HTTP/1.1\r\n\r\n\r\n0\r\n\r\n",
                                requests: [rechunked])
        let found = ChainJudge.judgeH2(client: client, origin: origin)
        XCTAssertEqual(found.filter { !$0.kind.informational }.map(\.line), [])
        XCTAssertTrue(found.contains { $0.kind == .normalization && $0.detail.contains("chunked framing") })
        // The same field, but the origin stopped at the zero chunk: H2.TE.
        var stopped = rechunked
        stopped.bodyLength = 0
        stopped.bodySHA256 = SHA256Hex.of([])
        let smuggled = connection("POST /echo HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /x HTTP/1.1\r\n\r\n", requests: [stopped])
        XCTAssertTrue(ChainJudge.judgeH2(client: client, origin: smuggled).contains { $0.kind == .h2TransferEncodingOrLength && $0.key == "h2-te" })
    }

    func testAnAbsoluteFormPathReachingTheRequestLineIsLeakage() throws {
        let client = try h2Case(["{type: HEADERS, stream: 1, flags: [END_STREAM, END_HEADERS], fields: [':method: GET', ':scheme: http', ':path: http://evil.example/admin', ':authority: a']}"])
        let origin = connection("GET http://evil.example/admin HTTP/1.1\r\nHost: a\r\n\r\n", requests: [view("GET", "http://evil.example/admin", fields: [("Host", "a")])])
        XCTAssertEqual(ChainJudge.judgeH2(client: client, origin: origin).filter { !$0.kind.informational }.map(\.kind), [.pseudoHeaderLeakage])
    }

    func testUpgradeH2CForwarded() throws {
        let client = try h2Case(["{type: HEADERS, stream: 1, flags: [END_STREAM, END_HEADERS], request: GET /, fields: ['upgrade: h2c']}"])
        let origin = connection("GET / HTTP/1.1\r\nHost: a\r\nUpgrade: h2c\r\n\r\n", requests: [view("GET", "/", fields: [("Host", "a"), ("Upgrade", "h2c")])])
        XCTAssertEqual(ChainJudge.judgeH2(client: client, origin: origin).filter { !$0.kind.informational }.map(\.kind), [.upgradeH2C])
    }
}

extension ChainJudgeTests {
    func testRequestsBehindARefusalThatIsNotAboutFramingAreOrdinaryPipelining() {
        // No Host (a 400, RFC 9112 §3.2) says nothing about where the request ends: the requests
        // behind it are framed alike by everyone, and forwarding them is no desync.
        let client = ChainJudge.ClientStream(sent: Array("GET /a HTTP/1.1\r\n\r\nGET /b HTTP/1.1\r\nHost: a\r\nX-Cat: tom\r\n\r\n".utf8))
        XCTAssertFalse(client.refusalConcernsFraming)
        let found = ChainJudge.judge(client: client, origin: window([view("GET", "/a", fields: []), view("GET", "/b", fields: [("Host", "a"), ("X-Cat", "tom")])]))
        XCTAssertEqual(found.filter { !$0.kind.informational }.map(\.line), [])
    }
}

extension ChainJudgeTests {
    func testTheOriginsSizeLimitsAreNotForwardedInvalid() {
        let client = ChainJudge.ClientStream(sent: Array("GET /a HTTP/1.1\r\nHost: a\r\n\r\n".utf8))
        var origin = window([])
        origin.connections[0].rejections = [.init(sequence: 3, offset: 5, status: 431, reason: "field-too-large", rfcSection: "RFC 6585 §5")]
        XCTAssertEqual(ChainJudge.judge(client: client, origin: origin).filter { !$0.kind.informational }.map(\.kind), [])
        origin.connections[0].rejections = [.init(sequence: 3, offset: 5, status: 400, reason: "bare-lf", rfcSection: "RFC 9112 §2.2")]
        XCTAssertEqual(ChainJudge.judge(client: client, origin: origin).filter { !$0.kind.informational }.map(\.kind), [.forwardedInvalid])
    }
}
