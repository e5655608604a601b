import FakeServers
import Foundation
import FoundationXML
import XCTest

final class RunCorpusTests: XCTestCase {
    var corpus: URL!
    var out: URL!

    override func setUpWithError() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("cathammer-corpus-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        corpus = root.appendingPathComponent("corpus")
        out = root.appendingPathComponent("out")
        addTeardownBlock { try? FileManager.default.removeItem(at: root) }
        try write("host", "HOST-DUPLICATE", steps: "  - send: 'GET / HTTP/1.1\\r\\nHost: {host}\\r\\nHost: b\\r\\n\\r\\n'", pass: "400 close", canary: true)
        try write("positive", "POS-PIPELINED", steps: "  - send: 'GET /cats/1 HTTP/1.1\\r\\nHost: {host}\\r\\n\\r\\nGET /cats/2 HTTP/1.1\\r\\nHost: {host}\\r\\n\\r\\n'", pass: "200 200")
        try write("positive", "POS-SLOW-HEAD", steps: "  - send_bytewise: 'GET /cats/3 HTTP/1.1\\r\\n'\n  - pause: 100ms\n  - send: 'Host: {host}\\r\\n\\r\\n'", pass: "200")
        try write("limits", "WARNS-HERE", steps: "  - send: 'GET /missing HTTP/1.1\\r\\nHost: {host}\\r\\n\\r\\n'", pass: "200", warn: "404")
        try write("limits", "FAILS-HERE", steps: "  - send: 'GET /missing HTTP/1.1\\r\\nHost: {host}\\r\\n\\r\\n'", pass: "200")
    }

    func write(_ category: String, _ id: String, steps: String, pass: String, warn: String? = nil, canary: Bool = false,
               needs: String? = nil, level: String = "MUST") throws {
        let folder = corpus.appendingPathComponent(category)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let text = """
            id: \(id)
            title: \(id.lowercased())
            category: \(category)
            level: \(level)
            rfc: RFC 9112 §3.2
            quote: 'A server MUST respond with a 400 (Bad Request) status code to any HTTP/1.1 request message that lacks a Host header field.'
            risk: 'test risk.'
            why: Test case for the runner.
            steps:
            \(steps)
            canary: \(canary)
            \(needs.map { "needs: [\($0)]" } ?? "")
            expect:
              pass: ["\(pass)"]
            \(warn.map { "  warn: [\"\($0)\"]" } ?? "")

            """
        try Data(text.utf8).write(to: folder.appendingPathComponent("\(id).yaml"))
    }

    func run(_ extra: [String]) throws -> CathammerBinary.Result {
        try CathammerBinary.run(["run", "corpus", "--corpus", corpus.path, "--out", out.path, "--timeout", "3"]
            + (extra.contains("--libcurl") ? [] : ["--no-libcurl"]) + extra)
    }

    func testAgainstTheReferenceServerWithReportsAndExitCodes() throws {
        let result = try run([])
        XCTAssertEqual(result.status, 1, "one case fails: \(result.stdout) \(result.stderr)")
        XCTAssertTrue(result.stdout.contains("5 cases against cathammer serve (reference server): 3 passed, 1 warned, 1 failed, 0 errors"), result.stdout)
        XCTAssertTrue(result.stdout.contains("FAIL FAILS-HERE: expected 200, observed 404"))

        let report = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent("report.json"))) as? [String: Any])
        let summary = try XCTUnwrap(report["summary"] as? [String: Any])
        XCTAssertEqual(summary["pass"] as? Int, 3)
        XCTAssertEqual(summary["warn"] as? Int, 1)
        XCTAssertEqual(summary["fail"] as? Int, 1)
        XCTAssertEqual(summary["new_failures"] as? [String], ["FAILS-HERE"])
        let cases = try XCTUnwrap(report["cases"] as? [[String: Any]])
        let duplicate = try XCTUnwrap(cases.first { $0["id"] as? String == "HOST-DUPLICATE" })
        XCTAssertEqual(duplicate["verdict"] as? String, "PASS")
        XCTAssertEqual(duplicate["observed"] as? String, "400 close")
        XCTAssertEqual(duplicate["statuses"] as? [Int], [400])
        XCTAssertEqual(duplicate["rfc"] as? String, "RFC 9112 §3.2")
        XCTAssertEqual(duplicate["level"] as? String, "MUST")
        XCTAssertEqual(duplicate["expected_pass"] as? [String], ["400 close"])
        XCTAssertTrue((duplicate["response_excerpt"] as? String)?.hasPrefix("HTTP/1.1 400 Bad Request\\r\\n") ?? false)
        for key in ["title", "category", "why", "request", "bytes_sent", "bytes_received", "duration_ms", "notes", "known_failure", "ending"] {
            XCTAssertNotNil(duplicate[key], key)
        }
        XCTAssertEqual(cases.first { $0["id"] as? String == "POS-PIPELINED" }?["observed"] as? String, "200 200")
        XCTAssertGreaterThanOrEqual(cases.first { $0["id"] as? String == "POS-SLOW-HEAD" }?["duration_ms"] as? Int ?? 0, 100,
                                    "durations are measured (this case pauses 100 ms)")

        // The report validates against the published schema, and the validator does refuse a broken one.
        let reportURL = out.appendingPathComponent("report.json")
        let schemaURL = JSONSchemaValidator.schema("report.schema.json")
        XCTAssertNil(try JSONSchemaValidator.problems(document: reportURL, schema: schemaURL))
        var broken = report
        broken["summary"] = ["total": "five"]
        broken["surprise"] = true
        let brokenURL = out.appendingPathComponent("broken.json")
        try JSONSerialization.data(withJSONObject: broken).write(to: brokenURL)
        let problems = try XCTUnwrap(try JSONSchemaValidator.problems(document: brokenURL, schema: schemaURL))
        XCTAssertTrue(problems.contains("summary/total: 'five' is not of type 'integer'"), problems)
        XCTAssertTrue(problems.contains("'surprise' was unexpected"), problems)

        let junitParser = XMLParser(contentsOf: out.appendingPathComponent("junit.xml"))
        XCTAssertEqual(junitParser?.parse(), true, "junit.xml is well-formed XML")
        let junit = try String(contentsOf: out.appendingPathComponent("junit.xml"), encoding: .utf8)
        XCTAssertTrue(junit.contains("<testsuite name=\"limits\" tests=\"2\" failures=\"1\""), junit)
        XCTAssertTrue(junit.contains("<failure message=\"expected 200; observed 404"))
        let html = try String(contentsOf: out.appendingPathComponent("index.html"), encoding: .utf8)
        XCTAssertTrue(html.contains("HOST-DUPLICATE") && html.contains("rfc-editor.org/rfc/rfc9112#section-3.2"))
        let markdown = try String(contentsOf: out.appendingPathComponent("summary.md"), encoding: .utf8)
        XCTAssertTrue(markdown.contains("| FAIL | FAILS-HERE |"))
    }

    func testBaselineAcceptsKnownFailuresAndReportsFixedOnes() throws {
        let baseline = out.deletingLastPathComponent().appendingPathComponent("baseline.txt").path
        XCTAssertEqual(try run(["--baseline", baseline, "--update-baseline"]).status, 1)
        XCTAssertTrue(try String(contentsOfFile: baseline, encoding: .utf8).contains("FAILS-HERE"))
        let known = try run(["--baseline", baseline])
        XCTAssertEqual(known.status, 0, "a known failure does not fail the run: \(known.stdout)")
        XCTAssertTrue(known.stdout.contains("new failures: 0"))
        let strict = try run(["--baseline", baseline, "--fail-on", "warn"])
        XCTAssertEqual(strict.status, 1, "--fail-on warn")

        try Data("FAILS-HERE\nHOST-DUPLICATE\n".utf8).write(to: URL(fileURLWithPath: baseline))
        let fixed = try run(["--baseline", baseline, "--category", "host"])
        XCTAssertEqual(fixed.status, 0)
        XCTAssertTrue(fixed.stdout.contains("fixed since the baseline: HOST-DUPLICATE"), fixed.stdout)
    }

    func testSelectionSpawnAndErrors() throws {
        let selected = try run(["--case", "POS-PIPELINED", "--case", "HOST-DUPLICATE", "--format", "json"])
        XCTAssertEqual(selected.status, 0, selected.stdout)
        XCTAssertTrue(selected.stdout.contains("\n2 cases against"), selected.stdout)
        XCTAssertTrue(selected.stdout.contains("[2/2] PASS"), "a progress line per case when not on a terminal")
        XCTAssertFalse(FileManager.default.fileExists(atPath: out.appendingPathComponent("junit.xml").path))
        XCTAssertFalse(try run(["--case", "POS-PIPELINED", "--quiet"]).stdout.contains("[1/1]"), "--quiet")

        let spawned = try run(["--spawn", "'\(CathammerBinary.url.path)' serve --http 127.0.0.1:{port} -p 1", "--category", "positive"])
        XCTAssertEqual(spawned.status, 0, spawned.stdout + spawned.stderr)
        let compound = try run(["--spawn", "cd /tmp && exec '\(CathammerBinary.url.path)' serve --http 127.0.0.1:{port} -p 1",
                                "--category", "host", "--name", "compound"])
        XCTAssertEqual(compound.status, 0, "a compound shell command works too: \(compound.stdout)\(compound.stderr)")
        XCTAssertTrue(compound.stdout.contains("against compound:"), "--name labels the run")

        let unreachable = try run(["--target", "127.0.0.1:1", "--category", "positive"])
        XCTAssertEqual(unreachable.status, 3, "the target is unreachable")
        XCTAssertTrue(unreachable.stderr.contains("127.0.0.1:1"), unreachable.stderr)
        XCTAssertEqual(try run(["--format", "pdf"]).status, 2)
        XCTAssertEqual(try run(["--case", "NO-SUCH-CASE"]).status, 2)
        XCTAssertEqual(try run(["--spawn", "false"]).status, 3, "a target command that does not start")
    }

    func testVerdictsDoNotDependOnFragmentation() throws {
        for mode in ["bytewise", "random"] {
            let result = try run(["--fragment", mode, "--seed", "7"])
            XCTAssertEqual(result.status, 1, mode)
            XCTAssertTrue(result.stdout.contains("3 passed, 1 warned, 1 failed, 0 errors"), "\(mode): \(result.stdout)")
        }
        XCTAssertEqual(try run(["--fragment", "confetti"]).status, 2)
    }

    /// The reference server against the project's own corpus: nothing may fail (a WARN marks a
    /// place where the server takes a strict position the RFC does not require).
    func testTheReferenceServerPassesTheCorpus() throws {
        let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let result = try CathammerBinary.run(["run", "corpus", "--corpus", repository.appendingPathComponent("corpus").path,
                                              "--out", out.path, "--quiet", "--format", "json"])
        XCTAssertEqual(result.status, 0, result.stdout)
        XCTAssertTrue(result.stdout.contains(" 0 failed, 0 errors"), result.stdout)
        let lint = try CathammerBinary.run(["corpus", "lint", "--corpus", repository.appendingPathComponent("corpus").path])
        XCTAssertEqual(lint.status, 0, lint.stdout)
    }

    func testMatrixOfTwoTargets() throws {
        let lenient = try FakeLenientServer()
        defer { lenient.stop() }
        let reference = out.appendingPathComponent("reference")
        let fake = out.appendingPathComponent("fake")
        _ = try CathammerBinary.run(["run", "corpus", "--corpus", corpus.path, "--out", reference.path, "--no-libcurl", "--quiet"])
        _ = try CathammerBinary.run(["run", "corpus", "--corpus", corpus.path, "--out", fake.path, "--no-libcurl", "--quiet",
                                     "--target", "127.0.0.1:\(lenient.port)"])
        let matrixFolder = out.appendingPathComponent("matrix")
        let result = try CathammerBinary.run(["report", "--matrix", reference.path, fake.path, "--out", matrixFolder.path])
        XCTAssertEqual(result.status, 0, result.stderr)
        let markdown = try String(contentsOf: matrixFolder.appendingPathComponent("matrix.md"), encoding: .utf8)
        // The leaderboard: fail, flaky, warn, pass, error, skip, then pass/warn/fail/flaky per level.
        XCTAssertTrue(markdown.contains("| cathammer serve (reference server) | 1 | 0 | 1 | 3 | 0 | 0 | 3/1/1/0 | 0/0/0/0 | 0/0/0/0 | 0/0/0/0 |"), markdown)
        // Each server's failures, with the sentence each breaks and the risk.
        XCTAssertTrue(markdown.contains("- **HOST-DUPLICATE** (FAIL, MUST, RFC 9112 §3.2): observed `200"), markdown)
        XCTAssertTrue(markdown.contains("  > “A server MUST respond with a 400 (Bad Request) status code"), markdown)
        XCTAssertTrue(markdown.contains("  Risk: test risk."), markdown)
        XCTAssertTrue(markdown.contains("| HOST-DUPLICATE | MUST | PASS | FAIL |"), "the lenient fake accepts a duplicate Host: \(markdown)")
        XCTAssertTrue(try String(contentsOf: matrixFolder.appendingPathComponent("matrix.html"), encoding: .utf8).contains("class=\"FAIL\""))
        XCTAssertEqual(try CathammerBinary.run(["report", "--matrix", "/nonexistent"]).status, 2)
    }

    /// The point of counting responses: a server that frames by Content-Length and ignores
    /// Transfer-Encoding answers the smuggled request too, and the run must say so.
    func testALenientServerThatDesyncsIsCaught() throws {
        try write("desync", "DESYNC-CLTE", steps: "  - send: 'POST / HTTP/1.1\\r\\nHost: {host}\\r\\nContent-Length: 5\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\n0\\r\\n\\r\\nGET /admin HTTP/1.1\\r\\nHost: {host}\\r\\n\\r\\n'",
                  pass: "400 close", warn: "200 close")
        let lenient = try FakeLenientServer()
        defer { lenient.stop() }
        let result = try run(["--target", "127.0.0.1:\(lenient.port)", "--category", "desync", "--format", "json"])
        XCTAssertEqual(result.status, 1, result.stdout)
        XCTAssertTrue(result.stdout.contains("FAIL DESYNC-CLTE: expected 400 close, observed 200 200"), result.stdout)
        let report = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent("report.json"))) as? [String: Any])
        let item = try XCTUnwrap((report["cases"] as? [[String: Any]])?.first)
        XCTAssertEqual(item["statuses"] as? [Int], [200, 200], "one response too many: the smuggled request was served")

        let strict = try run(["--category", "desync", "--format", "json"])
        XCTAssertEqual(strict.status, 0, "the reference server refuses it: \(strict.stdout)")
    }

    /// A case that relies on the reference application's routes is skipped on a target not said to
    /// have them, runs with --offers, and runs on the reference server by default.
    func testCasesThatNeedTheReferenceRoutes() throws {
        try write("methods-targets", "MT-PUT-ROOT", steps: "  - send: 'PUT / HTTP/1.1\\r\\nHost: {host}\\r\\nContent-Length: 5\\r\\n\\r\\nhello'",
                  pass: "405", needs: "catserve-routes")
        let lenient = try FakeLenientServer()
        defer { lenient.stop() }
        let other = try run(["--target", "127.0.0.1:\(lenient.port)", "--case", "MT-PUT-ROOT", "--format", "json,junit"])
        XCTAssertEqual(other.status, 0, "a skip is not a failure: \(other.stdout)")
        XCTAssertTrue(other.stdout.contains("1 cases against 127.0.0.1:\(lenient.port): 0 passed, 0 warned, 0 failed, 0 errors, 1 skipped"), other.stdout)
        let report = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent("report.json"))) as? [String: Any])
        XCTAssertEqual((report["summary"] as? [String: Any])?["skip"] as? Int, 1)
        let junit = try String(contentsOf: out.appendingPathComponent("junit.xml"), encoding: .utf8)
        XCTAssertTrue(junit.contains("<skipped message=\"needs catserve-routes, which this target was not said to offer (--offers)\"/>"), junit)

        let declared = try run(["--target", "127.0.0.1:\(lenient.port)", "--case", "MT-PUT-ROOT", "--offers", "catserve-routes"])
        XCTAssertEqual(declared.status, 1, "declared, the case runs, and the fake's 200 fails it: \(declared.stdout)")
        XCTAssertTrue(declared.stdout.contains("FAIL MT-PUT-ROOT: expected 405, observed 200"), declared.stdout)

        let reference = try run(["--case", "MT-PUT-ROOT"])
        XCTAssertEqual(reference.status, 0, reference.stdout)
        XCTAssertTrue(reference.stdout.contains("1 passed"), reference.stdout)

        let bad = try run(["--offers", "php"])
        XCTAssertEqual(bad.status, 2)
        XCTAssertTrue(bad.stderr.contains("The value 'php' is invalid for '--offers <offers>'. Please provide one of 'catserve-routes'"), bad.stderr)
    }

    /// The right status is not enough on an echo target: a server that ignores Transfer-Encoding and
    /// closes answers 200 too, but says it read no body where the strict parser frames five bytes.
    func testEchoTargetsAreCheckedOnTheirFraming() throws {
        try write("transfer-encoding", "TE-CHUNKED-CLOSE", steps: "  - send: 'POST /echo HTTP/1.1\\r\\nHost: {host}\\r\\nTransfer-Encoding: chunked\\r\\nConnection: close\\r\\n\\r\\n5\\r\\nhello\\r\\n0\\r\\n\\r\\n'",
                  pass: "200 close")
        let lenient = try FakeLenientServer()
        defer { lenient.stop() }
        let fake = try run(["--target", "127.0.0.1:\(lenient.port)", "--case", "TE-CHUNKED-CLOSE", "--format", "json"])
        XCTAssertEqual(fake.status, 1, fake.stdout)
        XCTAssertTrue(fake.stdout.contains("FAIL TE-CHUNKED-CLOSE: expected 200 close, observed 200 close (framing: request 1: the target read a body of 0 bytes, the strict parser frames 5)"), fake.stdout)
        let report = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent("report.json"))) as? [String: Any])
        let item = try XCTUnwrap((report["cases"] as? [[String: Any]])?.first)
        XCTAssertEqual(item["verdict"] as? String, "FAIL")
        XCTAssertEqual((item["notes"] as? [String])?.first?.hasPrefix("framing:"), true)

        let reference = try run(["--case", "TE-CHUNKED-CLOSE", "--format", "json"])
        XCTAssertEqual(reference.status, 0, "the reference server's /echo reports five bytes and their hash: \(reference.stdout)")
    }

    /// A real client's view: the reference server passes every libcurl check; the lenient fake never
    /// answers an expectation, waits too little for the body, and is caught.
    func testLibcurlChecks() throws {
        let reference = try run(["--libcurl", "--category", "libcurl", "--format", "json"])
        XCTAssertEqual(reference.status, 0, reference.stdout)
        XCTAssertTrue(reference.stdout.contains("5 cases against cathammer serve (reference server): 5 passed"), reference.stdout)
        for id in ["CURL-KEEPALIVE-REUSE", "CURL-EXPECT-100", "CURL-CHUNKED-UPLOAD", "CURL-HEAD", "CURL-HTTP10"] {
            XCTAssertTrue(reference.stdout.contains("PASS \(id)"), id)
        }
        let lenient = try FakeLenientServer()
        defer { lenient.stop() }
        let fake = try run(["--libcurl", "--category", "libcurl", "--target", "127.0.0.1:\(lenient.port)", "--format", "json"])
        XCTAssertEqual(fake.status, 1)
        XCTAssertTrue(fake.stdout.contains("FAIL CURL-EXPECT-100"), fake.stdout)
    }

    func testLintReportsEveryProblem() throws {
        let lint = try CathammerBinary.run(["corpus", "lint", "--corpus", corpus.path])
        XCTAssertEqual(lint.status, 0)
        XCTAssertTrue(lint.stdout.contains("5 valid cases in 3 categories"), lint.stdout)
        try Data("id: BROKEN\n".utf8).write(to: corpus.appendingPathComponent("host/BROKEN.yaml"))
        try Data("id: HOST-DUPLICATE\ntitle: x\ncategory: positive\nlevel: SHOULD\nrfc: RFC 9112 §3.2\nwhy: y\nsteps:\n  - send: 'x'\nexpect:\n  pass: [\"400\"]\n".utf8)
            .write(to: corpus.appendingPathComponent("positive/HOST-DUPLICATE.yaml"))
        let broken = try CathammerBinary.run(["corpus", "lint", "--corpus", corpus.path])
        XCTAssertEqual(broken.status, 1)
        XCTAssertTrue(broken.stdout.contains("BROKEN.yaml: 'category' is missing"), broken.stdout)
        XCTAssertTrue(broken.stdout.contains("id HOST-DUPLICATE is also used by"), broken.stdout)
        XCTAssertEqual(try run([]).status, 2, "the runner refuses a corpus with problems")
    }
}
