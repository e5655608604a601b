import CathammerContract
import Foundation
import Glibc
import XCTest

/// Every known HTTP/2 flood, sent by h2peer.py (bounded in frames and seconds) at a one-worker server,
/// while another client keeps asking the same worker for a page: the attack is answered with its
/// code and counted, and the other client is served throughout.
final class HTTP2FloodTests: XCTestCase {
    nonisolated(unsafe) private static var server: ServerProcess?
    nonisolated(unsafe) private static var staticDirectory: URL?

    private func server() throws -> ServerProcess {
        if let server = Self.server { return server }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("h2-flood-\(getpid())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try Data(repeating: 0x61, count: 4_000_000).write(to: directory.appendingPathComponent("big.bin"))
        Self.staticDirectory = directory
        let started = try ServerProcess(["-p", "1", "--stats", "127.0.0.1:0", "--header-timeout", "2",
                                         "--write-timeout", "1", "--static-map", "/static=\(directory.path)"])
        Self.server = started
        return started
    }

    override class func tearDown() {
        server = nil
        if let staticDirectory { try? FileManager.default.removeItem(at: staticDirectory) }
    }

    /// Runs the attack while an HTTP/1.1 client polls the same worker; returns the attacker's view.
    private func attack(_ kind: String, _ arguments: [String] = [], counter: KeyPath<StatsSnapshot.WorkerRow, Int>,
                        file: StaticString = #filePath, line: UInt = #line) throws -> [String: Any] {
        let server = try server()
        let statsPort = try XCTUnwrap(server.statsPort)
        let before = fetchStatsWorkers(port: statsPort).first?[keyPath: counter] ?? 0
        let attacker = try H2Peer(port: server.port, ["flood", kind] + arguments)
        var served = 0
        repeat {
            let reply = try RawClient.exchange(port: server.port, "GET /cats/1 HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n",
                                               timeout: 10)
            XCTAssertEqual(reply.statuses, [200], "\(kind): the other client is served during the attack", file: file, line: line)
            served += 1
        } while attacker.isRunning && served < 10_000
        let result = try attacker.result(file: file, line: line)
        XCTAssertTrue(ServerProcess.eventually { (fetchStatsWorkers(port: statsPort).first?[keyPath: counter] ?? 0) > before },
                      "\(kind) is counted in the stats", file: file, line: line)
        let after = try RawClient.exchange(port: server.port, "GET /cats/2 HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n")
        XCTAssertEqual(after.statuses, [200], "\(kind): still serving afterwards", file: file, line: line)
        return result
    }

    func testRapidResetEndsTheConnectionWithEnhanceYourCalm() throws {
        let result = try attack("rapid-reset", ["--count", "5000"], counter: \.h2RapidResets)
        XCTAssertEqual(result.goAwayCode(), "ENHANCE_YOUR_CALM")
        XCTAssertLessThan(result["sent"] as? Int ?? 0, 5000, "stopped long before the attacker's budget")
    }

    func testContinuationFloodsAreRefusedBySizeAndByCountEmptyFramesIncluded() throws {
        XCTAssertEqual(try attack("continuation", ["--count", "2000"], counter: \.h2ContinuationFloods).goAwayCode(),
                       "ENHANCE_YOUR_CALM")
        XCTAssertEqual(try attack("empty-continuation", ["--count", "2000"], counter: \.h2ContinuationFloods).goAwayCode(),
                       "ENHANCE_YOUR_CALM")
    }

    func testAnHPACKBombIsRefusedByDecodedSizeWith431() throws {
        let result = try attack("hpack-bomb", ["--count", "5", "--seconds", "2"], counter: \.h2HpackBombs)
        XCTAssertFalse(result.statuses().isEmpty)
        XCTAssertEqual(Set(result.statuses().values), [431])
    }

    func testControlFrameFloodsEndTheConnection() throws {
        let floods: [(String, KeyPath<StatsSnapshot.WorkerRow, Int>)] = [
            ("settings", \.h2SettingsFloods), ("ping", \.h2PingFloods), ("window-update", \.h2WindowUpdateFloods),
            ("priority", \.h2PriorityFloods), ("empty-data", \.h2EmptyFrameFloods), ("empty-headers", \.h2EmptyFrameFloods),
            ("unknown", \.h2EmptyFrameFloods),
        ]
        for (kind, counter) in floods {
            let result = try attack(kind, ["--count", "20000", "--seconds", "5"], counter: counter)
            XCTAssertEqual(result.goAwayCode(), "ENHANCE_YOUR_CALM", kind)
            XCTAssertEqual(result["closed"] as? Bool, true, kind)
        }
    }

    /// The peer stops reading and stays silent until the stats show the worker gave up on it (the
    /// write timeout, 1 s, after its output stopped moving); only then does it read what had been
    /// queued. A peer that resumed on a fixed clock raced the write timeout on a busy machine.
    func testAPeerThatStopsReadingGetsBoundedOutputThenTheWriteTimeout() throws {
        let server = try server()
        let statsPort = try XCTUnwrap(server.statsPort)
        let before = fetchStatsWorkers(port: statsPort).first?.h2SlowReads ?? 0
        let attacker = try H2Peer(port: server.port, ["flood", "slow-read", "--seconds", "60"], input: true)
        var gaveUp = false
        let deadline = Date().addingTimeInterval(30)
        while !gaveUp && attacker.isRunning && Date() < deadline {
            let reply = try RawClient.exchange(port: server.port, "GET /cats/1 HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n",
                                               timeout: 10)
            XCTAssertEqual(reply.statuses, [200], "the other client is served while the reader is stuck: "
                           + (reply.closed ? (reply.reset ? "reset" : "closed") : "no answer in 10 s") + " after \(reply.bytes.count) bytes")
            gaveUp = (fetchStatsWorkers(port: statsPort).first?.h2SlowReads ?? 0) > before
        }
        // How a failure ended is in its message: this test failed once at load 30 without saying.
        let row = fetchStatsWorkers(port: statsPort).first
        XCTAssertTrue(gaveUp, "the worker counted the slow reader (attacker running: \(attacker.isRunning); worker: "
                      + "\(row.map { "slow reads \($0.h2SlowReads), settings timeouts \($0.h2SettingsTimeouts), h2 connections \($0.h2Connections)" } ?? "no stats"); "
                      + "server stderr: \(server.errorSoFar.suffix(2000)))")
        attacker.tell("read")
        let result = try attacker.result()
        XCTAssertEqual(result["closed"] as? Bool, true, "the worker closed the connection: \(result)")
        let received = result["received"] as? Int ?? .max
        XCTAssertLessThan(received, 16_000_000, "50 streams of 4 MB asked, far less queued for a reader that stopped: \(result)")
        let after = try RawClient.exchange(port: server.port, "GET /cats/2 HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n")
        XCTAssertEqual(after.statuses, [200], "still serving afterwards")
    }

    func testTheLastStreamIDIsServedThenTheConnectionIsSentAway() throws {
        let result = try attack("stream-id-exhaustion", ["--seconds", "5"], counter: \.h2StreamLimits)
        XCTAssertEqual(result.statuses(), ["2147483647": 200])
        XCTAssertEqual(result.goAwayCode(), "NO_ERROR")
    }

    func testAClientThatNeverAcknowledgesSettingsGetsSettingsTimeout() throws {
        let result = try attack("no-settings-ack", ["--seconds", "6"], counter: \.h2SettingsTimeouts)
        XCTAssertEqual(result.goAwayCode(), "SETTINGS_TIMEOUT")
    }
}
