import Foundation
import XCTest

/// The HTTP/2 corpus end to end: real cases from corpus/, run over h2c against a python-h2 server
/// that skips header validation (Tests/FakeServers/h2/lax_h2_server.py). It must fail exactly the
/// field-validation cases and pass the frame-level ones.
final class H2CorpusRunTests: XCTestCase {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let failing = ["H2-FIELD-NAME-UPPERCASE", "H2-CONNECTION-HEADER", "H2-TRANSFER-ENCODING-CHUNKED", "H2-CONTENT-LENGTH-NO-DATA"]
    static let passing = ["H2-PING-ECHOED", "H2-DATA-STREAM-0", "H2-SETTINGS-ACKNOWLEDGED", "H2-WINDOW-UPDATE-ZERO-CONNECTION",
                          "H2-CONTINUATION-OK", "H2-UNKNOWN-TYPE"]

    func testLaxFakeServerFailsExactlyItsKnownErrors() throws {
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("cathammer-h2-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        addTeardownBlock { try? FileManager.default.removeItem(at: out) }
        let server = Self.root.appendingPathComponent("Tests/FakeServers/h2/lax_h2_server.py").path
        let cases = (Self.failing + Self.passing).flatMap { ["--case", $0] }
        let result = try CathammerBinary.run(["run", "corpus", "--corpus", Self.root.appendingPathComponent("corpus").path,
                                              "--protocol", "h2", "--spawn", "python3 '\(server)' {port}", "--out", out.path,
                                              "--timeout", "3", "--no-libcurl"] + cases)
        XCTAssertEqual(result.status, 1, "\(result.stdout) \(result.stderr)")
        let report = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent("report.json"))) as? [String: Any])
        let entries = try XCTUnwrap(report["cases"] as? [[String: Any]])
        var verdicts: [String: String] = [:]
        for entry in entries { verdicts[entry["id"] as? String ?? ""] = entry["verdict"] as? String }
        for id in Self.failing { XCTAssertEqual(verdicts[id], "FAIL", id) }
        for id in Self.passing { XCTAssertEqual(verdicts[id], "PASS", id) }
        let uppercase = try XCTUnwrap(entries.first { $0["id"] as? String == "H2-FIELD-NAME-UPPERCASE" })
        XCTAssertEqual(uppercase["protocol"] as? String, "h2")
        XCTAssertEqual(uppercase["observed"] as? String, "200")
        let sent = try XCTUnwrap(uppercase["frames_sent"] as? [String])
        XCTAssertTrue(sent.contains { $0.hasPrefix("HEADERS stream=1 flags=END_STREAM|END_HEADERS") && $0.contains("X-Upper: value") }, "\(sent)")
        let received = try XCTUnwrap(uppercase["frames_received"] as? [String])
        XCTAssertTrue(received.contains { $0.hasPrefix("HEADERS stream=1") && $0.contains(":status: 200") }, "\(received)")
        let goAway = try XCTUnwrap(entries.first { $0["id"] as? String == "H2-DATA-STREAM-0" })
        XCTAssertTrue((goAway["observed"] as? String ?? "").hasPrefix("GOAWAY PROTOCOL_ERROR"), "\(goAway)")
    }

    func testHTTP2CasesAreSkippedOnAnHTTP1OnlyTarget() throws {
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("cathammer-h2skip-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        addTeardownBlock { try? FileManager.default.removeItem(at: out) }
        let script = Self.root.appendingPathComponent("Tests/FakeServers/h2/http1_only_server.py").path
        let result = try CathammerBinary.run(["run", "corpus", "--corpus", Self.root.appendingPathComponent("corpus").path,
                                              "--protocol", "h2", "--case", "H2-PING-ECHOED", "--spawn", "python3 '\(script)' {port}",
                                              "--out", out.path, "--timeout", "3", "--no-libcurl"])
        XCTAssertEqual(result.status, 0, "\(result.stdout) \(result.stderr)")
        XCTAssertTrue(result.stdout.contains("1 skipped"), result.stdout)
        XCTAssertTrue(result.stdout.contains("HTTP/2 cases skipped: the target does not speak HTTP/2 here"), result.stdout)
    }
}
