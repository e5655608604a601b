import CathammerContract
import Foundation
@testable import Hammer
import XCTest

final class TopTableTests: XCTestCase {
    private func snapshot(listeners: String) throws -> TopTable.Snapshot {
        var master = StatsSnapshot.Master()
        master.pid = 10
        master.listeners = listeners
        master.ticketKeyRotations = 3
        var row = StatsSnapshot.WorkerRow(state: "ready", pid: 11, generation: 1, requests: 5, id: 1)
        row.tlsHandshakes = 40
        row.tlsResumed = 12
        row.tlsHandshakeTimeouts = 1
        row.tlsGarbage = 2
        row.tlsPlainHTTP = 3
        row.tlsHandshakeFailures = 4
        row.tlsALPNRefused = 5
        row.tlsAlertsReceived = 6
        row.tlsRenegotiationsRefused = 7
        row.tlsFilesKTLS = 8
        row.tlsFilesBuffered = 9
        let json = StatsSnapshot(master: master, workers: [row]).jsonText
        return try TopTable.Snapshot(json: Array(json.utf8), takenAt: Date(timeIntervalSince1970: 0))
    }

    func testTheTLSCountersAreShownWhenTheServerHasAnHTTPSListener() throws {
        let text = TopTable.render(try snapshot(listeners: "http://127.0.0.1:1 https://127.0.0.1:2"), previous: nil, source: "s")
        let lines = text.split(separator: "\n").map(String.init)
        let header = try XCTUnwrap(lines.firstIndex { $0.hasPrefix("id") && $0.contains("handshakes") })
        XCTAssertEqual(lines[header].split(separator: " "), TopTable.tlsColumns.map { Substring($0) })
        XCTAssertEqual(lines[header + 1].split(separator: " "), ["1", "11", "40", "12", "1", "2", "3", "4", "5", "6", "7", "8", "9"])
        XCTAssertTrue(text.contains("ticket key rotations 3"), text)
    }

    func testACleartextServerShowsNoTLSSection() throws {
        let text = TopTable.render(try snapshot(listeners: "http://127.0.0.1:1"), previous: nil, source: "s")
        XCTAssertFalse(text.contains("handshakes"), text)
        XCTAssertTrue(text.contains("requests"), text)
    }

    func testHTTP2ColumnsAndTheFloodsOfEachWorker() throws {
        var quiet = StatsSnapshot.WorkerRow(state: "ready", pid: 10, id: 1)
        quiet.h2Connections = 3
        quiet.h2OpenStreams = 7
        var attacked = StatsSnapshot.WorkerRow(state: "ready", pid: 11, id: 2)
        attacked.h2MalformedRequests = 4
        attacked.h2RapidResets = 2
        attacked.h2PingFloods = 1
        let stats = StatsSnapshot(master: .init(), workers: [quiet, attacked])
        let snapshot = try TopTable.Snapshot(json: Array(stats.jsonText.utf8))
        let text = TopTable.render(snapshot, previous: nil, source: "test")
        let lines = text.split(separator: "\n").map(String.init)
        XCTAssertTrue(lines[1].hasSuffix("h2conns  h2open  h2bad  floods"), lines[1])
        XCTAssertTrue(lines[2].hasSuffix("3       7      0       0"), lines[2])
        XCTAssertTrue(lines[3].hasSuffix("0       0      4       3"), lines[3])
        XCTAssertEqual(lines.last, "worker 2 HTTP/2 floods: rapid_resets 2, ping 1")
        XCTAssertFalse(text.contains("worker 1 HTTP/2 floods"))
    }
}
