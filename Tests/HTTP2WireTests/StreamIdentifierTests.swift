import XCTest
@testable import HTTP2Wire

/// Stream identifier rules (§5.1.1) and concurrency accounting (§5.1.2).
final class StreamIdentifierTests: XCTestCase {
    func testClientStreamsMustBeOdd() {
        var ids = HTTP2StreamIdentifiers(role: .server)
        XCTAssertEqual(ids.peerOpens(2), .connection("client-stream-id-even", .protocolError, "RFC 9113 §5.1.1"))
        XCTAssertNil(ids.peerOpens(1))
    }

    func testClientStreamsMustIncrease() {
        var ids = HTTP2StreamIdentifiers(role: .server)
        XCTAssertNil(ids.peerOpens(5))
        XCTAssertEqual(ids.peerOpens(5), .connection("stream-id-not-increasing", .protocolError, "RFC 9113 §5.1.1"))
        XCTAssertEqual(ids.peerOpens(3)?.reason, "stream-id-not-increasing")
        XCTAssertNil(ids.peerOpens(7))
        XCTAssertEqual(ids.highestPeerStreamID, 7)
    }

    func testSkippedIdsAreNoLongerIdle() {
        var ids = HTTP2StreamIdentifiers(role: .server)
        XCTAssertTrue(ids.isIdle(1))
        XCTAssertNil(ids.peerOpens(7))
        XCTAssertFalse(ids.isIdle(5), "closed implicitly by stream 7 (§5.1.1)")
        XCTAssertTrue(ids.isIdle(9))
        XCTAssertTrue(ids.isIdle(2), "our own ids are counted separately")
        XCTAssertFalse(ids.isIdle(0))
    }

    func testAServerCannotOpenAStreamWithHeaders() {
        var ids = HTTP2StreamIdentifiers(role: .client)
        XCTAssertEqual(ids.peerOpens(2)?.reason, "server-opened-stream-with-headers")
    }

    func testPromisedStreamsMustBeEvenAndIncreasing() {
        var ids = HTTP2StreamIdentifiers(role: .client)
        XCTAssertEqual(ids.peerReserves(3)?.reason, "promised-stream-id-invalid")
        XCTAssertEqual(ids.peerReserves(0)?.reason, "promised-stream-id-invalid")
        XCTAssertNil(ids.peerReserves(4))
        XCTAssertEqual(ids.peerReserves(2)?.reason, "stream-id-not-increasing")
        var server = HTTP2StreamIdentifiers(role: .server)
        XCTAssertEqual(server.peerReserves(2)?.reason, "promised-stream-id-invalid", "clients do not push")
    }

    func testStreamsBeyondTheAdvertisedLimitAreRefused() {
        var ids = HTTP2StreamIdentifiers(role: .server, maxConcurrentPeerStreams: 2)
        for id: UInt32 in [1, 3] {
            XCTAssertNil(ids.peerOpens(id))
            ids.noteTransition(of: id, from: .idle, to: .open)
        }
        XCTAssertEqual(ids.peerOpens(5), .stream(5, "max-concurrent-streams-exceeded", .refusedStream, "RFC 9113 §5.1.2"))
        XCTAssertEqual(ids.highestPeerStreamID, 5, "a refused stream still uses up its id")
        ids.noteTransition(of: 1, from: .halfClosedRemote, to: .closed(.endStream))
        XCTAssertEqual(ids.activePeerStreams, 1)
        XCTAssertNil(ids.peerOpens(7))
    }

    func testHalfClosedStreamsStillCountAndReservedOnesDoNot() {
        var ids = HTTP2StreamIdentifiers(role: .server)
        ids.noteTransition(of: 1, from: .idle, to: .open)
        ids.noteTransition(of: 1, from: .open, to: .halfClosedRemote)
        XCTAssertEqual(ids.activePeerStreams, 1)
        ids.noteTransition(of: 2, from: .idle, to: .reservedLocal)
        XCTAssertEqual(ids.activeLocalStreams, 0)
        ids.noteTransition(of: 2, from: .reservedLocal, to: .halfClosedRemote)
        XCTAssertEqual(ids.activeLocalStreams, 1)
        ids.noteTransition(of: 1, from: .halfClosedRemote, to: .closed(.resetSent))
        XCTAssertEqual(ids.activePeerStreams, 0)
    }

    func testLocalIdsHaveTheRightParityAndStopAtTheEnd() {
        var client = HTTP2StreamIdentifiers(role: .client)
        XCTAssertEqual(client.nextLocalStreamID(), 1)
        XCTAssertEqual(client.nextLocalStreamID(), 3)
        var server = HTTP2StreamIdentifiers(role: .server)
        XCTAssertEqual(server.nextLocalStreamID(), 2)
        XCTAssertEqual(server.nextLocalStreamID(), 4)
        client.highestLocalStreamID = 0x7fff_fffd
        XCTAssertEqual(client.nextLocalStreamID(), 0x7fff_ffff, "the largest id (§5.1.1)")
        XCTAssertNil(client.nextLocalStreamID(), "ids exhausted: a new connection is needed")
        server.highestLocalStreamID = 0x7fff_fffc
        XCTAssertEqual(server.nextLocalStreamID(), 0x7fff_fffe)
        XCTAssertNil(server.nextLocalStreamID())
    }

    func testTheClientRespectsThePeersConcurrencyLimit() {
        var client = HTTP2StreamIdentifiers(role: .client)
        client.maxConcurrentLocalStreams = 1
        let first = client.nextLocalStreamID()!
        client.noteTransition(of: first, from: .idle, to: .open)
        XCTAssertNil(client.nextLocalStreamID())
        client.noteTransition(of: first, from: .open, to: .closed(.resetSent))
        XCTAssertEqual(client.nextLocalStreamID(), 3)
    }
}
