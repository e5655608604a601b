import Foundation
import XCTest

/// `cathammer run chain` end to end: the real binary starts the recording origin and Debian's nginx
/// (reports/chains/front.sh) in front of it, sends a few cases, and writes the four reports.
final class RunChainTests: XCTestCase {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    func testThroughNginxJudgesBothHopsAndWritesReports() throws {
        let nginx = try CathammerBinary.runTool("/usr/bin/env", ["sh", "-c", "command -v nginx || ls /usr/sbin/nginx"], capture: true)
        XCTAssertEqual(nginx.status, 0, "make test installs nginx-light: \(nginx.output)")
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("chain-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: out) }
        let front = "'\(Self.root.appendingPathComponent("reports/chains/front.sh").path)' nginx {port} {origin}"
        // A valid GET, a chunked POST, CL+TE (nginx refuses it) and the chunk extension ended by a bare
        // LF, which nginx reads and forwards as two requests where the strict parser frames none.
        let result = try CathammerBinary.run([
            "run", "chain", "--front", front, "--name", "nginx", "--out", out.path, "--quiet-progress",
            "--case", "POS-PIPELINED-GETS", "--case", "POS-CHUNKED-MANY-CHUNKS", "--case", "DESYNC-CL-PLUS-TE", "--case", "DESYNC-TERM-EXT",
        ])
        XCTAssertEqual(result.status, 1, result.stdout + result.stderr)
        XCTAssertTrue(result.stdout.contains("4 cases through nginx"), result.stdout)
        XCTAssertTrue(result.stdout.contains("FAIL DESYNC-TERM-EXT"), result.stdout)
        let report = try CathammerBinary.json(String(contentsOf: out.appendingPathComponent("report.json"), encoding: .utf8))
        XCTAssertEqual(report["kind"] as? String, "chain")
        XCTAssertNil(try JSONSchemaValidator.problems(document: out.appendingPathComponent("report.json"),
                                                      schema: JSONSchemaValidator.schema("report.schema.json")))
        let chain = try XCTUnwrap(report["chain"] as? [String: Any])
        let cases = try XCTUnwrap(chain["cases"] as? [[String: Any]])
        func item(_ id: String) throws -> [String: Any] {
            try XCTUnwrap(cases.first { $0["id"] as? String == id }, id)
        }
        func classes(_ id: String) throws -> [String] {
            ((try item(id)["discrepancies"] as? [[String: Any]]) ?? []).compactMap { $0["class"] as? String }
        }
        XCTAssertTrue(try classes("DESYNC-TERM-EXT").contains("request-count"))
        XCTAssertFalse(try classes("POS-PIPELINED-GETS").contains { $0 != "normalization" })
        XCTAssertFalse(try classes("DESYNC-CL-PLUS-TE").contains { $0 != "normalization" })
        // What reached the origin for the pipelined GETs: both requests, fenced.
        let origin = try XCTUnwrap(try item("POS-PIPELINED-GETS")["origin"] as? [String: Any])
        XCTAssertEqual(origin["fence"] as? String, "seen")
        let requests = ((origin["connections"] as? [[String: Any]]) ?? []).flatMap { ($0["requests"] as? [[String: Any]]) ?? [] }
        XCTAssertEqual(requests.compactMap { $0["target"] as? String }, ["/cats/1", "/cats/2"])
        let html = try String(contentsOf: out.appendingPathComponent("index.html"), encoding: .utf8)
        XCTAssertTrue(html.contains("client sent") && html.contains("front's responses") && html.contains("origin received"))
        XCTAssertTrue(FileManager.default.fileExists(atPath: out.appendingPathComponent("junit.xml").path))
        XCTAssertTrue(try String(contentsOf: out.appendingPathComponent("summary.md"), encoding: .utf8).contains("request-count"))
    }

    func testFrontFlagNeedsBothPlaceholders() throws {
        for (front, message) in [("nginx", "--front must contain {port}"), ("x {port}", "--front must contain {origin}")] {
            let result = try CathammerBinary.run(["run", "chain", "--front", front])
            XCTAssertEqual(result.status, 2)
            XCTAssertTrue(result.stderr.contains(message), result.stderr)
        }
    }
}
