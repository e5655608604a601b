import CathammerContract
import XCTest
@testable import Hammer

final class TopTableTests: XCTestCase {
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
