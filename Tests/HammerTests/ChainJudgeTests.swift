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
