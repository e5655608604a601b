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
                                              "--protocol", "h2", "--out", out.path, "--quiet-progress", "--timeout", "3",
                                              "--format", "json,sarif"] + cases)
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

        // The same run's SARIF: valid 2.1.0, one rule per case, one error per failing discrepancy with both hops' bytes.
        let sarifFile = out.appendingPathComponent("report.sarif")
        XCTAssertNil(try JSONSchemaValidator.problems(document: sarifFile, schema: JSONSchemaValidator.schema("sarif-schema-2.1.0.json")))
        let log = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: sarifFile)) as? [String: Any])
        let sarifRun = try XCTUnwrap((log["runs"] as? [[String: Any]])?.first)
        let rules = try XCTUnwrap(((sarifRun["tool"] as? [String: Any])?["driver"] as? [String: Any])?["rules"] as? [[String: Any]])
        XCTAssertEqual(Set(rules.compactMap { $0["id"] as? String }), Set(expected.keys).union(["H2-CONTENT-LENGTH-MATCH-OK"]))
        let results = try XCTUnwrap(sarifRun["results"] as? [[String: Any]])
        let originResults = results.filter { ($0["properties"] as? [String: Any])?["hop"] as? String == "origin" }
        for (id, kind) in expected {
            let found = originResults.first { $0["ruleId"] as? String == id && ($0["properties"] as? [String: Any])?["class"] as? String == kind }
            let result = try XCTUnwrap(found, "\(id): no \(kind) result")
            XCTAssertEqual(result["level"] as? String, "error")
            let properties = try XCTUnwrap(result["properties"] as? [String: Any])
            XCTAssertFalse((properties["clientBytesBase64"] as? String ?? "").isEmpty, id)
            XCTAssertFalse((properties["originBytes"] as? [String] ?? []).isEmpty, "\(id): the origin's view")
        }
        let perCase = Dictionary(grouping: originResults) { $0["ruleId"] as? String ?? "" }.mapValues(\.count)
        for (id, kinds) in classes { XCTAssertEqual(perCase[id] ?? 0, kinds.filter { $0 != "normalization" }.count, id) }
        XCTAssertFalse(results.contains { $0["ruleId"] as? String == "H2-CONTENT-LENGTH-MATCH-OK" }, "normalization is not a result")
        let fingerprints = results.compactMap { ($0["partialFingerprints"] as? [String: String])?["cathammerFinding/v1"] }
        XCTAssertEqual(Set(fingerprints).count, results.count, "each result its own fingerprint")
    }
}
