import Foundation
import XCTest

/// The HTTP/2 → HTTP/1.1 downgrade classes, each committed by a naive fake front
/// (Tests/FakeServers/h2/naive_downgrade_front.py, python-h2) before the real recording origin, and
/// found by `run chain --protocol h2`.
final class DowngradeChainTests: XCTestCase {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    func testNaiveDowngradeCommitsEachClass() throws {
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("downgrade-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: out) }
        let front = Self.root.appendingPathComponent("Tests/FakeServers/h2/naive_downgrade_front.py").path
        let expected: [String: String] = [
            "H2-CONTENT-LENGTH-LESS-THAN-DATA": "h2-te-cl",
            "H2-TRANSFER-ENCODING-CHUNKED": "h2-te-cl",
            "H2-PSEUDO-PATH-SPACE": "pseudo-header-leakage",
            "H2-FIELD-VALUE-CRLF-TE-INJECTION": "injected-field",
            "H2-UPGRADE-H2C-HEADER": "upgrade-h2c",
        ]
        let cases = (Array(expected.keys) + ["H2-CONTENT-LENGTH-MATCH-OK"]).flatMap { ["--case", $0] }
        let result = try CathammerBinary.run(["run", "chain", "--front", "python3 '\(front)' {port} {origin}", "--name", "naive",
                                              "--protocol", "h2", "--out", out.path, "--quiet-progress", "--timeout", "3"] + cases)
        XCTAssertEqual(result.status, 1, result.stdout + result.stderr)
        let report = try CathammerBinary.json(String(contentsOf: out.appendingPathComponent("report.json"), encoding: .utf8))
        let chain = try XCTUnwrap(report["chain"] as? [String: Any])
        var classes: [String: [String]] = [:]
        for item in (chain["cases"] as? [[String: Any]]) ?? [] {
            classes[item["id"] as? String ?? ""] = ((item["discrepancies"] as? [[String: Any]]) ?? []).compactMap { $0["class"] as? String }
        }
        for (id, kind) in expected { XCTAssertTrue(classes[id]?.contains(kind) == true, "\(id): \(classes[id] ?? [])") }
        // A well-formed request with a matching content-length shows nothing but normalization.
        XCTAssertEqual(classes["H2-CONTENT-LENGTH-MATCH-OK"]?.filter { $0 != "normalization" }, [])
    }
}
