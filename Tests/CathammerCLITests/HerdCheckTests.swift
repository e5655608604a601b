import Foundation
import FoundationXML
import XCTest

/// `cathammer herd-check` end to end against the reference server and, from outside, another server.
final class HerdCheckTests: XCTestCase {
    private var out: URL!

    override func setUpWithError() throws {
        out = FileManager.default.temporaryDirectory.appendingPathComponent("cathammer-herd-check-\(getpid())-\(UUID().uuidString)")
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: out)
    }

    private func cells(_ arguments: [String]) throws -> (CathammerBinary.Result, [[String: Any]], [String: Any]) {
        let result = try CathammerBinary.run(["herd-check", "--quiet", "--out", out.path] + arguments)
        let data = try Data(contentsOf: out.appendingPathComponent("report.json"))
        let report = try XCTUnwrap(JSONSerialization.jsonObject(with: data) as? [String: Any])
        XCTAssertNil(try JSONSchemaValidator.problems(document: out.appendingPathComponent("report.json"),
                                                      schema: JSONSchemaValidator.schema("report.schema.json")))
        let herd = try XCTUnwrap(report["herd"] as? [String: Any])
        return (result, herd["cells"] as? [[String: Any]] ?? [], report)
    }

    func testPlainEpollWakesEveryWorkerAndExclusiveOne() throws {
        let (result, cells, report) = try cells(["--modes", "plain,exclusive", "--workers", "1,4", "--connections", "300"])
        XCTAssertEqual(result.status, 0, result.stdout + result.stderr)
        XCTAssertEqual(report["kind"] as? String, "herd")
        // Loads: 1 worker → serial, c=2W; 4 workers → serial, c=2, c=4, c=8.
        XCTAssertEqual(cells.count, 2 * (2 + 4), "\(cells.map { "\($0["mode"]!) \($0["workers"]!) \($0["load"]!)" })")
        func serial(_ mode: String, _ workers: Int) throws -> [String: Any] {
            try XCTUnwrap(cells.first { $0["mode"] as? String == mode && $0["workers"] as? Int == workers && $0["load"] as? String == "serial" })
        }
        for cell in cells {
            XCTAssertEqual(cell["failed_requests"] as? Int, 0)
            XCTAssertEqual(cell["accepts"] as? Int, 300, "the scoreboard counted every connection")
        }
        let plainOne = try serial("plain", 1)["wakeups_per_connection"] as? Double ?? 0
        let plainFour = try serial("plain", 4)["wakeups_per_connection"] as? Double ?? 0
        let exclusiveFour = try serial("exclusive", 4)["wakeups_per_connection"] as? Double ?? 0
        // One worker sleeps about twice per connection itself (waiting for it, then for the client's
        // EOF in the staged close); plain epoll adds a wakeup of every other idle worker.
        XCTAssertGreaterThan(plainFour - plainOne, 1.5, "the herd: plain 4 workers \(plainFour) vs 1 worker \(plainOne)")
        XCTAssertGreaterThan(plainFour - exclusiveFour, 1.5, "EPOLLEXCLUSIVE wakes one: \(exclusiveFour) vs plain \(plainFour)")
        let listener = try serial("plain", 4)["listener_wakeups_per_connection"] as? Double ?? 0
        XCTAssertLessThan(listener, plainFour - 1.5,
                          "most losers never reach user space: epoll returns and EAGAIN alone undercount the herd")
        let markdown = try String(contentsOf: out.appendingPathComponent("summary.md"), encoding: .utf8)
        XCTAssertTrue(markdown.contains("| plain | 4 | serial (1) | 300 | 0 |"), markdown)
        let html = try String(contentsOf: out.appendingPathComponent("index.html"), encoding: .utf8)
        XCTAssertTrue(html.contains("<svg") && html.contains("wakeups per connection by mode"))
        XCTAssertEqual(XMLParser(contentsOf: out.appendingPathComponent("junit.xml"))?.parse(), true)
    }

    func testAnotherServerIsMeasuredFromOutside() throws {
        let (result, cells, _) = try cells(["--spawn", "'\(CathammerBinary.url.path)' serve --http 127.0.0.1:{port} -p 2 --accept plain",
                                            "--loads", "1,4", "--connections", "200"])
        XCTAssertEqual(result.status, 0, result.stdout + result.stderr)
        XCTAssertEqual(cells.map { $0["load"] as? String }, ["serial", "c=4"])
        for cell in cells {
            XCTAssertEqual(cell["workers"] as? Int, 2, "the target's child processes")
            XCTAssertGreaterThan(cell["wakeups_per_connection"] as? Double ?? 0, 0.5)
            let share = cell["busiest_share"] as? Double ?? 0
            XCTAssertTrue(share > 0 && share <= 1, "\(share)")
            XCTAssertNil(cell["eagain_per_connection"], "not visible from outside")
        }
    }

    func testUsageErrors() throws {
        for arguments in [["--modes", "plain,sideways"], ["--workers", "0"], ["--workers", "two"], ["--netns", "x"]] {
            let result = try CathammerBinary.run(["herd-check"] + arguments)
            XCTAssertEqual(result.status, 2, "\(arguments): \(result.stderr)")
        }
    }
}
