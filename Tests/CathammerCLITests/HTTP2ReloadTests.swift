import CathammerContract
import Foundation
import Glibc
import XCTest

/// Reloads under HTTP/2 load lose no stream: a retiring worker's connections get GOAWAY 2^31−1, a PING
/// round trip, GOAWAY with the last stream processed, finish every stream, then close in stages.
final class HTTP2ReloadTests: XCTestCase {
    private func waitForReloads(_ count: Int, statsPort: UInt16) -> Bool {
        ServerProcess.eventually(timeout: 30) { (fetchStatsMaster(port: statsPort)?.reloads ?? 0) >= count }
    }

    func testSIGHUPsAndAReexecUnderMultiplexedLoadLoseNoStream() throws {
        let server = try ServerProcess(["-p", "2", "--stats", "127.0.0.1:0"])
        let statsPort = try XCTUnwrap(server.statsPort)
        let load = try H2Peer(port: server.port, ["load", "--connections", "4", "--streams", "8", "--seconds", "8",
                                                  "--path", "/sleep?ms=20"])
        var reloads = 0
        for round in 0..<7 {
            usleep(400_000)
            server.signal(round == 3 ? SIGUSR2 : SIGHUP)
            reloads += 1
            XCTAssertTrue(waitForReloads(reloads, statsPort: statsPort), "reload \(reloads) settled")
        }
        let result = try load.result()
        XCTAssertEqual(result["failed"] as? Int, 0, "\(result)")
        XCTAssertEqual(result["refused"] as? Int, 0, "\(result)")
        XCTAssertGreaterThan(result["ok"] as? Int ?? 0, 100)
        XCTAssertGreaterThan(result["goaways"] as? Int ?? 0, 0, "retiring workers sent the clients away: \(result)")
        XCTAssertEqual(fetchStatsMaster(port: statsPort)?.forcedKills, 0)
    }

    func testMaxRequestsCountsHTTP2Streams() throws {
        let server = try ServerProcess(["-p", "1", "--stats", "127.0.0.1:0", "--max-requests", "200"])
        let statsPort = try XCTUnwrap(server.statsPort)
        let load = try H2Peer(port: server.port, ["load", "--connections", "2", "--streams", "8", "--seconds", "4"])
        let result = try load.result()
        XCTAssertEqual(result["failed"] as? Int, 0, "\(result)")
        XCTAssertEqual(result["refused"] as? Int, 0, "\(result)")
        XCTAssertTrue(ServerProcess.eventually { (fetchStatsMaster(port: statsPort)?.recycles ?? 0) >= 1 },
                      "a worker that served 200 streams was recycled")
    }
}
