import FakeServers
import Foundation
import XCTest

/// `--format sarif` end to end: the real binary's SARIF from run corpus and fuzz (run chain's in DowngradeChainTests), validated against
/// the vendored OASIS SARIF 2.1.0 schema (reports/schema/sarif-schema-2.1.0.json).
final class SARIFReportTests: XCTestCase {
    var root: URL!

    override func setUpWithError() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("cathammer-sarif-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        addTeardownBlock { [root] in try? FileManager.default.removeItem(at: root!) }
        for (category, id, pass, warn) in [("host", "S-PASSES", "400 close", nil), ("limits", "S-WARNS", "200", "404"), ("limits", "S-FAILS", "200", nil)] {
            let folder = root.appendingPathComponent("corpus/\(category)")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            let send = id == "S-PASSES" ? "GET / HTTP/1.1\\r\\nHost: {host}\\r\\nHost: b\\r\\n\\r\\n" : "GET /missing HTTP/1.1\\r\\nHost: {host}\\r\\n\\r\\n"
            try Data("""
                id: \(id)
                title: title of \(id)
                category: \(category)
                level: MUST
                rfc: RFC 9112 §3.2
                quote: 'A server MUST respond with a 400 (Bad Request) status code to any HTTP/1.1 request message that lacks a Host header field.'
                risk: 'risk of \(id).'
                why: Why \(id) matters.
                steps:
                  - send: '\(send)'
                expect:
                  pass: ["\(pass)"]
                \(warn.map { "  warn: [\"\($0)\"]" } ?? "")

                """.utf8).write(to: folder.appendingPathComponent("\(id).yaml"))
        }
    }

    func sarif(_ folder: URL) throws -> [String: Any] {
        let file = folder.appendingPathComponent("report.sarif")
        XCTAssertNil(try JSONSchemaValidator.problems(document: file, schema: JSONSchemaValidator.schema("sarif-schema-2.1.0.json")))
        let log = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: file)) as? [String: Any])
        XCTAssertEqual(log["version"] as? String, "2.1.0")
        return try XCTUnwrap((log["runs"] as? [[String: Any]])?.first)
    }

    func testCorpusRunWritesValidSARIFWithOneRulePerCaseAndOneResultPerFailOrWarn() throws {
        // Run from the folder that holds corpus/, as CI does from a checkout: locations are relative.
        let result = try CathammerBinary.run(["run", "corpus", "--corpus", "corpus", "--no-libcurl", "--out", "out", "--format", "sarif"],
                                             directory: root)
        XCTAssertEqual(result.status, 1, result.stdout + result.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: root.appendingPathComponent("out/report.json").path), "only what was asked for")
        let run = try sarif(root.appendingPathComponent("out"))
        let driver = try XCTUnwrap((run["tool"] as? [String: Any])?["driver"] as? [String: Any])
        XCTAssertEqual(driver["name"] as? String, "cathammer")
        let rules = try XCTUnwrap(driver["rules"] as? [[String: Any]])
        XCTAssertEqual(Set(rules.compactMap { $0["id"] as? String }), ["S-PASSES", "S-WARNS", "S-FAILS"])
        let failingRule = try XCTUnwrap(rules.first { $0["id"] as? String == "S-FAILS" })
        XCTAssertEqual((failingRule["shortDescription"] as? [String: Any])?["text"] as? String, "title of S-FAILS")
        let help = try XCTUnwrap((failingRule["help"] as? [String: Any])?["text"] as? String)
        XCTAssertTrue(help.hasPrefix("Why S-FAILS matters.") && help.contains("“A server MUST respond with a 400"), help)
        XCTAssertEqual(failingRule["helpUri"] as? String, "https://www.rfc-editor.org/rfc/rfc9112#section-3.2")

        let results = try XCTUnwrap(run["results"] as? [[String: Any]])
        XCTAssertEqual(results.map { "\($0["ruleId"]!) \($0["level"]!)" }.sorted(), ["S-FAILS error", "S-WARNS warning"])
        let failure = try XCTUnwrap(results.first { $0["ruleId"] as? String == "S-FAILS" })
        let message = try XCTUnwrap((failure["message"] as? [String: Any])?["text"] as? String)
        XCTAssertTrue(message.contains("expected 200, observed 404"), message)
        XCTAssertTrue(message.contains("GET /missing HTTP/1.1\\r\\nHost: {host}\\r\\n\\r\\n"), "the request bytes: \(message)")
        let properties = try XCTUnwrap(failure["properties"] as? [String: Any])
        let sent = try XCTUnwrap(Data(base64Encoded: properties["requestBase64"] as? String ?? ""))
        XCTAssertTrue(String(decoding: sent, as: UTF8.self).hasPrefix("GET /missing HTTP/1.1\r\nHost: 127.0.0.1:"), "the exact bytes sent")
        let location = try XCTUnwrap(((failure["locations"] as? [[String: Any]])?.first?["physicalLocation"] as? [String: Any])?["artifactLocation"] as? [String: Any])
        XCTAssertEqual(location["uri"] as? String, "corpus/limits/S-FAILS.yaml")
        XCTAssertEqual(location["uriBaseId"] as? String, "%SRCROOT%")
        XCTAssertEqual((run["automationDetails"] as? [String: Any])?["id"] as? String, "cathammer-corpus/cathammer-serve-reference-server/")

        // With a baseline the known failure is unchanged and accepted, and the run passes.
        let baseline = root.appendingPathComponent("known.txt")
        try Data("S-FAILS\n".utf8).write(to: baseline)
        let known = try CathammerBinary.run(["run", "corpus", "--corpus", "corpus", "--no-libcurl", "--out", "known", "--format", "sarif,json",
                                             "--baseline", baseline.path], directory: root)
        XCTAssertEqual(known.status, 0, known.stdout)
        let knownResults = try XCTUnwrap(try sarif(root.appendingPathComponent("known"))["results"] as? [[String: Any]])
        XCTAssertEqual(knownResults.map { "\($0["ruleId"]!) \($0["baselineState"]!)" }.sorted(), ["S-FAILS unchanged", "S-WARNS new"])

        // The validator refuses what is not SARIF: an unknown level and a result without a message.
        var broken = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: root.appendingPathComponent("out/report.sarif"))) as? [String: Any])
        var runs = try XCTUnwrap(broken["runs"] as? [[String: Any]])
        var brokenResults = try XCTUnwrap(runs[0]["results"] as? [[String: Any]])
        brokenResults[0]["level"] = "fatal"
        brokenResults[1].removeValue(forKey: "message")
        runs[0]["results"] = brokenResults
        broken["runs"] = runs
        let brokenURL = root.appendingPathComponent("broken.sarif")
        try JSONSerialization.data(withJSONObject: broken).write(to: brokenURL)
        let problems = try XCTUnwrap(try JSONSchemaValidator.problems(document: brokenURL, schema: JSONSchemaValidator.schema("sarif-schema-2.1.0.json")))
        XCTAssertTrue(problems.contains("'fatal' is not one of"), problems)
        XCTAssertTrue(problems.contains("'message' is a required property"), problems)
    }

    func testFuzzWritesValidSARIFAndCommandsRefuseFormatsTheyDoNotWrite() throws {
        let server = try FakeHTTPServer.spaceBeforeColon()
        defer { server.stop() }
        let findings = root.appendingPathComponent("findings")
        let out = root.appendingPathComponent("fuzz")
        let result = try CathammerBinary.run(["fuzz", "--target", "127.0.0.1:\(server.port)", "--name", "fake", "--category", "field-syntax",
                                              "--max-cases", "300", "--seed", "1", "--no-reference-check", "--quiet", "--fail-on", "lenient",
                                              "--findings", findings.path, "--out", out.path, "--format", "sarif,md"])
        XCTAssertEqual(result.status, 1, result.stdout + result.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: out.appendingPathComponent("report.json").path))
        XCTAssertTrue(FileManager.default.fileExists(atPath: out.appendingPathComponent("summary.md").path))
        let run = try sarif(out)
        let rules = try XCTUnwrap(((run["tool"] as? [String: Any])?["driver"] as? [String: Any])?["rules"] as? [[String: Any]])
        XCTAssertEqual(rules.compactMap { $0["id"] as? String }, ["fuzz/crash", "fuzz/desync", "fuzz/framing", "fuzz/lenient", "fuzz/over-strict", "fuzz/hang"])
        let results = try XCTUnwrap(run["results"] as? [[String: Any]])
        let lenient = try XCTUnwrap(results.first { $0["ruleId"] as? String == "fuzz/lenient" })
        XCTAssertEqual(lenient["level"] as? String, "error", "--fail-on lenient makes it an error")
        let location = try XCTUnwrap(((lenient["locations"] as? [[String: Any]])?.first?["physicalLocation"] as? [String: Any])?["artifactLocation"] as? [String: Any])
        let uri = try XCTUnwrap(location["uri"] as? String)
        XCTAssertTrue(uri.hasPrefix("file://" + findings.appendingPathComponent("fake").path), uri)
        XCTAssertTrue(FileManager.default.fileExists(atPath: String(uri.dropFirst("file://".count))), "it points at the written case")
        XCTAssertNotNil((lenient["properties"] as? [String: Any])?["requestBase64"])

        let junit = try CathammerBinary.run(["fuzz", "--target", "127.0.0.1:\(server.port)", "--format", "junit"])
        XCTAssertEqual(junit.status, 2)
        XCTAssertTrue(junit.stderr.contains("--format junit: this command writes json, html, md, sarif"), junit.stderr)
        let reload = try CathammerBinary.run(["reload-check", "--format", "sarif"])
        XCTAssertEqual(reload.status, 2)
        XCTAssertTrue(reload.stderr.contains("--format sarif: this command writes json, junit, html, md"), reload.stderr)
    }
}
