import XCTest
@testable import HTTPWire

/// What a stream parses to, whatever the chunking.
struct StreamOutcome: Equatable, CustomStringConvertible {
    var requests: [ParsedRequest]
    var violation: HTTPViolation?
    var insideRequest: Bool
    var consumed: Int

    init(_ bytes: [UInt8], limits: ParserLimits = .defaults, pieces: [Range<Int>]? = nil) {
        var stream = RequestStreamParser(limits: limits)
        for piece in pieces ?? [0..<bytes.count] { stream.feed(bytes[piece]) }
        requests = stream.requests
        violation = stream.violation
        insideRequest = stream.isInsideRequest
        consumed = stream.consumed
    }

    var expectation: RequestVector.Expectation {
        if let violation { return .reject(violation.reason, before: requests.count) }
        if insideRequest { return .incomplete(before: requests.count) }
        return .accept(requests.count)
    }

    var description: String { "\(expectation) consumed \(consumed)" }
}

func parse(_ escaped: String, limits: ParserLimits = .defaults) -> StreamOutcome {
    StreamOutcome(try! ByteEscapes.decode(escaped), limits: limits)
}

final class RequestParserTests: XCTestCase {
    func testEveryVectorReachesItsVerdict() {
        for vector in RequestVectors.all {
            let outcome = StreamOutcome(vector.bytes, limits: vector.limits)
            XCTAssertEqual(outcome.expectation, vector.expectation, "\(vector)")
        }
    }

    func testEveryReasonHasAVector() {
        let covered = Set(RequestVectors.all.compactMap { vector -> ViolationReason? in
            if case .reject(let reason, _) = vector.expectation { return reason }
            return nil
        })
        let missing = ViolationReason.allCases.filter { !covered.contains($0) }
        XCTAssertEqual(missing, [], "reasons without a byte-exact vector")
    }

    func testEveryReasonHasStatusSectionAndLevel() {
        for reason in ViolationReason.allCases {
            XCTAssertTrue([400, 413, 414, 417, 431, 501, 505].contains(reason.status), "\(reason)")
            XCTAssertTrue(reason.rfcSection.hasPrefix("RFC 9112 §") || reason.rfcSection.hasPrefix("RFC 9110 §"), "\(reason)")
            XCTAssertTrue(["MUST", "SHOULD", "MAY", "POLICY"].contains(reason.level), "\(reason)")
            XCTAssertTrue(reason.closesConnection)
        }
        XCTAssertEqual(ViolationReason.requestLineTooLong.status, 414)
        XCTAssertEqual(ViolationReason.tooManyFields.status, 431)
        XCTAssertEqual(ViolationReason.bodyTooLarge.status, 413)
        XCTAssertEqual(ViolationReason.versionUnsupported.status, 505)
        XCTAssertEqual(ViolationReason.transferEncodingUnknownCoding.status, 501)
        XCTAssertEqual(ViolationReason.methodTooLong.status, 501)
        XCTAssertEqual(ViolationReason.fieldValueNUL.level, "MUST")
        XCTAssertEqual(ViolationReason.fieldValueInvalid.level, "MAY", "other CTLs MAY be kept (RFC 9110 §5.5)")
        XCTAssertEqual(ViolationReason.chunkLineBareLF.level, "MUST", "the bare-LF leniency covers start-line and fields only")
        XCTAssertEqual(ViolationReason.transferEncodingNotFinalChunked.rawValue, "te-not-final-chunked")
    }

    /// The eight-bytes-at-a-time value scan must agree with the byte table for every byte in every lane.
    func testWordScanFindsEveryControlByte() {
        for position in 0..<8 {
            for value in 0...255 {
                var bytes = [UInt8](repeating: UInt8(ascii: "a"), count: 8)
                bytes[position] = UInt8(value)
                let word = bytes.withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) }
                XCTAssertEqual(RequestParser.containsControlOrDelete(word), value < 0x20 || value == 0x7F,
                               "byte \(value) at \(position)")
            }
        }
        let mixed = [UInt8]([0xFF, 0x80, 0x20, 0x7E, 0x21, 0xC3, 0xA9, 0x7F])
        XCTAssertTrue(RequestParser.containsControlOrDelete(mixed.withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) }))
    }

    func testSimpleGetIsFullyDescribed() throws {
        let outcome = parse("GET /cats/7?color=grey&x HTTP/1.1\r\nHost: example.com:8080\r\nUser-Agent:  curl/8 \r\nAccept: */*\r\n\r\n")
        let request = try XCTUnwrap(outcome.requests.first)
        XCTAssertEqual(String(decoding: request.method, as: UTF8.self), "GET")
        XCTAssertEqual(request.knownMethod, .get)
        XCTAssertEqual(String(decoding: request.target, as: UTF8.self), "/cats/7?color=grey&x")
        XCTAssertEqual(request.targetForm, .origin)
        XCTAssertEqual(String(decoding: request.path, as: UTF8.self), "/cats/7")
        XCTAssertEqual(request.query.map { String(decoding: $0, as: UTF8.self) }, "color=grey&x")
        XCTAssertEqual(request.authority.map { String(decoding: $0, as: UTF8.self) }, "example.com:8080")
        XCTAssertEqual(request.version, .http11)
        XCTAssertEqual(request.fields, [
            HeaderField("Host", "example.com:8080"), HeaderField("User-Agent", "curl/8"), HeaderField("Accept", "*/*"),
        ])
        XCTAssertEqual(request.framing, .none)
        XCTAssertTrue(request.keepAlive)
        XCTAssertEqual(request.streamRange, 0..<outcome.consumed)
    }

    func testAbsoluteFormAuthorityWinsOverHost() throws {
        let request = try XCTUnwrap(parse("GET http://Example.com:81/a?b HTTP/1.1\r\nHost: other\r\n\r\n").requests.first)
        XCTAssertEqual(request.targetForm, .absolute)
        XCTAssertEqual(request.authority.map { String(decoding: $0, as: UTF8.self) }, "Example.com:81")
        XCTAssertEqual(String(decoding: request.path, as: UTF8.self), "/a")
        XCTAssertEqual(request.query.map { String(decoding: $0, as: UTF8.self) }, "b")
    }

    func testOtherTargetForms() throws {
        let asterisk = try XCTUnwrap(parse("OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n").requests.first)
        XCTAssertEqual(asterisk.targetForm, .asterisk)
        let connect = try XCTUnwrap(parse("CONNECT [::1]:443 HTTP/1.1\r\nHost: [::1]:443\r\n\r\n").requests.first)
        XCTAssertEqual(connect.targetForm, .authority)
        XCTAssertEqual(connect.authority.map { String(decoding: $0, as: UTF8.self) }, "[::1]:443")
    }

    func testBodiesAndTrailers() throws {
        let outcome = parse("""
            POST /a HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello\
            POST /b HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3;x=y\r\nabc\r\n2\r\nde\r\n0\r\nChecksum: 9\r\n\r\n
            """)
        XCTAssertNil(outcome.violation)
        XCTAssertEqual(outcome.requests.count, 2)
        XCTAssertEqual(outcome.requests[0].framing, .contentLength(5))
        XCTAssertEqual(outcome.requests[0].body, Array("hello".utf8))
        XCTAssertEqual(outcome.requests[1].framing, .chunked)
        XCTAssertEqual(outcome.requests[1].body, Array("abcde".utf8))
        XCTAssertEqual(outcome.requests[1].trailers, [HeaderField("Checksum", "9")])
        XCTAssertEqual(outcome.requests[1].streamRange.upperBound, outcome.consumed)
        XCTAssertEqual(outcome.requests[0].streamRange.upperBound, outcome.requests[1].streamRange.lowerBound)
    }

    func testConnectionPersistence() throws {
        XCTAssertFalse(try XCTUnwrap(parse("GET / HTTP/1.1\r\nHost: a\r\nConnection: Close\r\n\r\n").requests.first).keepAlive)
        XCTAssertFalse(try XCTUnwrap(parse("GET / HTTP/1.0\r\n\r\n").requests.first).keepAlive)
        XCTAssertTrue(try XCTUnwrap(parse("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n").requests.first).keepAlive)
        XCTAssertFalse(try XCTUnwrap(parse("GET / HTTP/1.0\r\nConnection: keep-alive, close\r\n\r\n").requests.first).keepAlive)
    }

    func testExpectAndUpgradeFlags() throws {
        let expecting = try XCTUnwrap(parse("PUT / HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 1\r\n\r\nx").requests.first)
        XCTAssertTrue(expecting.expectsContinue)
        let old = try XCTUnwrap(parse("PUT / HTTP/1.0\r\nExpect: 100-continue\r\nContent-Length: 1\r\n\r\nx").requests.first)
        XCTAssertFalse(old.expectsContinue, "RFC 9110 §10.1.1: ignore 100-continue from HTTP/1.0")
        XCTAssertTrue(try XCTUnwrap(parse("GET / HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\n\r\n").requests.first).upgradeRequested)
        XCTAssertFalse(try XCTUnwrap(parse("GET / HTTP/1.0\r\nUpgrade: websocket\r\n\r\n").requests.first).upgradeRequested)
    }

    func testViolationOffsetsPointAtTheCause() throws {
        let first = "GET / HTTP/1.1\r\nHost: a\r\n\r\n"
        let outcome = parse(first + "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n")
        let violation = try XCTUnwrap(outcome.violation)
        XCTAssertEqual(violation.reason, .hostDuplicate)
        XCTAssertEqual(violation.streamOffset, first.utf8.count + "GET / HTTP/1.1\r\nHost: a\r\n".utf8.count)
        XCTAssertEqual(outcome.consumed, first.utf8.count)

        let chunk = parse("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhelloXX")
        XCTAssertEqual(chunk.violation?.reason, .chunkDataMissingCRLF)
        XCTAssertEqual(chunk.violation?.streamOffset, "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello".utf8.count)
        XCTAssertEqual(parse("GET / HTTP/1.1\r\nHost: a\r\nX: a\rb\r\n\r\n").violation?.streamOffset, 29)
    }

    func testDefaultLimitsAtFullSize() {
        let limits = ParserLimits.defaults
        let longTarget = "/" + String(repeating: "a", count: limits.maxRequestLine - "GET / HTTP/1.1".utf8.count)
        XCTAssertNil(parse("GET \(longTarget) HTTP/1.1\r\nHost: a\r\n\r\n").violation, "exactly 8 KiB is accepted")
        XCTAssertEqual(parse("GET \(longTarget)a HTTP/1.1\r\nHost: a\r\n\r\n").violation?.reason, .requestLineTooLong)

        let value = String(repeating: "v", count: limits.maxFieldLine - 3)
        XCTAssertNil(parse("GET / HTTP/1.1\r\nHost: a\r\nX: \(value)\r\n\r\n").violation)
        XCTAssertEqual(parse("GET / HTTP/1.1\r\nHost: a\r\nX: \(value)v\r\n\r\n").violation?.reason, .fieldTooLarge)

        let hundred = (1..<100).map { "X-\($0): v\r\n" }.joined()
        XCTAssertNil(parse("GET / HTTP/1.1\r\nHost: a\r\n\(hundred)\r\n").violation)
        XCTAssertEqual(parse("GET / HTTP/1.1\r\nHost: a\r\n\(hundred)One-More: v\r\n\r\n").violation?.reason, .tooManyFields)

        let big = (0..<9).map { "X-\($0): \(String(repeating: "b", count: 8000))\r\n" }.joined()
        XCTAssertEqual(parse("GET / HTTP/1.1\r\nHost: a\r\n\(big)\r\n").violation?.reason, .headerSectionTooLarge)

        XCTAssertNil(parse("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1048576\r\n\r\n").violation)
        XCTAssertEqual(parse("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1048577\r\n\r\n").violation?.reason, .bodyTooLarge)
        XCTAssertEqual(parse("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n100001\r\n").violation?.reason,
                       .bodyTooLarge)
        let extensions = String(repeating: ";e", count: 2049)
        XCTAssertEqual(parse("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n1\(extensions)\r\n").violation?.reason,
                       .chunkExtensionsTooLarge)
        let trailer = "T: " + String(repeating: "t", count: 5000) + "\r\nU: " + String(repeating: "u", count: 5000) + "\r\n"
        XCTAssertEqual(parse("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\(trailer)\r\n").violation?.reason,
                       .trailerSectionTooLarge)
    }

    func testAcceptedRequestsSurviveReserialization() {
        for vector in RequestVectors.all {
            let outcome = StreamOutcome(vector.bytes, limits: vector.limits)
            for request in outcome.requests {
                let again = StreamOutcome(RequestSerializer.serialize(request), limits: vector.limits)
                XCTAssertNil(again.violation, "\(vector)")
                XCTAssertEqual(again.requests.count, 1, "\(vector)")
                guard let reparsed = again.requests.first else { continue }
                XCTAssertEqual(reparsed.fields, request.fields, "\(vector)")
                XCTAssertEqual(reparsed.body, request.body, "\(vector)")
                XCTAssertEqual(reparsed.framing, request.framing, "\(vector)")
                XCTAssertEqual(reparsed.trailers, request.trailers, "\(vector)")
                XCTAssertEqual(reparsed.target, request.target, "\(vector)")
            }
        }
    }
}
