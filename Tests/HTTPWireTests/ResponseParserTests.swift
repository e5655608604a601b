import SeededGenerator
import XCTest

@testable import HTTPWire

/// A stream plus the context it is parsed in.
private struct ResponseStream {
    var bytes: [UInt8]
    var methods: [String] = []
    var maxHeadBytes = 256 * 1024

    init(_ text: String, methods: [String] = [], maxHeadBytes: Int = 256 * 1024) {
        self.bytes = Array(text.utf8)
        self.methods = methods
        self.maxHeadBytes = maxHeadBytes
    }

    /// A "HTTP/1.1 200 OK" response whose field lines (and whatever follows) are `rest`.
    init(withFields rest: String) {
        self.init("HTTP/1.1 200 OK\r\n" + rest)
    }
}

/// Everything observable about a parser, for comparing differently chunked runs.
private struct ParserSnapshot: Equatable {
    var responses: [ResponseMessage]
    var tunnelBytes: [UInt8]
    var trailingGarbage: [UInt8]
    var pendingBytes: Int
    var receivedCount: Int

    init(_ parser: ResponseStreamParser) {
        responses = parser.responses
        tunnelBytes = parser.tunnelBytes
        trailingGarbage = parser.trailingGarbage
        pendingBytes = parser.pendingBytes
        receivedCount = parser.receivedCount
    }
}

private func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

private func feedPieces(_ stream: ResponseStream, pieces: [ArraySlice<UInt8>], finish: Bool) -> ResponseStreamParser {
    var parser = ResponseStreamParser(requestMethods: stream.methods, maxHeadBytes: stream.maxHeadBytes)
    for piece in pieces { parser.feed(piece) }
    if finish { parser.finish() }
    return parser
}

final class ResponseParserTests: XCTestCase {
    /// Parses `stream` whole and checks that every two-piece split and byte-by-byte feeding give
    /// the same result, both before and after EOF.
    @discardableResult
    private func parse(
        _ stream: ResponseStream, file: StaticString = #filePath, line: UInt = #line
    ) -> ResponseStreamParser {
        assertSplitInvariant(stream, file: file, line: line)
        return feedPieces(stream, pieces: [stream.bytes[...]], finish: true)
    }

    private func parse(
        _ text: String, methods: [String] = [], maxHeadBytes: Int = 256 * 1024,
        file: StaticString = #filePath, line: UInt = #line
    ) -> ResponseStreamParser {
        parse(ResponseStream(text, methods: methods, maxHeadBytes: maxHeadBytes), file: file, line: line)
    }

    private func assertSplitInvariant(_ stream: ResponseStream, file: StaticString, line: UInt) {
        let all = stream.bytes[...]
        for finish in [false, true] {
            let whole = ParserSnapshot(feedPieces(stream, pieces: [all], finish: finish))
            for split in 0...all.count {
                let pieces = [all[..<split], all[split...]]
                let snapshot = ParserSnapshot(feedPieces(stream, pieces: pieces, finish: finish))
                if snapshot != whole {
                    XCTFail("split at \(split) (finish: \(finish)) differs from whole feed", file: file, line: line)
                    return
                }
            }
            let byteByByte = all.indices.map { all[$0...$0] }
            XCTAssertEqual(
                ParserSnapshot(feedPieces(stream, pieces: byteByByte, finish: finish)), whole,
                "byte-by-byte feed (finish: \(finish)) differs from whole feed", file: file, line: line
            )
            var generator = SplitMix64(seed: UInt64(all.count))
            for round in 0..<10 {
                var pieces: [ArraySlice<UInt8>] = []
                var start = 0
                while start < all.count {
                    let end = min(start + Int(generator.next() % 12), all.count)
                    pieces.append(all[start..<end])
                    start = end
                }
                XCTAssertEqual(
                    ParserSnapshot(feedPieces(stream, pieces: pieces, finish: finish)), whole,
                    "random split round \(round) (finish: \(finish)) differs from whole feed", file: file, line: line
                )
            }
        }
        let parser = feedPieces(stream, pieces: [all], finish: true)
        XCTAssertEqual(
            parser.responses.reduce(0) { $0 + $1.byteRange.count } + parser.pendingBytes, all.count,
            "byte ranges and pending bytes do not cover the stream", file: file, line: line
        )
    }

    private func assertTiles(_ parser: ResponseStreamParser, file: StaticString = #filePath, line: UInt = #line) {
        var expectedStart = 0
        for response in parser.responses {
            XCTAssertEqual(response.byteRange.lowerBound, expectedStart, file: file, line: line)
            expectedStart = response.byteRange.upperBound
        }
        XCTAssertEqual(expectedStart + parser.pendingBytes, parser.receivedCount, file: file, line: line)
    }

    // MARK: - Framing rules

    func testContentLengthBody() {
        let parser = parse("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nServer: x\r\n\r\nhello")
        XCTAssertEqual(parser.responses.count, 1)
        let response = parser.responses[0]
        XCTAssertEqual(response.version, "HTTP/1.1")
        XCTAssertEqual(response.status, 200)
        XCTAssertEqual(response.reasonString, "OK")
        XCTAssertEqual(response.fields, [HeaderField("Content-Length", "5"), HeaderField("Server", "x")])
        XCTAssertEqual(response.framing, .contentLength(5))
        XCTAssertEqual(response.body, bytes("hello"))
        XCTAssertTrue(response.complete)
        XCTAssertFalse(response.isInterim)
        XCTAssertEqual(response.anomalies, [])
        XCTAssertEqual(response.byteRange, 0..<54)
        XCTAssertEqual(parser.pendingBytes, 0)
    }

    func testContentLengthCompletesWithoutEOF() {
        var parser = ResponseStreamParser()
        parser.feed(bytes("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi"))
        XCTAssertEqual(parser.responses.count, 1)
        XCTAssertEqual(parser.pendingBytes, 0)
        parser.feed(bytes("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n"))
        XCTAssertEqual(parser.responses.map(\.status), [200, 404])
    }

    func testContentLengthZeroAndLeadingZeros() {
        let parser = parse(
            "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"
                + "HTTP/1.1 200 OK\r\nContent-Length: 0003\r\n\r\nabc"
        )
        XCTAssertEqual(parser.responses.map(\.framing), [.contentLength(0), .contentLength(3)])
        XCTAssertEqual(parser.responses[1].body, bytes("abc"))
        XCTAssertEqual(parser.responses[1].anomalies, [])
    }

    func testChunkedBodyWithExtensionsAndTrailers() {
        let parser = parse(
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "5;name=value\r\nhello\r\n6 ; other\r\n world\r\nA\r\n0123456789\r\n0\r\n"
                + "X-Checksum: abc\r\nX-Other:  two words \r\n\r\n"
        )
        XCTAssertEqual(parser.responses.count, 1)
        let response = parser.responses[0]
        XCTAssertEqual(response.framing, .chunked)
        XCTAssertEqual(response.body, bytes("hello world0123456789"))
        XCTAssertEqual(response.trailers, [HeaderField("X-Checksum", "abc"), HeaderField("X-Other", "two words")])
        XCTAssertTrue(response.complete)
        XCTAssertEqual(response.anomalies, [])
        XCTAssertEqual(parser.pendingBytes, 0)
    }

    func testChunkedCodingNameIsCaseInsensitive() {
        let parser = parse("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, Chunked\r\n\r\n2\r\nhi\r\n0\r\n\r\n")
        XCTAssertEqual(parser.responses[0].framing, .chunked)
        XCTAssertEqual(parser.responses[0].body, bytes("hi"))
        XCTAssertEqual(parser.responses[0].anomalies, [])
    }

    func testCloseDelimitedBodyEndsAtFinish() {
        let text = "HTTP/1.1 200 OK\r\nServer: x\r\n\r\nbody HTTP/1.1 200 OK\r\n\r\n"
        var parser = ResponseStreamParser()
        parser.feed(bytes(text))
        XCTAssertEqual(parser.responses, [])
        XCTAssertEqual(parser.pendingBytes, text.utf8.count)
        parser.finish()
        XCTAssertEqual(parser.responses.count, 1)
        XCTAssertEqual(parser.responses[0].framing, .closeDelimited)
        XCTAssertEqual(parser.responses[0].body, bytes("body HTTP/1.1 200 OK\r\n\r\n"))
        XCTAssertTrue(parser.responses[0].complete)
        XCTAssertEqual(parser.pendingBytes, 0)
        XCTAssertEqual(parse(text).responses, parser.responses)
    }

    func testHeadResponseHasNoBody() {
        let parser = parse(
            "HTTP/1.1 200 OK\r\nContent-Length: 7\r\n\r\n"
                + "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok",
            methods: ["HEAD", "HEAD", "GET"]
        )
        XCTAssertEqual(parser.responses.map(\.framing), [.none, .none, .contentLength(2)])
        XCTAssertEqual(parser.responses.map(\.body), [[], [], bytes("ok")])
        XCTAssertEqual(parser.pendingBytes, 0)
    }

    func testNoContentAndNotModifiedHaveNoBody() {
        let parser = parse(
            "HTTP/1.1 204 No Content\r\n\r\n"
                + "HTTP/1.1 304 Not Modified\r\nContent-Length: 10\r\nTransfer-Encoding: gzip\r\n\r\n"
                + "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"
        )
        XCTAssertEqual(parser.responses.map(\.status), [204, 304, 200])
        XCTAssertEqual(parser.responses[0].framing, .none)
        XCTAssertEqual(parser.responses[1].framing, .none)
        // A 304 may describe the representation it did not send; only CL + TE together is a fault.
        XCTAssertEqual(parser.responses[1].anomalies, [.contentLengthWithTransferEncoding])
    }

    func testInterimResponsesDoNotConsumeRequestMethods() {
        let parser = parse(
            "HTTP/1.1 100 Continue\r\n\r\n"
                + "HTTP/1.1 103 Early Hints\r\nLink: </style.css>; rel=preload\r\n\r\n"
                + "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\n"
                + "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc",
            methods: ["HEAD", "GET"]
        )
        XCTAssertEqual(parser.responses.map(\.status), [100, 103, 200, 200])
        XCTAssertEqual(parser.responses.map(\.isInterim), [true, true, false, false])
        XCTAssertEqual(parser.responses.map(\.framing), [.none, .none, .none, .contentLength(3)])
        XCTAssertEqual(parser.responses[3].body, bytes("abc"))
        XCTAssertTrue(parser.responses.allSatisfy { $0.anomalies.isEmpty })
        assertTiles(parser)
    }

    func testSwitchingProtocolsStopsParsing() {
        let parser = parse(
            "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n"
                + "\u{81}\u{05}hello HTTP/1.1 200 OK\r\n\r\n"
        )
        XCTAssertEqual(parser.responses.count, 1)
        XCTAssertEqual(parser.responses[0].status, 101)
        XCTAssertFalse(parser.responses[0].isInterim)
        XCTAssertEqual(parser.responses[0].framing, .tunnel)
        XCTAssertEqual(parser.tunnelBytes, bytes("\u{81}\u{05}hello HTTP/1.1 200 OK\r\n\r\n"))
        XCTAssertEqual(parser.pendingBytes, parser.tunnelBytes.count)
        XCTAssertEqual(parser.trailingGarbage, [])
    }

    func testSuccessfulConnectIsTunnel() {
        let parser = parse(
            "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 Connection Established\r\n\r\n\u{16}\u{03}\u{01}",
            methods: ["CONNECT"]
        )
        XCTAssertEqual(parser.responses.map(\.framing), [.none, .tunnel])
        XCTAssertEqual(parser.tunnelBytes, [0x16, 0x03, 0x01])
    }

    func testFailedConnectIsFramedNormally() {
        let parser = parse(
            "HTTP/1.1 407 Proxy Authentication Required\r\nContent-Length: 4\r\n\r\ndeny"
                + "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n\r\n",
            methods: ["CONNECT", "CONNECT"]
        )
        XCTAssertEqual(parser.responses.map(\.framing), [.contentLength(4), .tunnel])
        XCTAssertEqual(parser.responses[0].body, bytes("deny"))
        XCTAssertEqual(parser.responses[1].anomalies, [.forbiddenContentLength])
        XCTAssertEqual(parser.tunnelBytes, bytes("\r\n"))
    }

    func testTransferEncodingOverridesContentLength() {
        let parser = parse(
            "HTTP/1.1 200 OK\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "5\r\nhello\r\n0\r\n\r\n"
        )
        XCTAssertEqual(parser.responses.count, 1)
        XCTAssertEqual(parser.responses[0].framing, .chunked)
        XCTAssertEqual(parser.responses[0].body, bytes("hello"))
        XCTAssertEqual(parser.responses[0].anomalies, [.contentLengthWithTransferEncoding])
    }

    func testFinalCodingNotChunkedIsCloseDelimited() {
        let parser = parse(
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, gzip\r\nContent-Length: 1\r\n\r\n"
                + "1\r\nx\r\n0\r\n\r\n"
        )
        XCTAssertEqual(parser.responses.count, 1)
        XCTAssertEqual(parser.responses[0].framing, .closeDelimited)
        XCTAssertEqual(parser.responses[0].body, bytes("1\r\nx\r\n0\r\n\r\n"))
        XCTAssertEqual(
            parser.responses[0].anomalies, [.contentLengthWithTransferEncoding, .transferEncodingNotChunked]
        )
    }

    func testEmptyTransferEncodingIsCloseDelimited() {
        let parser = parse("HTTP/1.1 200 OK\r\nTransfer-Encoding: \r\n\r\nabc")
        XCTAssertEqual(parser.responses[0].framing, .closeDelimited)
        XCTAssertEqual(parser.responses[0].body, bytes("abc"))
        XCTAssertEqual(parser.responses[0].anomalies, [.transferEncodingNotChunked])
    }

    func testTransferEncodingAcrossSeveralFields() {
        let parser = parse(
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nz\r\n0\r\n\r\n"
        )
        XCTAssertEqual(parser.responses[0].framing, .chunked)
        XCTAssertEqual(parser.responses[0].body, bytes("z"))
    }

    func testInvalidContentLengthMakesRestOfStreamTheBody() {
        for value in ["abc", "5, 6", "-1", "+5", "", "1 2", "5,", "0x5", "99999999999999999999"] {
            let tail = "hello HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"
            let parser = parse("HTTP/1.1 200 OK\r\nContent-Length: \(value)\r\n\r\n" + tail)
            XCTAssertEqual(parser.responses.count, 1, value)
            XCTAssertEqual(parser.responses[0].framing, .closeDelimited, value)
            XCTAssertEqual(parser.responses[0].body, bytes(tail), value)
            XCTAssertEqual(parser.responses[0].anomalies, [.invalidContentLength], value)
        }
    }

    func testConflictingContentLengthFields() {
        let parser = parse("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!")
        XCTAssertEqual(parser.responses[0].framing, .closeDelimited)
        XCTAssertEqual(parser.responses[0].body, bytes("hello!"))
        XCTAssertEqual(parser.responses[0].anomalies, [.invalidContentLength])
    }

    func testDuplicateIdenticalContentLengthIsUsed() {
        let parser = parse(
            "HTTP/1.1 200 OK\r\nContent-Length: 5\r\ncontent-length: 005\r\n\r\nhello"
                + "HTTP/1.1 200 OK\r\nContent-Length: 2, 2\r\n\r\nhi"
        )
        XCTAssertEqual(parser.responses.map(\.framing), [.contentLength(5), .contentLength(2)])
        XCTAssertEqual(parser.responses.map(\.body), [bytes("hello"), bytes("hi")])
        XCTAssertEqual(parser.responses.map(\.anomalies), [[.duplicateContentLength], [.duplicateContentLength]])
    }

    func testInvalidContentLengthOnHeadResponseKeepsNoBody() {
        let parser = parse(
            "HTTP/1.1 200 OK\r\nContent-Length: nope\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n",
            methods: ["HEAD", "GET"]
        )
        XCTAssertEqual(parser.responses.map(\.status), [200, 204])
        XCTAssertEqual(parser.responses[0].anomalies, [.invalidContentLength])
    }

    func testResponsesBeyondRequestMethodsAreFramedAsGET() {
        let parser = parse(
            "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\n"
                + "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nx",
            methods: ["HEAD"]
        )
        XCTAssertEqual(parser.responses.map(\.framing), [.none, .contentLength(1)])
        XCTAssertEqual(parser.responses[1].body, bytes("x"))
        XCTAssertEqual(parser.responses[1].anomalies, [.unsolicitedResponse])
    }

    func testWithoutRequestMethodsNothingIsUnsolicited() {
        let parser = parse("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")
        XCTAssertEqual(parser.responses.count, 2)
        XCTAssertTrue(parser.responses.allSatisfy { $0.anomalies.isEmpty })
    }

    func testPipelinedMixedStream() {
        let parts = [
            "HTTP/1.1 100 Continue\r\n\r\n",
            "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello",
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTrailer: X-Sum\r\n\r\n"
                + "3\r\nabc\r\n3\r\ndef\r\n0\r\nX-Sum: 42\r\n\r\n",
            "HTTP/1.1 204 No Content\r\nDate: today\r\n\r\n",
            "HTTP/1.1 304 Not Modified\r\nETag: \"x\"\r\n\r\n",
            "HTTP/1.1 200 OK\r\nContent-Length: 1234\r\nConnection: close\r\n\r\n",
        ]
        let parser = parse(parts.joined(), methods: ["POST", "GET", "DELETE", "GET", "HEAD"])
        XCTAssertEqual(parser.responses.map(\.status), [100, 200, 200, 204, 304, 200])
        XCTAssertEqual(
            parser.responses.map(\.framing), [.none, .contentLength(5), .chunked, .none, .none, .none]
        )
        XCTAssertEqual(parser.responses.map(\.body), [[], bytes("hello"), bytes("abcdef"), [], [], []])
        XCTAssertEqual(parser.responses[2].trailers, [HeaderField("X-Sum", "42")])
        XCTAssertTrue(parser.responses.allSatisfy { $0.complete && $0.anomalies.isEmpty })
        XCTAssertEqual(parser.responses.map(\.byteRange.count), parts.map(\.utf8.count))
        XCTAssertTrue(parser.responses[5].connectionClose)
        XCTAssertEqual(parser.pendingBytes, 0)
        assertTiles(parser)
    }

    // MARK: - Line and field anomalies

    func testBareLineFeeds() {
        let parser = parse(
            "HTTP/1.1 200 OK\nContent-Length: 2\n\nok"
                + "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\nhi\n0\r\n\n"
        )
        XCTAssertEqual(parser.responses.map(\.body), [bytes("ok"), bytes("hi")])
        XCTAssertEqual(parser.responses.map(\.anomalies), [[.bareLF], [.bareLF]])
        XCTAssertEqual(parser.responses[0].fields, [HeaderField("Content-Length", "2")])
    }

    func testBareCarriageReturnInFieldValue() {
        let parser = parse("HTTP/1.1 200 OK\r\nX-A: one\rtwo\r\nContent-Length: 0\r\n\r\n")
        XCTAssertEqual(parser.responses[0].fields[0], HeaderField(name: bytes("X-A"), value: bytes("one\rtwo")))
        XCTAssertEqual(parser.responses[0].framing, .contentLength(0))
        XCTAssertEqual(parser.responses[0].anomalies, [.bareCR])
    }

    func testBareCarriageReturnDoesNotEndTheHead() {
        let parser = parse("HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\rX: y\r\n\r\nz")
        XCTAssertEqual(parser.responses[0].body, bytes("z"))
        XCTAssertEqual(parser.responses[0].anomalies, [.bareCR, .invalidFieldName])
    }

    func testObsFoldIsUnfolded() {
        let parser = parse(
            "HTTP/1.1 200 OK\r\nX-Folded: first\r\n  second \r\n\tthird\r\nX-Empty:\r\n later\r\n"
                + "Content-Length: 0\r\n\r\n"
        )
        let response = parser.responses[0]
        XCTAssertEqual(
            response.fields,
            [
                HeaderField("X-Folded", "first second third"), HeaderField("X-Empty", "later"),
                HeaderField("Content-Length", "0"),
            ]
        )
        XCTAssertEqual(response.anomalies, [.obsFold])
    }

    func testObsFoldCanCarryFramingValues() {
        let parser = parse("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip,\r\n chunked\r\n\r\n1\r\na\r\n0\r\n\r\n")
        XCTAssertEqual(parser.responses[0].header(named: "transfer-encoding"), "gzip, chunked")
        XCTAssertEqual(parser.responses[0].framing, .chunked)
        XCTAssertEqual(parser.responses[0].anomalies, [.obsFold])
    }

    func testWhitespaceBeforeColonStillFrames() {
        let parser = parse("HTTP/1.1 200 OK\r\nContent-Length : 3\r\n\r\nabcHTTP/1.1 204 No Content\r\n\r\n")
        XCTAssertEqual(parser.responses.map(\.status), [200, 204])
        XCTAssertEqual(parser.responses[0].fields, [HeaderField("Content-Length", "3")])
        XCTAssertEqual(parser.responses[0].anomalies, [.whitespaceBeforeColon])
    }

    func testLineWithoutColonIsDropped() {
        let parser = parse("HTTP/1.1 200 OK\r\nNoColonHere\r\n continued\r\nContent-Length: 0\r\n\r\n")
        XCTAssertEqual(parser.responses[0].fields, [HeaderField("Content-Length", "0")])
        XCTAssertEqual(parser.responses[0].anomalies, [.missingColon, .obsFold])
    }

    func testInvalidFieldNamesAndValues() {
        let parser = parse(
            "HTTP/1.1 200 OK\r\nBad Name: 1\r\n: empty\r\nX-Nul: a\u{0}b\r\nX-Del: \u{7F}\r\nContent-Length: 0\r\n\r\n"
        )
        let response = parser.responses[0]
        XCTAssertEqual(response.fields.map(\.nameString), ["Bad Name", "", "X-Nul", "X-Del", "Content-Length"])
        XCTAssertEqual(response.anomalies, [.invalidFieldName, .invalidFieldValue])
        XCTAssertEqual(response.framing, .contentLength(0))
    }

    func testWhitespaceLineAfterStatusLineIsDropped() {
        let parser = parse("HTTP/1.1 200 OK\r\n Content-Length: 100\r\n\tmore\r\nContent-Length: 1\r\n\r\nx")
        XCTAssertEqual(parser.responses[0].fields, [HeaderField("Content-Length", "1")])
        XCTAssertEqual(parser.responses[0].body, bytes("x"))
        XCTAssertEqual(parser.responses[0].anomalies, [.whitespaceAfterStatusLine, .obsFold])
    }

    func testLeadingEmptyLinesBeforeStatusLine() {
        let parser = parse(
            "\r\n\nHTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nx\r\nHTTP/1.1 204 No Content\r\n\r\n"
        )
        XCTAssertEqual(parser.responses.map(\.status), [200, 204])
        XCTAssertEqual(parser.responses[0].anomalies, [.leadingEmptyLines, .bareLF])
        XCTAssertEqual(parser.responses[1].anomalies, [.leadingEmptyLines])
        XCTAssertEqual(parser.responses[0].byteRange, 0..<42)
        XCTAssertEqual(parser.responses[1].byteRange, 42..<71)
        assertTiles(parser)
    }

    // MARK: - Status line

    func testMissingStatusLineMakesTheStreamOneBlob() {
        let text = "garbage\r\nContent-Length: 0\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"
        let parser = parse(text)
        XCTAssertEqual(parser.responses.count, 1)
        let blob = parser.responses[0]
        XCTAssertEqual(blob.status, -1)
        XCTAssertFalse(blob.hasStatusLine)
        XCTAssertEqual(blob.version, "")
        XCTAssertEqual(blob.framing, .closeDelimited)
        XCTAssertEqual(blob.body, bytes(text))
        XCTAssertEqual(blob.anomalies, [.invalidStatusLine])
        XCTAssertTrue(blob.complete)
    }

    func testUnterminatedGarbageAloneIsABlob() {
        let parser = parse("\r\nSSH-2.0-OpenSSH")
        XCTAssertEqual(parser.responses.count, 1)
        XCTAssertEqual(parser.responses[0].body, bytes("SSH-2.0-OpenSSH"))
        XCTAssertEqual(parser.responses[0].byteRange, 0..<17)
        XCTAssertEqual(parser.responses[0].anomalies, [.leadingEmptyLines, .invalidStatusLine])
    }

    func testUnparseableStatusLineAfterAResponse() {
        for statusLine in ["HTTP/1.1 abc OK", "HTTP/1.1", "HTTP/1.1 ", "HTTP/1.1 2OO OK", "HTTP/1.1 1234567890 X"] {
            let parser = parse(
                "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n\(statusLine)\r\nContent-Length: 0\r\n\r\n"
            )
            XCTAssertEqual(parser.responses.map(\.status), [200, -1], statusLine)
            XCTAssertEqual(parser.responses[1].body, bytes("\(statusLine)\r\nContent-Length: 0\r\n\r\n"), statusLine)
            XCTAssertEqual(parser.responses[1].anomalies, [.invalidStatusLine], statusLine)
            XCTAssertEqual(parser.trailingGarbage, [], statusLine)
        }
    }

    func testStatusCodeNotThreeDigits() {
        let parser = parse(
            "HTTP/1.1 20 OK\r\nContent-Length: 1\r\n\r\na"
                + "HTTP/1.1 0200 OK\r\nContent-Length: 1\r\n\r\nb"
                + "HTTP/1.1 700 Weird\r\nContent-Length: 1\r\n\r\nc"
                + "HTTP/1.1 099 Low\r\nContent-Length: 1\r\n\r\nd"
        )
        XCTAssertEqual(parser.responses.map(\.status), [20, 200, 700, 99])
        XCTAssertEqual(parser.responses.map(\.body), [bytes("a"), bytes("b"), bytes("c"), bytes("d")])
        XCTAssertTrue(parser.responses.allSatisfy { $0.anomalies == [.invalidStatusCode] })
    }

    func testStatusLineWhitespace() {
        let parser = parse(
            "HTTP/1.1  200 OK\r\nContent-Length: 0\r\n\r\n"
                + "HTTP/1.1 200\r\nContent-Length: 0\r\n\r\n"
                + "HTTP/1.1\t200\tOK\r\nContent-Length: 0\r\n\r\n"
                + "HTTP/1.1 200  two spaces\r\nContent-Length: 0\r\n\r\n"
                + "HTTP/1.1 200 \r\nContent-Length: 0\r\n\r\n"
        )
        XCTAssertEqual(parser.responses.map(\.status), [200, 200, 200, 200, 200])
        XCTAssertEqual(parser.responses.map(\.reasonString), ["OK", "", "OK", " two spaces", ""])
        XCTAssertEqual(
            parser.responses.map(\.anomalies),
            [[.statusLineWhitespace], [.statusLineWhitespace], [.statusLineWhitespace], [], []]
        )
    }

    func testUnknownVersions() {
        let parser = parse(
            "HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n"
                + "HTTP/2.0 200 OK\r\nContent-Length: 0\r\n\r\n"
                + "HTTP/1.1x 200 OK\r\nContent-Length: 0\r\n\r\n"
        )
        XCTAssertEqual(parser.responses.map(\.version), ["HTTP/1.0", "HTTP/2.0", "HTTP/1.1x"])
        XCTAssertEqual(parser.responses.map(\.anomalies), [[], [.unknownVersion], [.unknownVersion]])
    }

    func testLowercaseVersionIsNotAStatusLine() {
        let parser = parse("http/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")
        XCTAssertEqual(parser.responses.map(\.status), [-1])
        XCTAssertEqual(parser.responses[0].anomalies, [.invalidStatusLine])
    }

    // MARK: - Framing field anomalies

    func testTransferCodingAnomalies() {
        let parser = parse(
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, chunked\r\n\r\n1\r\na\r\n0\r\n\r\n"
                + "HTTP/1.1 200 OK\r\nTransfer-Encoding: foo, chunked\r\n\r\n1\r\nb\r\n0\r\n\r\n"
                + "HTTP/1.0 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nc\r\n0\r\n\r\n"
        )
        XCTAssertEqual(parser.responses.map(\.framing), [.chunked, .chunked, .chunked])
        XCTAssertEqual(parser.responses.map(\.body), [bytes("a"), bytes("b"), bytes("c")])
        XCTAssertEqual(
            parser.responses.map(\.anomalies),
            [[.repeatedChunked], [.unknownTransferCoding], [.transferEncodingInHTTP10]]
        )
    }

    func testFramingFieldsOnResponsesWithoutContent() {
        let parser = parse(
            "HTTP/1.1 100 Continue\r\nContent-Length: 5\r\n\r\n"
                + "HTTP/1.1 102 Processing\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "HTTP/1.1 204 No Content\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"
        )
        XCTAssertEqual(parser.responses.map(\.status), [100, 102, 204, 200])
        XCTAssertEqual(
            parser.responses.map(\.anomalies),
            [[.forbiddenContentLength], [.forbiddenTransferEncoding], [.forbiddenTransferEncoding], []]
        )
        XCTAssertEqual(parser.pendingBytes, 0)
    }

    // MARK: - Chunked anomalies

    func testInvalidChunkSizeMakesRestTheBody() {
        for size in ["xyz", "0x5", "-5", "", ";ext", "5 5", "1234567890abcdef0"] {
            let parser = parse(
                "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n\(size)\r\nrest\r\n0\r\n\r\n"
            )
            XCTAssertEqual(parser.responses.count, 1, size)
            XCTAssertEqual(parser.responses[0].framing, .closeDelimited, size)
            XCTAssertEqual(parser.responses[0].body, bytes("ok\(size)\r\nrest\r\n0\r\n\r\n"), size)
            XCTAssertEqual(parser.responses[0].anomalies, [.invalidChunk], size)
            XCTAssertTrue(parser.responses[0].complete, size)
        }
    }

    func testMissingCRLFAfterChunkData() {
        let parser = parse("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nokX\r\n0\r\n\r\n")
        XCTAssertEqual(parser.responses[0].body, bytes("okX\r\n0\r\n\r\n"))
        XCTAssertEqual(parser.responses[0].anomalies, [.invalidChunk])

        let lone = parse("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\rX0\r\n\r\n")
        XCTAssertEqual(lone.responses[0].body, bytes("ok\rX0\r\n\r\n"))
        XCTAssertEqual(lone.responses[0].anomalies, [.invalidChunk])
    }

    func testChunkSizeWithTrailingWhitespaceIsAccepted() {
        let parser = parse("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2 \r\nok\r\n0\t\r\n\r\n")
        XCTAssertEqual(parser.responses[0].framing, .chunked)
        XCTAssertEqual(parser.responses[0].body, bytes("ok"))
        XCTAssertEqual(parser.responses[0].anomalies, [.chunkSizeWhitespace])
    }

    func testBareCarriageReturnInChunkSizeLine() {
        let parser = parse("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r;x\r\nok\r\n0\r\n\r\n")
        XCTAssertEqual(parser.responses[0].framing, .closeDelimited)
        XCTAssertEqual(parser.responses[0].anomalies, [.bareCR, .invalidChunk])
    }

    func testChunkSizeLineLongerThanLimit() {
        let parser = parse(
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "1;\(String(repeating: "e", count: 80))\r\nx\r\n0\r\n\r\n",
            maxHeadBytes: 64
        )
        XCTAssertEqual(parser.responses[0].framing, .closeDelimited)
        XCTAssertEqual(parser.responses[0].anomalies, [.invalidChunk])
    }

    func testTrailerSectionWithFoldAndLimit() {
        let folded = parse("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n folded\r\nA: b\r\n\r\n")
        XCTAssertEqual(folded.responses[0].trailers, [HeaderField("A", "b")])
        XCTAssertEqual(folded.responses[0].anomalies, [.obsFold])

        let large = parse(
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nX: \(String(repeating: "v", count: 80))\r\n\r\n",
            maxHeadBytes: 64
        )
        XCTAssertEqual(large.responses[0].framing, .closeDelimited)
        XCTAssertEqual(large.responses[0].trailers, [])
        XCTAssertEqual(large.responses[0].anomalies, [.trailerSectionTooLarge])
        XCTAssertEqual(large.responses[0].body, bytes("X: \(String(repeating: "v", count: 80))\r\n\r\n"))
    }

    // MARK: - EOF

    func testTruncatedContentLengthBody() {
        let parser = parse("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nhello")
        XCTAssertEqual(parser.responses.count, 1)
        XCTAssertEqual(parser.responses[0].body, bytes("hello"))
        XCTAssertFalse(parser.responses[0].complete)
        XCTAssertEqual(parser.responses[0].anomalies, [.truncated])
        XCTAssertEqual(parser.responses[0].byteRange, 0..<44)
        XCTAssertEqual(parser.pendingBytes, 0)
    }

    func testTruncatedChunkedBody() {
        let cuts = ["5\r\nhel", "5\r\nhello", "5\r\nhello\r", "5\r\nhello\r\n0\r\n", "5\r\nhello\r\n0\r\nX: 1\r\n", "5"]
        for cut in cuts {
            let parser = parse("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + cut)
            XCTAssertEqual(parser.responses.count, 1, cut)
            XCTAssertFalse(parser.responses[0].complete, cut)
            XCTAssertEqual(parser.responses[0].anomalies, [.truncated], cut)
            XCTAssertEqual(parser.pendingBytes, 0, cut)
        }
    }

    func testTruncatedHead() {
        let parser = parse(
            "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\nHTTP/1.1 500 Internal\r\nContent-Length: 4\r\nX-Part"
        )
        XCTAssertEqual(parser.responses.map(\.status), [200, 500])
        XCTAssertEqual(parser.responses[1].fields, [HeaderField("Content-Length", "4")])
        XCTAssertFalse(parser.responses[1].complete)
        XCTAssertEqual(parser.responses[1].anomalies, [.truncated])
        XCTAssertEqual(parser.pendingBytes, 0)

        let statusOnly = parse("HTTP/1.1 200 OK\r")
        XCTAssertEqual(statusOnly.responses.map(\.status), [200])
        XCTAssertEqual(statusOnly.responses[0].reasonString, "OK")
        XCTAssertEqual(statusOnly.responses[0].anomalies, [.truncated])
    }

    func testTrailingGarbageAfterLastResponse() {
        let parser = parse("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhello")
        XCTAssertEqual(parser.responses.count, 1)
        XCTAssertEqual(parser.responses[0].body, bytes("he"))
        XCTAssertEqual(parser.responses[0].anomalies, [.trailingGarbage])
        XCTAssertEqual(parser.trailingGarbage, bytes("llo"))
        XCTAssertEqual(parser.pendingBytes, 3)

        let lines = parse("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n\r\nnot http\r\nHTTP/1.1 200 OK\r\n\r\n")
        XCTAssertEqual(lines.responses.count, 1)
        XCTAssertEqual(lines.trailingGarbage, bytes("\r\nnot http\r\nHTTP/1.1 200 OK\r\n\r\n"))
        XCTAssertEqual(lines.responses[0].anomalies, [.trailingGarbage])

        let crlf = parse("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n\r\n")
        XCTAssertEqual(crlf.trailingGarbage, bytes("\r\n"))
        XCTAssertEqual(crlf.responses[0].anomalies, [.trailingGarbage])
    }

    func testGarbageIsOnlyAttributedAtEOF() {
        var parser = ResponseStreamParser()
        parser.feed(bytes("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\nxyz\r\n"))
        XCTAssertEqual(parser.responses[0].anomalies, [])
        XCTAssertEqual(parser.pendingBytes, 5)
        parser.finish()
        XCTAssertEqual(parser.responses[0].anomalies, [.trailingGarbage])
    }

    func testEmptyStreamsAndRepeatedFinish() {
        var parser = ResponseStreamParser()
        parser.finish()
        parser.finish()
        parser.feed(bytes("HTTP/1.1 200 OK\r\n\r\n"))
        XCTAssertEqual(parser.responses, [])
        XCTAssertEqual(parser.receivedCount, 0)

        let whitespaceOnly = parse("\r\n")
        XCTAssertEqual(whitespaceOnly.responses, [])
        XCTAssertEqual(whitespaceOnly.trailingGarbage, bytes("\r\n"))
    }

    // MARK: - Limits and connection handling

    func testHeadTooLarge() {
        let big = "HTTP/1.1 200 OK\r\nX-Big: \(String(repeating: "a", count: 100))\r\nContent-Length: 0\r\n\r\n"
        let parser = parse(big, maxHeadBytes: 64)
        XCTAssertEqual(parser.responses.count, 1)
        XCTAssertEqual(parser.responses[0].status, -1)
        XCTAssertEqual(parser.responses[0].body, bytes(big))
        XCTAssertEqual(parser.responses[0].anomalies, [.headTooLarge])

        let exact = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"
        XCTAssertEqual(parse(exact, maxHeadBytes: exact.utf8.count).responses.map(\.status), [200])
        XCTAssertEqual(parse(exact, maxHeadBytes: exact.utf8.count - 1).responses.map(\.status), [-1])
    }

    func testGarbageLongerThanHeadLimitAfterAResponse() {
        let parser = parse(
            "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n" + String(repeating: "z", count: 100), maxHeadBytes: 64
        )
        XCTAssertEqual(parser.responses.count, 1)
        XCTAssertEqual(parser.trailingGarbage.count, 100)
    }

    func testResponseAfterConnectionClose() {
        let parser = parse(
            "HTTP/1.1 200 OK\r\nConnection: keep-alive, Close\r\nContent-Length: 0\r\n\r\n"
                + "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"
        )
        XCTAssertEqual(parser.responses.map(\.connectionClose), [true, false])
        XCTAssertEqual(parser.responses[1].anomalies, [.responseAfterConnectionClose])
    }

    func testHeaderLookupIsCaseInsensitive() {
        let parser = parse("HTTP/1.1 200 OK\r\nX-Thing: one\r\nx-thing: two\r\nContent-Length: 0\r\n\r\n")
        let response = parser.responses[0]
        XCTAssertEqual(response.header(named: "X-THING"), "one")
        XCTAssertEqual(response.headerBytes(named: "x-thing"), bytes("one"))
        XCTAssertEqual(response.headers(named: "x-Thing"), [bytes("one"), bytes("two")])
        XCTAssertNil(response.header(named: "missing"))
    }

    func testLargeBodiesInSmallPieces() {
        let body = (0..<200_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        var chunked: [UInt8] = []
        for chunk in stride(from: 0, to: body.count, by: 30_000) {
            let piece = body[chunk..<min(chunk + 30_000, body.count)]
            chunked += bytes(String(piece.count, radix: 16) + "\r\n") + piece + bytes("\r\n")
        }
        let stream = bytes("HTTP/1.1 200 OK\r\nContent-Length: \(body.count)\r\n\r\n") + body
            + bytes("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n") + chunked + bytes("0\r\n\r\n")
            + bytes("HTTP/1.1 204 No Content\r\n\r\n")
        for pieceSize in [1, 7, 4096, 70_000] {
            var parser = ResponseStreamParser()
            for start in stride(from: 0, to: stream.count, by: pieceSize) {
                parser.feed(stream[start..<min(start + pieceSize, stream.count)])
            }
            parser.finish()
            XCTAssertEqual(parser.responses.map(\.status), [200, 200, 204], "piece size \(pieceSize)")
            XCTAssertEqual(parser.responses[0].body, body)
            XCTAssertEqual(parser.responses[1].body, body)
            XCTAssertEqual(parser.pendingBytes, 0)
            assertTiles(parser)
        }
    }

    // MARK: - One minimal stream per anomaly

    func testEveryAnomalyHasAMinimalExample() {
        let ok = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"
        let chunkedHead = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
        let examples: [(ResponseAnomaly, ResponseStream)] = [
            (.bareLF, ResponseStream("HTTP/1.1 200 OK\nContent-Length: 0\n\n")),
            (.bareCR, ResponseStream("HTTP/1.1 200 OK\r\nX: a\rb\r\nContent-Length: 0\r\n\r\n")),
            (.leadingEmptyLines, ResponseStream("\r\n" + ok)),
            (.invalidStatusLine, ResponseStream("HTTP/1.1 OK\r\n\r\n")),
            (.invalidStatusCode, ResponseStream("HTTP/1.1 2000 OK\r\nContent-Length: 0\r\n\r\n")),
            (.statusLineWhitespace, ResponseStream("HTTP/1.1 200\r\nContent-Length: 0\r\n\r\n")),
            (.unknownVersion, ResponseStream("HTTP/3 200 OK\r\nContent-Length: 0\r\n\r\n")),
            (.whitespaceAfterStatusLine, ResponseStream("HTTP/1.1 200 OK\r\n X: y\r\nContent-Length: 0\r\n\r\n")),
            (.obsFold, ResponseStream("HTTP/1.1 200 OK\r\nX: a\r\n b\r\nContent-Length: 0\r\n\r\n")),
            (.whitespaceBeforeColon, ResponseStream("HTTP/1.1 200 OK\r\nContent-Length\t: 0\r\n\r\n")),
            (.missingColon, ResponseStream("HTTP/1.1 200 OK\r\nnocolon\r\nContent-Length: 0\r\n\r\n")),
            (.invalidFieldName, ResponseStream("HTTP/1.1 200 OK\r\nX(y): 1\r\nContent-Length: 0\r\n\r\n")),
            (.invalidFieldValue, ResponseStream("HTTP/1.1 200 OK\r\nX: \u{1}\r\nContent-Length: 0\r\n\r\n")),
            (.headTooLarge, ResponseStream(ok, maxHeadBytes: 16)),
            (
                .trailerSectionTooLarge,
                ResponseStream(chunkedHead + "0\r\nX: \(String(repeating: "9", count: 60))\r\n\r\n", maxHeadBytes: 60)
            ),
            (
                .contentLengthWithTransferEncoding,
                ResponseStream("HTTP/1.1 200 OK\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n")
            ),
            (.transferEncodingNotChunked, ResponseStream("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\nx")),
            (.repeatedChunked, ResponseStream(withFields: "Transfer-Encoding: chunked,chunked\r\n\r\n0\r\n\r\n")),
            (.unknownTransferCoding, ResponseStream(withFields: "Transfer-Encoding: br, chunked\r\n\r\n0\r\n\r\n")),
            (
                .transferEncodingInHTTP10,
                ResponseStream("HTTP/1.0 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n")
            ),
            (
                .forbiddenTransferEncoding,
                ResponseStream("HTTP/1.1 204 No Content\r\nTransfer-Encoding: chunked\r\n\r\n")
            ),
            (.forbiddenContentLength, ResponseStream("HTTP/1.1 100 Continue\r\nContent-Length: 0\r\n\r\n")),
            (.invalidContentLength, ResponseStream("HTTP/1.1 200 OK\r\nContent-Length: 1.0\r\n\r\nx")),
            (.duplicateContentLength, ResponseStream("HTTP/1.1 200 OK\r\nContent-Length: 1,1\r\n\r\nx")),
            (.invalidChunk, ResponseStream(chunkedHead + "g\r\n")),
            (.chunkSizeWhitespace, ResponseStream(chunkedHead + "0 \r\n\r\n")),
            (.truncated, ResponseStream("HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\n")),
            (.trailingGarbage, ResponseStream(ok + "x")),
            (.unsolicitedResponse, ResponseStream(ok + ok, methods: ["GET"])),
            (
                .responseAfterConnectionClose,
                ResponseStream(withFields: "Connection: close\r\nContent-Length: 0\r\n\r\n" + ok)
            ),
        ]
        XCTAssertEqual(Set(examples.map(\.0)), Set(ResponseAnomaly.allCases))
        for (anomaly, stream) in examples {
            let parser = parse(stream)
            XCTAssertTrue(parser.responses.contains { $0.has(anomaly) }, "\(anomaly.rawValue) not reported")
        }
    }

    func testAnomalyRawValuesAreStableKebabCase() {
        for anomaly in ResponseAnomaly.allCases {
            XCTAssertTrue(anomaly.rawValue.allSatisfy { $0.isLowercase || $0.isNumber || $0 == "-" }, anomaly.rawValue)
        }
        XCTAssertEqual(
            ResponseAnomaly(rawValue: "content-length-with-transfer-encoding"), .contentLengthWithTransferEncoding
        )
        XCTAssertEqual(ResponseAnomaly.bareLF.rawValue, "bare-lf")
        XCTAssertEqual(ResponseAnomaly.obsFold.rawValue, "obs-fold")
    }
}
