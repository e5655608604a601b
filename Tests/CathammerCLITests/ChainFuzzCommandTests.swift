import Foundation
import XCTest

/// `cathammer fuzz --front` end to end: the real binary starts the recording origin and a fake front
/// that forwards everything (Tests/FakeServers/h1/passthrough_front.py), fuzzes a few desync cases,
/// and writes the report family; exit 1 with findings (0 with --fail-on none), 3 when the front does not start.
final class ChainFuzzCommandTests: XCTestCase {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    func testFindingsThroughAPassthroughFrontWriteEveryReport() throws {
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("chain-fuzz-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: work) }
        let out = work.appendingPathComponent("reports")
        let result = try CathammerBinary.run(Self.arguments(work: work, out: out) + ["--format", "json,junit,html,md,sarif"])
        // A front that forwards what the strict origin refuses: forwarded-invalid, a FAIL, so exit 1.
        XCTAssertEqual(result.status, 1, result.stdout + result.stderr)
        XCTAssertTrue(result.stdout.contains("reports: \(out.path)"), result.stdout)
        for file in ["report.json", "junit.xml", "index.html", "summary.md", "report.sarif"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: out.appendingPathComponent(file).path), file)
        }
        XCTAssertNil(try JSONSchemaValidator.problems(document: out.appendingPathComponent("report.json"),
                                                      schema: JSONSchemaValidator.schema("report.schema.json")))
        XCTAssertNil(try JSONSchemaValidator.problems(document: out.appendingPathComponent("report.sarif"),
                                                      schema: JSONSchemaValidator.schema("sarif-schema-2.1.0.json")))
        let report = try CathammerBinary.json(String(contentsOf: out.appendingPathComponent("report.json"), encoding: .utf8))
        XCTAssertEqual(report["kind"] as? String, "chain-fuzz")
        let body = try XCTUnwrap(report["chain_fuzz"] as? [String: Any])
        XCTAssertEqual(body["front"] as? String, "passthrough")
        XCTAssertEqual(body["seed"] as? Int, 17)
        XCTAssertEqual(body["cases"] as? Int, 3)
        XCTAssertTrue((body["origin"] as? String)?.hasPrefix("recording origin at 127.0.0.1:") == true, "\(body)")
        let findings = try XCTUnwrap(body["findings"] as? [[String: Any]])
        XCTAssertFalse(findings.isEmpty)
        XCTAssertTrue(findings.allSatisfy { ($0["classes"] as? [String])?.contains("forwarded-invalid") == true }, "\(findings)")
        for finding in findings {
            let file = try XCTUnwrap(finding["file"] as? String)
            XCTAssertTrue(FileManager.default.fileExists(atPath: file), file)
            XCTAssertTrue((finding["reproducer"] as? String)?.contains("cathammer run chain --front") == true)
        }
        let junit = try String(contentsOf: out.appendingPathComponent("junit.xml"), encoding: .utf8)
        XCTAssertTrue(junit.contains("name=\"forwarded-invalid\"") && junit.contains("type=\"forwarded-invalid\""), junit)
        let summary = try String(contentsOf: out.appendingPathComponent("summary.md"), encoding: .utf8)
        XCTAssertTrue(summary.contains("through passthrough") && summary.contains("| forwarded-invalid |"), summary)
    }

    static func arguments(work: URL, out: URL) -> [String] {
        let front = root.appendingPathComponent("Tests/FakeServers/h1/passthrough_front.py").path
        return ["fuzz", "--front", "python3 '\(front)' {port} {origin}", "--front-name", "passthrough", "--seed", "17", "--max-cases", "3",
                "--category", "desync", "--minimize-budget", "3", "--timeout", "1", "--extra-wait", "0.25", "--quiet",
                "--findings", work.appendingPathComponent("findings").path, "--out", out.path]
    }

    /// `--fail-on none` collects the findings without failing the job.
    func testFailOnNoneIsExitZeroWithFindings() throws {
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("chain-fuzz-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: work) }
        let out = work.appendingPathComponent("reports")
        let result = try CathammerBinary.run(Self.arguments(work: work, out: out) + ["--fail-on", "none", "--format", "json"])
        XCTAssertEqual(result.status, 0, result.stdout + result.stderr)
        let report = try CathammerBinary.json(String(contentsOf: out.appendingPathComponent("report.json"), encoding: .utf8))
        XCTAssertFalse(((report["chain_fuzz"] as? [String: Any])?["findings"] as? [Any] ?? []).isEmpty, "\(report)")
        XCTAssertFalse(FileManager.default.fileExists(atPath: out.appendingPathComponent("junit.xml").path), "only the asked-for format")
    }

    func testAFrontThatDoesNotStartIsExitThree() throws {
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("chain-fuzz-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: work) }
        let result = try CathammerBinary.run(["fuzz", "--front", "false {port} {origin}", "--max-cases", "1", "--quiet",
                                              "--findings", work.appendingPathComponent("findings").path, "--out", work.path])
        XCTAssertEqual(result.status, 3, result.stdout + result.stderr)
        XCTAssertTrue(result.stderr.contains("the front did not start"), result.stderr)
    }
}
