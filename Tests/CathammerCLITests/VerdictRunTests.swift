import Foundation
import FakeServers
import XCTest

/// Issue 12 end to end, against fake servers: the level counts (item 1), a safe refusal with
/// another code warns (item 2), `--repeat` shows FLAKY cases in every report (item 6), and a
/// lingering close after `Connection: close` is a close.
final class VerdictRunTests: XCTestCase {
    var corpus: URL!
    var out: URL!

    override func setUpWithError() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("cathammer-verdicts-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        corpus = root.appendingPathComponent("corpus")
        out = root.appendingPathComponent("out")
        addTeardownBlock { try? FileManager.default.removeItem(at: root) }
    }

    private func write(_ category: String, _ id: String, level: String, send: String, pass: String, warn: String? = nil) throws {
        let folder = corpus.appendingPathComponent(category)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let text = """
            id: \(id)
            title: \(id.lowercased())
            category: \(category)
            level: \(level)
            rfc: RFC 9112 §6.3
            quote: 'the server MUST respond with a 400 (Bad Request) status code and then close the connection.'
            risk: 'a front end and this server read different body lengths.'
            why: Test case for the verdicts.
            steps:
              - send: '\(send)'
            expect:
              pass: ["\(pass)"]
            \(warn.map { "  warn: [\"\($0)\"]" } ?? "")

            """
        try Data(text.utf8).write(to: folder.appendingPathComponent("\(id).yaml"))
    }

    private func run(_ port: UInt16, _ extra: [String]) throws -> CathammerBinary.Result {
        try CathammerBinary.run(["run", "corpus", "--corpus", corpus.path, "--out", out.path, "--timeout", "1", "--no-libcurl",
                                 "--target", "127.0.0.1:\(port)", "--jobs", "1"] + extra)
    }

    private func report() throws -> [String: Any] {
        try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent("report.json"))) as? [String: Any])
    }

    private func cases() throws -> [String: [String: Any]] {
        let list = try XCTUnwrap(report()["cases"] as? [[String: Any]])
        return Dictionary(uniqueKeysWithValues: list.map { ($0["id"] as! String, $0) })
    }

    /// A server that refuses everything with 501 and closes: over-strict, never dangerous.
    func testLevelsAndSafeRefusals() throws {
        let refuser = try FakeScriptedServer { _ in .status(501, close: true) }
        defer { refuser.stop() }
        let request = "POST / HTTP/1.1\\r\\nHost: a\\r\\nContent-Length: x\\r\\n\\r\\n"
        try write("content-length", "REFUSAL-CASE", level: "MUST", send: request, pass: "400 close")
        try write("positive", "MUST-ACCEPT", level: "MUST", send: "GET / HTTP/1.1\\r\\nHost: a\\r\\n\\r\\n", pass: "200")
        try write("positive", "SHOULD-ACCEPT", level: "SHOULD", send: "GET / HTTP/1.1\\r\\nHost: a\\r\\n\\r\\n", pass: "200")
        let result = try run(refuser.port, ["--format", "json,md,html,junit"])
        XCTAssertEqual(result.status, 1, "the MUST that is not met fails the run: \(result.stdout)\(result.stderr)")
        XCTAssertTrue(result.stdout.contains("3 cases against 127.0.0.1:\(refuser.port): 0 passed, 2 warned, 1 failed"), result.stdout)
        let byID = try cases()
        XCTAssertEqual(byID["REFUSAL-CASE"]?["verdict"] as? String, "WARN")
        XCTAssertEqual(byID["REFUSAL-CASE"]?["verdict_reason"] as? String, "refused with another code (a safe refusal: the connection closed)")
        XCTAssertEqual(byID["SHOULD-ACCEPT"]?["verdict"] as? String, "WARN", "a SHOULD missed is at most a WARN")
        XCTAssertEqual(byID["MUST-ACCEPT"]?["verdict"] as? String, "FAIL")
        XCTAssertEqual(byID["MUST-ACCEPT"]?["quote"] as? String, "the server MUST respond with a 400 (Bad Request) status code and then close the connection.")
        XCTAssertEqual(byID["MUST-ACCEPT"]?["risk"] as? String, "a front end and this server read different body lengths.")
        XCTAssertEqual(byID["REFUSAL-CASE"]?["framing"] as? Bool, true, "content-length cases are framing cases")
        XCTAssertEqual(byID["MUST-ACCEPT"]?["framing"] as? Bool, false)
        XCTAssertEqual(byID["MUST-ACCEPT"]?["status_matters"] as? Bool, false)
        XCTAssertEqual(byID["MUST-ACCEPT"]?["decoding"] as? Bool, false)
        // Every FAIL explains itself: the sentence it breaks and the risk, in summary.md and index.html.
        let summary = try String(contentsOf: out.appendingPathComponent("summary.md"), encoding: .utf8)
        XCTAssertTrue(summary.contains("- **MUST-ACCEPT** (MUST, RFC 9112 §6.3): observed `501 close`"), summary)
        XCTAssertTrue(summary.contains("  > “the server MUST respond with a 400 (Bad Request) status code and then close the connection.” (RFC 9112 §6.3)"), summary)
        XCTAssertTrue(summary.contains("  Risk: a front end and this server read different body lengths."), summary)
        let html = try String(contentsOf: out.appendingPathComponent("index.html"), encoding: .utf8)
        XCTAssertTrue(html.contains("<blockquote>“the server MUST respond with a 400 (Bad Request) status code and then close the connection.” (RFC 9112 §6.3)</blockquote>"), html)
        XCTAssertTrue(html.contains("<b>Risk:</b> a front end and this server read different body lengths."))
        let junit = try String(contentsOf: out.appendingPathComponent("junit.xml"), encoding: .utf8)
        XCTAssertTrue(junit.contains("risk: a front end and this server read different body lengths."), junit)
        XCTAssertNil(try JSONSchemaValidator.problems(document: out.appendingPathComponent("report.json"), schema: JSONSchemaValidator.schema("report.schema.json")))
    }

    /// Accepting a body the strict parser refuses, and answering the rest as a request, fails even
    /// on a MAY case: the extra response is the desync signal.
    func testAnExtraResponseFailsWhateverTheLevel() throws {
        let lenient = try FakeLenientServer()
        defer { lenient.stop() }
        try write("desync", "MAY-CLTE", level: "MAY",
                  send: "POST / HTTP/1.1\\r\\nHost: a\\r\\nContent-Length: 5\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\n0\\r\\n\\r\\nGET / HTTP/1.1\\r\\nHost: a\\r\\n\\r\\n",
                  pass: "400 close", warn: "200 close")
        let result = try run(lenient.port, ["--format", "json"])
        XCTAssertEqual(result.status, 1, result.stdout)
        let item = try XCTUnwrap(cases()["MAY-CLTE"])
        XCTAssertEqual(item["verdict"] as? String, "FAIL")
        XCTAssertEqual((item["verdict_reason"] as? String)?.hasPrefix("desync: 2 responses"), true, "\(item)")
    }

    /// A server that answers 200 on one connection and 400 on the next: with --repeat 3 the case is
    /// FLAKY with both outcomes, in every report, and it fails the run because one run failed.
    func testRepeatShowsFlakyCasesEverywhere() throws {
        let flipping = try FakeScriptedServer { index in index % 2 == 0 ? .status(200, close: true) : .status(400, close: true) }
        defer { flipping.stop() }
        try write("limits", "FLIPS", level: "MUST", send: "GET / HTTP/1.1\\r\\nHost: a\\r\\n\\r\\n", pass: "400 close")
        let result = try run(flipping.port, ["--repeat", "3"])
        XCTAssertEqual(result.status, 1, "a FLAKY case one of whose runs failed is a failure: \(result.stdout)")
        XCTAssertTrue(result.stdout.contains("0 failed, 0 errors, 1 flaky (each case run 3 times)"), result.stdout)
        XCTAssertTrue(result.stdout.contains("FLAKY FLIPS: expected 400 close, outcomes "), result.stdout)
        let summary = try XCTUnwrap(report()["summary"] as? [String: Any])
        XCTAssertEqual(summary["flaky"] as? Int, 1)
        XCTAssertEqual(summary["repeat"] as? Int, 3)
        XCTAssertEqual(summary["new_failures"] as? [String], ["FLIPS"])
        let item = try XCTUnwrap(cases()["FLIPS"])
        XCTAssertEqual(item["verdict"] as? String, "FLAKY")
        XCTAssertEqual(item["worst_verdict"] as? String, "FAIL")
        let runs = try XCTUnwrap(item["runs"] as? [[String: Any]])
        XCTAssertEqual(runs.count, 3)
        XCTAssertEqual(Set(runs.compactMap { $0["observed"] as? String }), ["200 close", "400 close"])
        XCTAssertEqual(Set(runs.compactMap { $0["verdict"] as? String }), ["PASS", "FAIL"])
        XCTAssertNil(try JSONSchemaValidator.problems(document: out.appendingPathComponent("report.json"), schema: JSONSchemaValidator.schema("report.schema.json")))
        let junit = try String(contentsOf: out.appendingPathComponent("junit.xml"), encoding: .utf8)
        XCTAssertTrue(junit.contains("type=\"FLAKY\""), junit)
        XCTAssertTrue(junit.contains("failures=\"1\""), junit)
        let markdown = try String(contentsOf: out.appendingPathComponent("summary.md"), encoding: .utf8)
        XCTAssertTrue(markdown.contains("| 1 | 0 | 0 | 0 | 1 | 0 | 0 |"), markdown)
        XCTAssertTrue(markdown.contains("| FLAKY | FLIPS |"), markdown)
        let html = try String(contentsOf: out.appendingPathComponent("index.html"), encoding: .utf8)
        XCTAssertTrue(html.contains("class=\"FLAKY\">FLAKY"), html)
        XCTAssertTrue(html.contains("flaky 1"))

        // A case that only moves between PASS and WARN is a warning, not a failure.
        try write("limits", "FLIPS", level: "MUST", send: "GET / HTTP/1.1\\r\\nHost: a\\r\\n\\r\\n", pass: "400 close", warn: "200 close")
        let mild = try run(flipping.port, ["--repeat", "3", "--format", "json"])
        XCTAssertEqual(mild.status, 0, mild.stdout)
        XCTAssertEqual(try run(flipping.port, ["--repeat", "3", "--format", "json", "--fail-on", "warn"]).status, 1)
        XCTAssertEqual(try cases()["FLIPS"]?["worst_verdict"] as? String, "WARN")

        // Without --repeat a case runs once; a steady case is never FLAKY.
        let steady = try FakeScriptedServer { _ in .status(400, close: true) }
        defer { steady.stop() }
        let once = try run(steady.port, ["--repeat", "3", "--format", "json"])
        XCTAssertEqual(once.status, 0, once.stdout)
        XCTAssertEqual(try cases()["FLIPS"]?["verdict"] as? String, "PASS")
        XCTAssertEqual((try cases()["FLIPS"]?["runs"] as? [Any])?.count, 3)
        XCTAssertEqual(try run(steady.port, ["--repeat", "0"]).status, 2)
    }

    /// `Connection: close` then a socket held open past the wait (a lingering close) is a close.
    func testALingeringCloseAfterConnectionCloseIsAClose() throws {
        let lingering = try FakeScriptedServer { _ in
            var answer = FakeScriptedServer.Answer.status(200, close: true)
            answer.linger = 2.5
            return answer
        }
        defer { lingering.stop() }
        try write("pipelining", "CLOSE-ANNOUNCED", level: "MUST",
                  send: "GET / HTTP/1.1\\r\\nHost: a\\r\\nConnection: close\\r\\n\\r\\n", pass: "200 close")
        let result = try run(lingering.port, ["--format", "json"])
        XCTAssertEqual(result.status, 0, result.stdout)
        let item = try XCTUnwrap(cases()["CLOSE-ANNOUNCED"])
        XCTAssertEqual(item["observed"] as? String, "200 close")
        XCTAssertEqual((item["notes"] as? [String])?.contains { $0.contains("lingering close") }, true, "\(item)")
    }
}
