import XCTest
@testable import PreforkServer

final class ControlMessageTests: XCTestCase {
    private func decode(_ text: String) throws(ControlMessageDecodeError) -> ControlMessage {
        try ControlMessage(wire: Array(text.utf8))
    }

    private func decodeError(_ bytes: [UInt8]) -> ControlMessageDecodeError? {
        do throws(ControlMessageDecodeError) {
            _ = try ControlMessage(wire: bytes)
            return nil
        } catch {
            return error
        }
    }

    /// The words every earlier image spoke: a re-executed master and the workers it adopts, or a
    /// master whose binary was replaced under it, must still understand each other.
    func testTheWireWordsAreTheOnesEarlierImagesSpoke() throws {
        let expected: [(ControlMessage, String)] = [
            (.ready, "READY"),
            (.recycle(reason: .maxRequests), "RECYCLE max-requests"),
            (.recycle(reason: .lifetime), "RECYCLE lifetime"),
            (.recycle(reason: .memory), "RECYCLE memory"),
            (.retire, "RETIRE"),
            (.stop, "STOP"),
            (.quit, "QUIT"),
        ]
        for (message, text) in expected {
            XCTAssertEqual(message.wireBytes, Array(text.utf8))
            XCTAssertEqual(try decode(text), message)
        }
        XCTAssertEqual(try decode("READY 4242"), .ready, "workers of earlier images name their pid")
    }

    func testGarbageIsATypedError() {
        XCTAssertEqual(decodeError([]), .empty)
        XCTAssertEqual(decodeError(Array(" RETIRE".utf8)), .empty)
        XCTAssertEqual(decodeError([0xFF, 0xFE]), .notUTF8([0xFF, 0xFE]))
        XCTAssertEqual(decodeError(Array("retire".utf8)), .unknownVerb("retire"), "verbs are case-sensitive")
        XCTAssertEqual(decodeError(Array("RECYCLE".utf8)), .unexpectedArguments(verb: "RECYCLE", []))
        XCTAssertEqual(decodeError(Array("RECYCLE boredom".utf8)), .unknownRecycleReason("boredom"))
        XCTAssertEqual(decodeError(Array("RECYCLE max-requests now".utf8)),
                       .unexpectedArguments(verb: "RECYCLE", ["max-requests", "now"]))
        XCTAssertEqual(decodeError(Array("STOP now".utf8)), .unexpectedArguments(verb: "STOP", ["now"]))
        XCTAssertEqual(decodeError(Array("QUIT ".utf8)), .unexpectedArguments(verb: "QUIT", [""]))
        XCTAssertEqual(decodeError(Array("READY -1".utf8)), .unexpectedArguments(verb: "READY", ["-1"]))
        XCTAssertEqual(decodeError(Array("READY 12 13".utf8)), .unexpectedArguments(verb: "READY", ["12", "13"]))
    }
}
