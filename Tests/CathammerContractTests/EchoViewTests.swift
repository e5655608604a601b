import CathammerContract
import XCTest

final class EchoViewTests: XCTestCase {
    private func chunkedPost() -> EchoView {
        EchoView(method: "POST", target: "/echo", targetForm: "origin", version: "HTTP/1.1", authority: "h",
                 headers: [.init(name: "Host", value: "h", valueBase64: nil),
                           .init(name: "Transfer-Encoding", value: "chunked", valueBase64: nil),
                           .init(name: "Connection", value: "close", valueBase64: nil)],
                 framing: "chunked", bodyLength: 3, bodySHA256: SHA256Hex.of(Array("abc".utf8)),
                 trailers: [.init(name: "X-T", value: "1", valueBase64: nil)], keepAlive: false)
    }

    /// Byte for byte what the server answered before the view moved here (captured from `/echo`).
    func testExactJSONBody() {
        let served = #"{"authority":"h","body_length":3,"body_sha256":"ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad","framing":"chunked","headers":[{"name":"Host","value":"h"},{"name":"Transfer-Encoding","value":"chunked"},{"name":"Connection","value":"close"}],"keep_alive":false,"method":"POST","target":"/echo","target_form":"origin","trailers":[{"name":"X-T","value":"1"}],"version":"HTTP/1.1"}"# + "\n"
        XCTAssertEqual(String(decoding: chunkedPost().jsonBody(), as: UTF8.self), served)
    }

    func testSlashesAndAbsentValuesStayAsServed() {
        var view = chunkedPost()
        view.target = "http://example.com/echo?x=/y"
        view.authority = nil
        view.headers = [.init(name: "X-Bin", value: nil, valueBase64: "gP8=")]
        let text = String(decoding: view.jsonBody(), as: UTF8.self)
        XCTAssertTrue(text.contains(#""target":"http://example.com/echo?x=/y""#), text)
        XCTAssertTrue(text.contains(#""headers":[{"name":"X-Bin","value_base64":"gP8="}]"#), text)
        XCTAssertFalse(text.contains("authority"), "an absent authority is left out, not null")
    }

    /// The connection's scheme: written when known, left out (not null) for servers that do not say.
    func testSchemeIsWrittenWhenKnown() throws {
        var view = chunkedPost()
        XCTAssertFalse(String(decoding: view.jsonBody(), as: UTF8.self).contains("scheme"))
        view.scheme = "https"
        let text = String(decoding: view.jsonBody(), as: UTF8.self)
        XCTAssertTrue(text.contains(#""scheme":"https","target":"/echo""#), text)
        XCTAssertEqual(try EchoView(json: view.jsonBody()), view)
    }

    func testRoundTrip() throws {
        var view = chunkedPost()
        XCTAssertEqual(try EchoView(json: view.jsonBody()), view)
        view.authority = nil
        view.headers.append(.init(name: "X-Bin", value: nil, valueBase64: "gP8="))
        XCTAssertEqual(try EchoView(json: view.jsonBody()), view)
    }

    /// The framing check reads three keys and needs only the first: peers' echo apps send no more.
    func testBodyFramingReadsTheViewAndItsSubsets() throws {
        let full = try EchoView.BodyFraming(json: chunkedPost().jsonBody())
        XCTAssertEqual(full.bodyLength, 3)
        XCTAssertEqual(full.bodySHA256, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        XCTAssertEqual(full.framing, "chunked")
        let lengthOnly = try EchoView.BodyFraming(json: Array(#"{"body_length":12,"framing":7}"#.utf8))
        XCTAssertEqual(lengthOnly.bodyLength, 12)
        XCTAssertNil(lengthOnly.bodySHA256)
        XCTAssertNil(lengthOnly.framing, "a framing that is not a string is no framing")
        XCTAssertThrowsError(try EchoView.BodyFraming(json: Array(#"{"body_sha256":"00"}"#.utf8)))
        XCTAssertThrowsError(try EchoView(json: Array(#"{"body_length":1}"#.utf8)), "a full view needs every key")
    }
}
