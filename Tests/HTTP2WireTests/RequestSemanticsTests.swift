import HTTPWire
import XCTest
@testable import HTTP2Wire

/// RFC 9113 §8 over decoded field lists: one test per rule, each asserting the reason and section.
final class RequestSemanticsTests: XCTestCase {
    static let base = [(":method", "GET"), (":scheme", "https"), (":authority", "example.com"), (":path", "/")]

    /// Field lists go through the real encoder and decoder, so they are what a peer could send.
    private func list(_ fields: [([UInt8], [UInt8])]) -> DecodedFieldList {
        var encoder = HPACKEncoder(policy: .noIndexing, huffman: .never)
        var block: [UInt8] = []
        encoder.beginBlock(into: &block)
        for (name, value) in fields {
            name.withUnsafeBytes { name in value.withUnsafeBytes { value in encoder.append(name: name, value: value, into: &block) } }
        }
        var decoder = HPACKDecoder()
        var list = DecodedFieldList()
        XCTAssertEqual(try decoder.decode(block, into: &list), .complete)
        return list
    }

    private func list(_ fields: [(String, String)]) -> DecodedFieldList {
        list(fields.map { (Array($0.0.utf8), Array($0.1.utf8)) })
    }

    private func accept(_ fields: [(String, String)], file: StaticString = #filePath, line: UInt = #line) -> (H2RequestHead, DecodedFieldList)? {
        let decoded = list(fields)
        do {
            return (try H2RequestValidator.validateRequest(decoded, streamID: 1), decoded)
        } catch {
            XCTFail("refused: \(error)", file: file, line: line)
            return nil
        }
    }

    private func assertMalformed(_ decoded: DecodedFieldList, _ reason: String, _ section: String, trailers: Bool = false,
                                 file: StaticString = #filePath, line: UInt = #line) {
        do {
            if trailers {
                try H2RequestValidator.validateTrailers(decoded, streamID: 7)
            } else {
                let head = try H2RequestValidator.validateRequest(decoded, streamID: 7)
                XCTFail("accepted: \(head)", file: file, line: line)
            }
            if trailers { XCTFail("trailers accepted: \(pairs(decoded))", file: file, line: line) }
        } catch {
            XCTAssertEqual(error.reason, reason, file: file, line: line)
            XCTAssertEqual(error.rfcSection, section, file: file, line: line)
            XCTAssertEqual(error.scope, .stream(7), file: file, line: line)
            XCTAssertEqual(error.code, .protocolError, file: file, line: line)
        }
    }

    private func assertMalformed(_ fields: [(String, String)], _ reason: String, _ section: String = "RFC 9113 §8.3.1",
                                 file: StaticString = #filePath, line: UInt = #line) {
        assertMalformed(list(fields), reason, section, file: file, line: line)
    }

    private func text(_ list: DecodedFieldList, _ range: Range<Int>?) -> String? {
        range.map { String(decoding: list.bytes[$0], as: UTF8.self) }
    }

    // MARK: Valid requests

    func testValidRequestIsLocated() throws {
        guard let (head, decoded) = accept(Self.base.dropLast() + [(":path", "/a/b?x=1&y"), ("accept", "*/*"), ("user-agent", "t")])
        else { return }
        XCTAssertEqual(text(decoded, head.method), "GET")
        XCTAssertEqual(head.knownMethod, .get)
        XCTAssertEqual(text(decoded, head.scheme), "https")
        XCTAssertEqual(text(decoded, head.authority), "example.com")
        XCTAssertEqual(text(decoded, head.target), "/a/b?x=1&y")
        XCTAssertEqual(text(decoded, head.path), "/a/b")
        XCTAssertEqual(text(decoded, head.query), "x=1&y")
        XCTAssertEqual(head.targetForm, .origin)
        XCTAssertEqual(head.regularFields, 4..<6)
        XCTAssertNil(head.contentLength)
        XCTAssertNil(head.hostField)
        XCTAssertEqual(head.streamID, 1)
    }

    func testPseudoHeadersMayComeInAnyOrderAndRegularFieldsMayBeAbsent() {
        XCTAssertNotNil(accept([(":path", "/"), (":authority", "a"), (":scheme", "http"), (":method", "POST")]))
        XCTAssertNotNil(accept([(":method", "GET"), (":scheme", "https"), (":path", "/")]), ":authority is optional")
    }

    // MARK: §8.3 pseudo-headers

    func testMissingPseudoHeadersAreMalformed() {
        for missing in [":method", ":scheme", ":path"] {
            assertMalformed(Self.base.filter { $0.0 != missing }, "pseudo-header-missing")
        }
    }

    func testDuplicatePseudoHeadersAreMalformed() {
        for duplicate in Self.base {
            assertMalformed(Self.base + [duplicate], "pseudo-header-duplicate")
        }
        assertMalformed(Self.base + [(":path", "/other")], "pseudo-header-duplicate")
    }

    func testPseudoHeaderAfterARegularFieldIsMalformed() {
        assertMalformed([(":method", "GET"), (":scheme", "https"), ("accept", "*/*"), (":path", "/")],
                        "pseudo-header-after-field", "RFC 9113 §8.3")
    }

    func testUnknownAndResponsePseudoHeadersAreMalformed() {
        assertMalformed(Self.base + [(":protocol", "websocket")], "pseudo-header-unknown", "RFC 9113 §8.3")
        assertMalformed(Self.base + [(":", "x")], "pseudo-header-unknown", "RFC 9113 §8.3")
        assertMalformed(Self.base + [(":Path", "/")], "pseudo-header-unknown", "RFC 9113 §8.3")
        assertMalformed(Self.base + [(":status", "200")], "pseudo-header-response-in-request", "RFC 9113 §8.3")
    }

    // MARK: §8.3.1 pseudo-header values

    func testPathRules() {
        func with(_ method: String, _ path: String) -> [(String, String)] {
            [(":method", method), (":scheme", "https"), (":authority", "example.com"), (":path", path)]
        }
        assertMalformed(with("GET", ""), "path-empty")
        assertMalformed(with("GET", "*"), "path-asterisk-not-options")
        assertMalformed(with("OPTIONS", "**"), "path-invalid")
        assertMalformed(with("GET", "index.html"), "path-invalid")
        assertMalformed(with("GET", "http://example.com/"), "path-invalid")
        assertMalformed(with("GET", "/a b"), "path-invalid")
        assertMalformed(with("GET", "/p HTTP/1.1"), "path-invalid")
        assertMalformed(with("GET", "/a#frag"), "path-invalid")
        assertMalformed(with("GET", "/%zz"), "path-invalid")
        guard let (head, _) = accept(with("OPTIONS", "*")) else { return }
        XCTAssertEqual(head.targetForm, .asterisk)
        XCTAssertEqual(head.path.count, 0)
        XCTAssertNotNil(accept(with("GET", "/%41?q=/?:@")))
    }

    func testMethodMustBeAToken() {
        assertMalformed([(":method", "")] + Self.base.dropFirst(), "method-invalid")
        assertMalformed([(":method", "GET /admin")] + Self.base.dropFirst(), "method-invalid")
        assertMalformed([(":method", "G(ET")] + Self.base.dropFirst(), "method-invalid")
        guard let (head, decoded) = accept([(":method", "PURGE")] + Self.base.dropFirst()) else { return }
        XCTAssertEqual(head.knownMethod, .other)
        XCTAssertEqual(text(decoded, head.method), "PURGE")
        XCTAssertEqual(accept([(":method", "get")] + Self.base.dropFirst())?.0.knownMethod, .other, "methods are case-sensitive")
    }

    func testSchemeMustBeASchemeNotAURL() {
        for scheme in ["", "https://evil.example/x", "1http", "ht tp"] {
            assertMalformed([(":method", "GET"), (":scheme", scheme), (":path", "/")], "scheme-invalid")
        }
        XCTAssertNotNil(accept([(":method", "GET"), (":scheme", "coap+tcp"), (":path", "/")]))
    }

    func testAuthorityRules() {
        func with(_ authority: String) -> [(String, String)] {
            [(":method", "GET"), (":scheme", "https"), (":authority", authority), (":path", "/")]
        }
        assertMalformed(with("user:pw@example.com"), "authority-userinfo")
        assertMalformed(with(""), "authority-invalid")
        assertMalformed(with("exa mple.com"), "authority-invalid")
        assertMalformed(with("example.com:http"), "authority-invalid")
        assertMalformed(with("example.com/path"), "authority-invalid")
        XCTAssertNotNil(accept(with("[::1]:8443")))
        XCTAssertNotNil(accept(with("example.com:443")))
    }

    // MARK: §8.5 CONNECT

    func testConnectTakesOnlyMethodAndAuthority() throws {
        guard let (head, decoded) = accept([(":method", "CONNECT"), (":authority", "proxy.example:443")]) else { return }
        XCTAssertTrue(head.isConnect)
        XCTAssertEqual(head.targetForm, .authority)
        XCTAssertEqual(text(decoded, head.target), "proxy.example:443")
        XCTAssertNil(head.scheme)
        assertMalformed([(":method", "CONNECT"), (":authority", "proxy.example:443"), (":scheme", "https")],
                        "connect-with-scheme-or-path", "RFC 9113 §8.5")
        assertMalformed([(":method", "CONNECT"), (":authority", "proxy.example:443"), (":path", "/")],
                        "connect-with-scheme-or-path", "RFC 9113 §8.5")
        assertMalformed([(":method", "CONNECT")], "connect-without-authority", "RFC 9113 §8.5")
        assertMalformed([(":method", "CONNECT"), (":authority", "proxy.example")], "authority-invalid")
    }

    // MARK: §8.2 and §8.2.1 field names and values

    func testFieldNamesMustBeLowercaseTokens() {
        assertMalformed(Self.base + [("Accept", "*/*")], "field-name-uppercase", "RFC 9113 §8.2")
        assertMalformed(Self.base + [("x-Trace", "1")], "field-name-uppercase", "RFC 9113 §8.2")
        assertMalformed(Self.base + [("", "v")], "field-name-empty", "RFC 9113 §8.2.1")
        for name in ["a b", "a:b", "a\u{0}b", "a\r\nb", "a\u{7f}", "\u{01}x"] {
            assertMalformed(Self.base + [(name, "v")], "field-name-forbidden-character", "RFC 9113 §8.2.1")
        }
        assertMalformed(list(Self.base.map { (Array($0.0.utf8), Array($0.1.utf8)) } + [([0x61, 0xc3, 0xa9], [0x76])]),
                        "field-name-forbidden-character", "RFC 9113 §8.2.1")
        for name in ["a,b", "a\"b", "a;b", "a/b", "a(b)", "a{b}", "a=b"] {
            assertMalformed(Self.base + [(name, "v")], "field-name-not-token", "RFC 9113 §8.2.1")
        }
        XCTAssertNotNil(accept(Self.base + [("x-a_b.c~d!#$%&'*+^`|", "v")]))
    }

    func testFieldValuesRefuseCRLFNULAndEdgeWhitespace() {
        for value in ["a\rb", "a\nb", "a\u{0}b", "b\r\nTransfer-Encoding: chunked"] {
            assertMalformed(Self.base + [("foo", value)], "field-value-forbidden-character", "RFC 9113 §8.2.1")
        }
        for value in [" a", "a ", "\ta", "a\t", " "] {
            assertMalformed(Self.base + [("foo", value)], "field-value-whitespace", "RFC 9113 §8.2.1")
        }
        assertMalformed(Self.base + [("foo", "a\u{01}b")], "field-value-invalid", "RFC 9113 §8.2.1")
        assertMalformed(Self.base + [("foo", "a\u{7f}")], "field-value-invalid", "RFC 9113 §8.2.1")
        XCTAssertNotNil(accept(Self.base + [("foo", ""), ("bar", "a \t b"), ("baz", "caf\u{e9}")]))
    }

    func testPseudoHeaderValuesRefuseCRLFAndNUL() {
        assertMalformed([(":method", "GET\r\nX: y")] + Self.base.dropFirst(), "field-value-forbidden-character", "RFC 9113 §8.2.1")
        assertMalformed([(":method", "GET"), (":scheme", "https"), (":authority", "a\u{0}"), (":path", "/")],
                        "field-value-forbidden-character", "RFC 9113 §8.2.1")
        assertMalformed([(":method", "GET"), (":scheme", "https"), (":path", "/\nx")],
                        "field-value-forbidden-character", "RFC 9113 §8.2.1")
    }

    // MARK: §8.2.2 connection-specific fields

    func testConnectionSpecificFieldsAreMalformed() {
        for name in ["connection", "keep-alive", "proxy-connection", "transfer-encoding", "upgrade"] {
            assertMalformed(Self.base + [(name, "x")], "connection-specific-field", "RFC 9113 §8.2.2")
        }
        XCTAssertNotNil(accept(Self.base + [("te", "trailers")]))
        XCTAssertNotNil(accept(Self.base + [("te", "Trailers")]))
        for value in ["gzip", "trailers, deflate", "", "trailers;q=1"] {
            assertMalformed(Self.base + [("te", value)], "te-not-trailers", "RFC 9113 §8.2.2")
        }
    }

    // MARK: host and :authority (§8.3.1)

    func testHostAndAuthority() {
        guard let (head, decoded) = accept(Self.base + [("host", "Example.COM")]) else { return }
        XCTAssertEqual(text(decoded, head.authority), "example.com", ":authority wins when both agree")
        XCTAssertEqual(head.hostField, 4)
        assertMalformed(Self.base + [("host", "other.example")], "host-authority-mismatch")
        assertMalformed(Self.base + [("host", "example.com:443")], "host-authority-mismatch")
        assertMalformed(Self.base + [("host", "example.com"), ("host", "example.com")], "host-duplicate")
        assertMalformed(Self.base + [("host", "u@example.com")], "host-userinfo")
        assertMalformed(Self.base + [("host", "")], "host-invalid")
        guard let (hostOnly, hostList) = accept([(":method", "GET"), (":scheme", "http"), (":path", "/"), ("host", "h.example:8080")])
        else { return }
        XCTAssertEqual(text(hostList, hostOnly.authority), "h.example:8080", "authority from host without :authority")
    }

    // MARK: content-length (§8.1.1)

    func testContentLengthMustBeOneNumber() {
        XCTAssertEqual(accept(Self.base + [("content-length", "42")])?.0.contentLength, 42)
        XCTAssertEqual(accept(Self.base + [("content-length", "0")])?.0.contentLength, 0)
        for value in ["", "abc", "-1", "5, 5", "+5", "0x10", "4 2"] {
            assertMalformed(Self.base + [("content-length", value)], "content-length-invalid", "RFC 9113 §8.1.1")
        }
        assertMalformed(Self.base + [("content-length", "99999999999999999999")], "content-length-overflow", "RFC 9113 §8.1.1")
        assertMalformed(Self.base + [("content-length", "5"), ("content-length", "6")], "content-length-conflict", "RFC 9113 §8.1.1")
        assertMalformed(Self.base + [("content-length", "5"), ("content-length", "5")], "content-length-repeated", "RFC 9113 §8.1.1")
    }

    func testBodyCounterMatchesDataAgainstContentLength() throws {
        var exact = H2RequestBodyCounter(streamID: 3, declaredLength: 10)
        try exact.receive(payloadLength: 4, endStream: false)
        try exact.receive(payloadLength: 6, endStream: true)
        XCTAssertEqual(exact.received, 10)
        XCTAssertTrue(exact.ended)

        var long = H2RequestBodyCounter(streamID: 3, declaredLength: 10)
        try long.receive(payloadLength: 8, endStream: false)
        XCTAssertThrowsError(try long.receive(payloadLength: 3, endStream: false), "refused at the frame that overruns") {
            XCTAssertEqual($0 as? HTTP2Violation, .stream(3, "content-length-mismatch", .protocolError, "RFC 9113 §8.1.1"))
        }

        var short = H2RequestBodyCounter(streamID: 3, declaredLength: 10)
        try short.receive(payloadLength: 9, endStream: false)
        XCTAssertThrowsError(try short.receive(payloadLength: 0, endStream: true)) {
            XCTAssertEqual(($0 as? HTTP2Violation)?.reason, "content-length-mismatch")
        }

        // HEADERS with END_STREAM and a content-length, no DATA at all (Netty CVE-2021-21409).
        var none = H2RequestBodyCounter(streamID: 3, declaredLength: 5)
        XCTAssertThrowsError(try none.end()) { XCTAssertEqual(($0 as? HTTP2Violation)?.reason, "content-length-mismatch") }

        var zero = H2RequestBodyCounter(streamID: 3, declaredLength: 0)
        try zero.end()
        var undeclared = H2RequestBodyCounter(streamID: 3, declaredLength: nil)
        try undeclared.receive(payloadLength: 1 << 20, endStream: false)
        try undeclared.receive(payloadLength: 1, endStream: true)

        guard let (head, _) = accept(Self.base + [("content-length", "2")]) else { return }
        var fromHead = H2RequestBodyCounter(head)
        XCTAssertEqual(fromHead.declaredLength, 2)
        XCTAssertThrowsError(try fromHead.receive(payloadLength: 3, endStream: true))
    }

    // MARK: Trailers (§8.1)

    func testTrailerRules() throws {
        try H2RequestValidator.validateTrailers(list([("grpc-status", "0"), ("x-checksum", "abc")]), streamID: 7)
        try H2RequestValidator.validateTrailers(list([] as [(String, String)]), streamID: 7)
        assertMalformed(list([("x", "1"), (":path", "/")]), "pseudo-header-in-trailers", "RFC 9113 §8.1", trailers: true)
        assertMalformed(list([(":status", "200")]), "pseudo-header-in-trailers", "RFC 9113 §8.1", trailers: true)
        assertMalformed(list([("X-Checksum", "1")]), "field-name-uppercase", "RFC 9113 §8.2", trailers: true)
        assertMalformed(list([("x", "a\nb")]), "field-value-forbidden-character", "RFC 9113 §8.2.1", trailers: true)
        assertMalformed(list([("connection", "close")]), "connection-specific-field", "RFC 9113 §8.2.2", trailers: true)
        assertMalformed(list([("content-length", "5")]), "trailer-field-prohibited", "RFC 9110 §6.5.1", trailers: true)
        assertMalformed(list([("host", "a")]), "trailer-field-prohibited", "RFC 9110 §6.5.1", trailers: true)
    }

    // MARK: Conversion to the version-independent model

    func testConversionToParsedRequestSynthesizesHostAndKeepsTheParts() {
        let fields = [(":method", "POST"), (":scheme", "https"), (":authority", "example.com:8443"), (":path", "/up?x=1"),
                      ("content-type", "text/plain"), ("content-length", "5")]
        guard let (head, decoded) = accept(fields) else { return }
        let request = head.parsedRequest(in: decoded, endStream: false)
        XCTAssertEqual(request.method, Array("POST".utf8))
        XCTAssertEqual(request.knownMethod, .post)
        XCTAssertEqual(request.target, Array("/up?x=1".utf8))
        XCTAssertEqual(request.targetForm, .origin)
        XCTAssertEqual(request.path, Array("/up".utf8))
        XCTAssertEqual(request.query, Array("x=1".utf8))
        XCTAssertEqual(request.authority, Array("example.com:8443".utf8))
        XCTAssertEqual(request.version, .http2)
        XCTAssertEqual(request.version.description, "HTTP/2")
        XCTAssertEqual(request.framing, .contentLength(5))
        XCTAssertEqual(request.fields, [HeaderField("host", "example.com:8443"), HeaderField("content-type", "text/plain"),
                                        HeaderField("content-length", "5")])
        XCTAssertTrue(request.keepAlive)
        XCTAssertEqual(request.body, [])

        let requestHead = head.requestHead(in: decoded, endStream: false)
        XCTAssertEqual(requestHead.fields.map(\.known), [.other, .contentLength])
        XCTAssertEqual(requestHead.version, .http2)
    }

    func testConversionFramingAndFieldShaping() {
        guard let (head, decoded) = accept(Self.base + [("host", "example.com"), ("cookie", "a=1"), ("accept", "*/*"),
                                                        ("cookie", "b=2"), ("cookie", "c=3"), ("expect", "100-continue")])
        else { return }
        let ended = head.parsedRequest(in: decoded, endStream: true)
        XCTAssertEqual(ended.framing, .none)
        XCTAssertEqual(ended.fields, [HeaderField("host", "example.com"), HeaderField("cookie", "a=1; b=2; c=3"),
                                      HeaderField("accept", "*/*"), HeaderField("expect", "100-continue")],
                       "host kept, not duplicated; cookies joined at the first (RFC 9113 §8.2.3)")
        XCTAssertTrue(ended.expectsContinue)
        let streaming = head.parsedRequest(in: decoded, endStream: false)
        XCTAssertEqual(streaming.framing, .chunked, "a body to END_STREAM without content-length")
        XCTAssertEqual(streaming.fields.last, HeaderField("transfer-encoding", "chunked"))

        guard let (connect, connectList) = accept([(":method", "CONNECT"), (":authority", "db.example:5432")]) else { return }
        let tunnel = connect.parsedRequest(in: connectList, endStream: false)
        XCTAssertEqual(tunnel.target, Array("db.example:5432".utf8))
        XCTAssertEqual(tunnel.targetForm, .authority)
        XCTAssertEqual(tunnel.knownMethod, .connect)
        XCTAssertEqual(tunnel.fields.first, HeaderField("host", "db.example:5432"))
    }
}
