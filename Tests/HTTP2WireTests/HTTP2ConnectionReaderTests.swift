import HTTPWire
import XCTest
@testable import HTTP2Wire

/// Writes one direction of a connection: frames, with field blocks from one HPACK encoder.
struct H2StreamWriter {
    var bytes: [UInt8]
    var encoder = HPACKEncoder(policy: .indexEverything)

    static func client() -> H2StreamWriter { H2StreamWriter(bytes: FrameBytes.clientStart) }
    static func server() -> H2StreamWriter { H2StreamWriter(bytes: FrameBytes.settings()) }

    mutating func headers(_ stream: UInt32, _ fields: [(String, String)], endStream: Bool = false,
                          maxFrameSize: Int = 16_384) {
        var block: [UInt8] = []
        encoder.encode(fields.map { HeaderField($0.0, $0.1) }, into: &block)
        HTTP2FrameEncoder.appendHeaders(streamID: stream, fieldBlock: block, endStream: endStream,
                                        maxFrameSize: maxFrameSize, into: &bytes)
    }

    mutating func pushPromise(_ stream: UInt32, promised: UInt32, _ fields: [(String, String)]) {
        var block: [UInt8] = []
        encoder.encode(fields.map { HeaderField($0.0, $0.1) }, into: &block)
        HTTP2FrameEncoder.appendPushPromise(streamID: stream, promisedStreamID: promised, fieldBlock: block, into: &bytes)
    }

    mutating func data(_ stream: UInt32, _ text: String, endStream: Bool = false, padLength: Int? = nil) {
        HTTP2FrameEncoder.appendData(streamID: stream, data: Array(text.utf8), endStream: endStream,
                                     padLength: padLength, into: &bytes)
    }

    mutating func raw(_ frame: [UInt8]) { bytes += frame }
}

let getRequest = [(":method", "GET"), (":scheme", "https"), (":authority", "example.com"), (":path", "/a?b=1")]

final class HTTP2ConnectionReaderTests: XCTestCase {
    private func read(_ bytes: [UInt8], _ mode: HTTP2ConnectionReader.Mode = .requests) -> HTTP2ConnectionReader {
        var reader = HTTP2ConnectionReader(mode: mode)
        reader.feed(bytes)
        return reader
    }

    private func streamErrors(_ reader: HTTP2ConnectionReader) -> [String] {
        reader.events.compactMap { if case .streamError(let v, _) = $0 { return v.reason } else { return nil } }
    }

    // MARK: - Requests

    func testRequestsAreAssembledPerStream() throws {
        var w = H2StreamWriter.client()
        w.headers(1, getRequest + [("cookie", "a=1"), ("cookie", "b=2")], endStream: true)
        w.headers(3, [(":method", "POST"), (":scheme", "https"), (":authority", "example.com"), (":path", "/echo"),
                      ("content-length", "5")])
        w.data(3, "he", padLength: 4)
        w.data(3, "llo")
        w.headers(3, [("x-checksum", "1")], endStream: true)
        w.headers(5, [(":method", "PUT"), (":scheme", "https"), (":authority", "example.com"), (":path", "/up")])
        w.data(5, "chunk", endStream: true)
        let reader = read(w.bytes)
        XCTAssertNil(reader.firstViolation)
        XCTAssertFalse(reader.endsInsideFrame)
        XCTAssertEqual(reader.incompleteStreams, [])
        let messages = reader.messages
        XCTAssertEqual(messages.map(\.streamID), [1, 3, 5])

        let get = try XCTUnwrap(messages[0].request)
        XCTAssertEqual(get.method, Array("GET".utf8))
        XCTAssertEqual(get.path, Array("/a".utf8))
        XCTAssertEqual(get.query, Array("b=1".utf8))
        XCTAssertEqual(get.version, .http2)
        // Shaped as an HTTP/1.1 hop sees it: host from :authority, cookies joined (§8.2.3, §8.3.1).
        XCTAssertEqual(get.fields, [HeaderField("host", "example.com"), HeaderField("cookie", "a=1; b=2")])
        XCTAssertEqual(get.framing, .none)

        let post = try XCTUnwrap(messages[1].request)
        XCTAssertEqual(post.body, Array("hello".utf8), "padding is not content (§6.1)")
        XCTAssertEqual(post.framing, .contentLength(5))
        XCTAssertEqual(post.trailers, [HeaderField("x-checksum", "1")])
        XCTAssertEqual(messages[1].contentLength, 5)

        let put = try XCTUnwrap(messages[2].request)
        XCTAssertEqual(put.framing, .chunked)
        XCTAssertEqual(put.body, Array("chunk".utf8))

        let blocks = reader.events.compactMap { if case .fieldBlock(let b) = $0 { return b } else { return nil } }
        XCTAssertEqual(blocks.map(\.streamID), [1, 3, 3, 5])
        XCTAssertEqual(blocks[0].fields.first, HeaderField(":method", "GET"))
        XCTAssertEqual(blocks[2].endStream, true)
    }

    func testContinuationFramesFormOneBlock() throws {
        var w = H2StreamWriter.client()
        w.headers(1, getRequest + [("x-long", String(repeating: "v", count: 40_000))], endStream: true, maxFrameSize: 16_384)
        let reader = read(w.bytes)
        XCTAssertNil(reader.firstViolation)
        let block = try XCTUnwrap(reader.events.compactMap { if case .fieldBlock(let b) = $0 { return b } else { return nil } }.first)
        XCTAssertEqual(block.continuationFrames, 2)
        XCTAssertEqual(reader.messages.count, 1)
    }

    func testEveryStreamOfRequestsReadsTheSameForEverySplit() {
        var w = H2StreamWriter.client()
        w.headers(1, getRequest, endStream: true)
        w.headers(3, [(":method", "POST"), (":scheme", "https"), (":authority", "x"), (":path", "/"), ("content-length", "3")])
        w.data(3, "abc", endStream: true)
        w.headers(5, [(":method", "GET"), (":scheme", "https"), (":path", "/"), ("Bad", "1")], endStream: true)
        w.raw(FrameBytes.raw(0x8, stream: 7, FrameBytes.u32(0)))
        let whole = read(w.bytes)
        XCTAssertEqual(whole.connectionViolation?.reason, "frame-on-idle-stream")
        for split in 0...w.bytes.count {
            var reader = HTTP2ConnectionReader(mode: .requests)
            reader.feed(Array(w.bytes[..<split]))
            reader.feed(Array(w.bytes[split...]))
            XCTAssertEqual(reader.events, whole.events, "split at \(split)")
        }
        var bytewise = HTTP2ConnectionReader(mode: .requests)
        for byte in w.bytes { bytewise.feed([byte]) }
        XCTAssertEqual(bytewise.events, whole.events)
    }

    func testMalformedRequestsAreStreamErrorsAndTheConnectionGoesOn() {
        var w = H2StreamWriter.client()
        w.headers(1, [(":method", "GET"), (":scheme", "https"), (":authority", "x")], endStream: true)
        w.headers(3, getRequest + [("Upper", "1")], endStream: true)
        w.headers(5, getRequest + [("transfer-encoding", "chunked")], endStream: true)
        w.headers(7, getRequest + [("content-length", "4")], endStream: true)
        w.headers(9, getRequest + [("content-length", "1")])
        w.data(9, "toolong")
        w.headers(11, getRequest)
        w.headers(11, [("x", "1")])
        w.headers(13, getRequest, endStream: true)
        let reader = read(w.bytes)
        XCTAssertEqual(streamErrors(reader), ["pseudo-header-missing", "field-name-uppercase", "connection-specific-field",
                                              "content-length-mismatch", "content-length-mismatch",
                                              "trailers-without-end-stream"])
        XCTAssertEqual(reader.firstViolation, .stream(1, "pseudo-header-missing", .protocolError, "RFC 9113 §8.3.1"))
        XCTAssertNil(reader.connectionViolation)
        XCTAssertEqual(reader.messages.map(\.streamID), [13])
    }

    func testStreamStateRules() {
        // DATA after END_STREAM: a stream error STREAM_CLOSED (§5.1 half-closed (remote)).
        var late = H2StreamWriter.client()
        late.headers(1, getRequest, endStream: true)
        late.data(1, "x")
        XCTAssertEqual(read(late.bytes).firstViolation, .stream(1, "frame-on-half-closed-remote-stream", .streamClosed, "RFC 9113 §5.1"))

        // DATA on a stream never opened: a connection error (§5.1 idle).
        var idle = H2StreamWriter.client()
        idle.data(1, "x")
        XCTAssertEqual(read(idle.bytes).connectionViolation?.reason, "frame-on-idle-stream")

        // Ids must be odd and increasing (§5.1.1); a skipped id is closed.
        var even = H2StreamWriter.client()
        even.headers(2, getRequest, endStream: true)
        XCTAssertEqual(read(even.bytes).connectionViolation?.reason, "client-stream-id-even")
        var backwards = H2StreamWriter.client()
        backwards.headers(5, getRequest, endStream: true)
        backwards.headers(3, getRequest, endStream: true)
        XCTAssertEqual(read(backwards.bytes).connectionViolation?.reason, "frame-on-implicitly-closed-stream")

        // A frame refused for its stream alone keeps the connection, unless the stream was never opened.
        var zeroIncrement = H2StreamWriter.client()
        zeroIncrement.headers(1, getRequest)
        zeroIncrement.raw(FrameBytes.raw(0x8, stream: 1, FrameBytes.u32(0)))
        zeroIncrement.headers(3, getRequest, endStream: true)
        let reader = read(zeroIncrement.bytes)
        XCTAssertEqual(reader.firstViolation?.reason, "window-update-zero-increment")
        XCTAssertNil(reader.connectionViolation)
        XCTAssertEqual(reader.messages.map(\.streamID), [3])

        // A reset stream's message is dropped; RST_STREAM on a closed stream is not answered.
        var reset = H2StreamWriter.client()
        reset.headers(1, getRequest)
        HTTP2FrameEncoder.appendRSTStream(streamID: 1, errorCode: .cancel, into: &reset.bytes)
        let resetReader = read(reset.bytes)
        XCTAssertNil(resetReader.firstViolation)
        XCTAssertEqual(resetReader.messages.count, 0)
        XCTAssertEqual(resetReader.incompleteStreams, [])
    }

    func testConnectionErrorsStopTheReaderWithCodeAndSection() {
        XCTAssertEqual(read(Array("GET / HTTP/1.1\r\n\r\n".utf8)).connectionViolation,
                       .connection("bad-connection-preface", .protocolError, "RFC 9113 §3.4"))
        var hpack = H2StreamWriter.client()
        HTTP2FrameEncoder.appendHeaders(streamID: 1, fieldBlock: [0xff, 0x7f], endStream: true, into: &hpack.bytes)
        hpack.headers(3, getRequest, endStream: true)
        let reader = read(hpack.bytes)
        XCTAssertEqual(reader.connectionViolation?.code, .compressionError)
        XCTAssertEqual(reader.connectionViolation?.rfcSection, "RFC 7541 §2.3.3")
        XCTAssertEqual(reader.messages.count, 0, "nothing after a connection error is read")
        guard case .connectionError(_, let offset) = reader.events.last else { return XCTFail("\(reader.events)") }
        XCTAssertEqual(offset, FrameBytes.clientStart.count + 9 + 2)
    }

    func testHeaderListLargerThanTheLimitIsRefusedButDecoded() {
        var w = H2StreamWriter.client()
        w.headers(1, getRequest + [("x-big", String(repeating: "a", count: 300))], endStream: true)
        w.headers(3, getRequest, endStream: true)
        var reader = HTTP2ConnectionReader(mode: .requests, maxHeaderListSize: 256)
        reader.feed(w.bytes)
        XCTAssertEqual(reader.firstViolation?.reason, "header-list-too-large")
        XCTAssertEqual(reader.messages.map(\.streamID), [3], "the table stayed in step with the encoder")
    }

    func testTruncatedInputAndIncompleteStreams() {
        var w = H2StreamWriter.client()
        w.headers(1, getRequest)
        w.data(1, "partial")
        let reader = read(w.bytes)
        XCTAssertFalse(reader.endsInsideFrame)
        XCTAssertEqual(reader.incompleteStreams, [1])
        XCTAssertTrue(read(Array(w.bytes.dropLast(2))).endsInsideFrame)
    }

    // MARK: - Responses

    func testResponsesWithInformationalHeadsAndTrailers() throws {
        var w = H2StreamWriter.server()
        w.headers(1, [(":status", "103"), ("link", "</a.css>; rel=preload")])
        w.headers(1, [(":status", "200"), ("content-length", "2")])
        w.data(1, "ok")
        w.headers(1, [("grpc-status", "0")], endStream: true)
        w.headers(3, [(":status", "204")], endStream: true)
        let reader = read(w.bytes, .responses)
        XCTAssertNil(reader.firstViolation)
        let messages = reader.messages
        XCTAssertEqual(messages.map(\.status), [200, 204])
        XCTAssertEqual(messages[0].informational.count, 1)
        XCTAssertEqual(messages[0].body, Array("ok".utf8))
        XCTAssertEqual(messages[0].trailers, [HeaderField("grpc-status", "0")])
        XCTAssertNil(messages[0].request)
    }

    func testResponseRules() {
        func firstError(_ fields: [(String, String)], endStream: Bool = true) -> String? {
            var w = H2StreamWriter.server()
            w.headers(1, fields, endStream: endStream)
            return read(w.bytes, .responses).firstViolation?.reason
        }
        XCTAssertNil(firstError([(":status", "200")]))
        XCTAssertEqual(firstError([("server", "x")]), "status-missing")
        XCTAssertEqual(firstError([(":status", "20")]), "status-invalid")
        XCTAssertEqual(firstError([(":status", "2000")]), "status-invalid")
        XCTAssertEqual(firstError([(":status", "099")]), "status-invalid")
        XCTAssertEqual(firstError([(":status", "200"), (":status", "200")]), "pseudo-header-duplicate")
        XCTAssertEqual(firstError([(":status", "200"), (":path", "/")]), "pseudo-header-request-in-response")
        XCTAssertEqual(firstError([(":status", "200"), (":foo", "1")]), "pseudo-header-unknown")
        XCTAssertEqual(firstError([("server", "x"), (":status", "200")]), "pseudo-header-after-field")
        XCTAssertEqual(firstError([(":status", "200"), ("connection", "close")]), "connection-specific-field")
        XCTAssertEqual(firstError([(":status", "100")]), "informational-response-end-stream")
        XCTAssertEqual(firstError([(":status", "200"), ("content-length", "3")]), "content-length-mismatch")
        // §8.1.1: a response without content may declare a length.
        XCTAssertNil(firstError([(":status", "304"), ("content-length", "3")]))
    }

    func testHeadResponsesAndDataBeforeHeaders() {
        var w = H2StreamWriter.server()
        w.headers(1, [(":status", "200"), ("content-length", "10")], endStream: true)
        var head = HTTP2ConnectionReader(mode: .responses)
        head.headRequestStreams = [1]
        head.feed(w.bytes)
        XCTAssertNil(head.firstViolation)

        var early = H2StreamWriter.server()
        early.data(1, "x", endStream: true)
        XCTAssertEqual(read(early.bytes, .responses).firstViolation, .stream(1, "data-before-headers", .protocolError, "RFC 9113 §8.1"))

        var serverOpened = H2StreamWriter.server()
        serverOpened.headers(2, [(":status", "200")], endStream: true)
        XCTAssertEqual(read(serverOpened.bytes, .responses).connectionViolation?.reason, "server-opened-stream-with-headers")
    }

    func testPushPromiseReservesTheStreamItsResponseUses() {
        var w = H2StreamWriter.server()
        w.pushPromise(1, promised: 2, [(":method", "HEAD"), (":scheme", "https"), (":authority", "x"), (":path", "/s.css")])
        w.headers(1, [(":status", "200")], endStream: true)
        w.headers(2, [(":status", "200"), ("content-length", "99")], endStream: true)
        let reader = read(w.bytes, .responses)
        XCTAssertNil(reader.firstViolation)
        XCTAssertEqual(reader.messages.map(\.streamID), [1, 2])

        var bad = H2StreamWriter.server()
        bad.pushPromise(1, promised: 2, [(":method", "GET"), (":path", "/")])
        XCTAssertEqual(read(bad.bytes, .responses).firstViolation?.scope, .stream(2))

        // A server never receives PUSH_PROMISE (§8.4).
        var fromClient = H2StreamWriter.client()
        fromClient.pushPromise(1, promised: 2, getRequest)
        XCTAssertEqual(read(fromClient.bytes).connectionViolation?.code, .protocolError)
    }
}
