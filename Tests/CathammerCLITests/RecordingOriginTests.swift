import CathammerContract
import Foundation
import Hammer
import XCTest

/// `serve --app record`: the reference server as the chain's instrument. Every connection's bytes,
/// where each request began and ended, its parsed view, every rejection, read over the control
/// listener and attributed by sequence numbers.
final class RecordingOriginTests: XCTestCase {
    func testRecordsBytesRequestsAndRejectionsPerConnection() throws {
        let origin = try RecordingOrigin(executable: CathammerBinary.url.path)
        defer { origin.stop() }
        let before = try origin.sequence()

        let first = "GET /echo HTTP/1.1\r\nHost: a\r\n\r\n"
        let second = "POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello"
        let refused = "GET /x HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n"
        let client = try ClientConnection(to: origin.endpoint, timeout: 5)
        _ = client.send(Array((first + second + refused).utf8))
        let reply = client.readUntilClosed(idleTimeout: 5)
        client.close()
        XCTAssertTrue(String(decoding: reply.bytes, as: UTF8.self).contains("400 Bad Request"))

        // The close is the last event of the connection: wait for it, then read.
        var record = try origin.records(since: before)
        XCTAssertTrue(ServerProcess.eventually(timeout: 10) {
            record = (try? origin.records(since: before)) ?? record
            return record.connections.first?.closedAt != nil
        })
        XCTAssertEqual(record.connections.count, 1)
        let connection = try XCTUnwrap(record.connections.first)
        XCTAssertEqual(connection.received, Array((first + second + refused).utf8))
        XCTAssertEqual(connection.requests.map(\.view.method), ["GET", "POST"])
        XCTAssertEqual(connection.requests.map(\.start), [0, first.utf8.count])
        XCTAssertEqual(connection.requests.map(\.end), [first.utf8.count, first.utf8.count + second.utf8.count])
        XCTAssertEqual(connection.requests[1].view.bodyLength, 5)
        XCTAssertEqual(connection.rejections.map(\.reason), ["te-with-content-length"])
        XCTAssertEqual(connection.rejections.first?.status, 400)
        XCTAssertEqual(connection.rejections.first?.rfcSection, "RFC 9112 §6.3")
        // One sequence orders everything: accept, bytes, requests, rejection, close.
        let events = [connection.openedAt] + connection.chunks.map(\.sequence) + connection.requests.map(\.sequence)
            + connection.rejections.map(\.sequence) + [connection.closedAt ?? 0]
        XCTAssertEqual(events, events.sorted())
        XCTAssertGreaterThan(connection.openedAt, before)

        // Records after a later mark leave this connection out: attribution is by sequence.
        let later = try origin.sequence()
        XCTAssertTrue(try origin.records(since: later).connections.isEmpty)
    }

    func testSnapshotOfAKeptConnectionStartsAtTheFirstNewByte() throws {
        let origin = try RecordingOrigin(executable: CathammerBinary.url.path)
        defer { origin.stop() }
        let first = Array("GET /echo HTTP/1.1\r\nHost: a\r\n\r\n".utf8)
        let second = Array("GET /cats/1 HTTP/1.1\r\nHost: a\r\n\r\n".utf8)
        let client = try ClientConnection(to: origin.endpoint, timeout: 5)
        defer { client.close() }
        _ = client.send(first)
        XCTAssertFalse(client.readUntilClosed(idleTimeout: 0.5, returnAfterData: true).bytes.isEmpty)
        let mark = try origin.sequence()
        _ = client.send(second)
        XCTAssertFalse(client.readUntilClosed(idleTimeout: 0.5, returnAfterData: true).bytes.isEmpty)
        let connection = try XCTUnwrap(try origin.records(since: mark).connections.first)
        XCTAssertEqual(connection.receivedOffset, first.count)
        XCTAssertEqual(connection.received, second)
        XCTAssertEqual(connection.received(first.count..<(first.count + second.count)), second)
        let window = OriginWindow(record: try origin.records(since: mark), since: mark, fenceToken: "none")
        XCTAssertEqual(window.requests.map(\.view.target), ["/cats/1"])
        XCTAssertEqual(window.connections.first?.bytes, second)
        XCTAssertEqual(window.connections.first?.opened, false)
    }

    func testRecordFlagsAreCheckedWithExitCode2() throws {
        for (arguments, message) in [
            (["--app", "record", "-p", "1", "--http2", "off"], "--app record needs --record-control"),
            (["--app", "record", "--record-control", "127.0.0.1:0", "--http2", "off"], "--app record needs -p 1"),
            (["--app", "record", "--record-control", "127.0.0.1:0", "-p", "1"], "--app record needs --http2 off"),
            (["--record-control", "127.0.0.1:0"], "--record-control needs --app record"),
            (["--app", "record", "--record-control", "nowhere", "-p", "1", "--http2", "off"], "--record-control 'nowhere' is not HOST:PORT"),
        ] {
            let result = try CathammerBinary.run(["serve", "--http", "127.0.0.1:0", "--check-config"] + arguments)
            XCTAssertEqual(result.status, 2, "\(arguments)")
            XCTAssertTrue(result.stderr.contains(message), "\(arguments): \(result.stderr)")
        }
    }
}
