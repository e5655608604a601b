import Foundation
import XCTest

/// `cathammer fuzz --protocol h2` end to end: the real binary against a python-h2 server that skips
/// header validation (Tests/FakeServers/h2/lax_h2_server.py), and against the reference server.
final class H2FuzzCommandTests: XCTestCase {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    var work: URL!

    override func setUpWithError() throws {
        work = FileManager.default.temporaryDirectory.appendingPathComponent("cathammer-h2fuzz-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        addTeardownBlock { [work] in try? FileManager.default.removeItem(at: work!) }
    }

    func fuzz(_ arguments: [String]) throws -> CathammerBinary.Result {
        try CathammerBinary.run(["fuzz", "--protocol", "h2", "--corpus", Self.root.appendingPathComponent("corpus").path,
                                 "--findings", work.appendingPathComponent("findings").path, "--quiet"] + arguments)
    }

    /// The fake server answers requests a strict server resets: the fuzzer finds that, minimizes it and
    /// writes an h2 corpus case that lints, fails on the fake server and passes on the reference server.
    func testALaxServerIsCaughtAndTheFindingReplays() throws {
        let server = Self.root.appendingPathComponent("Tests/FakeServers/h2/lax_h2_server.py").path
        let result = try fuzz(["--spawn", "python3 '\(server)' {port}", "--name", "lax", "--category", "h2-semantics", "--seed", "7",
                               "--max-cases", "16", "--duration", "2m", "--jobs", "2", "--timeout", "1", "--extra-wait", "0.1",
                               "--minimize-budget", "3", "--no-reference-check", "--fail-on", "lenient",
                               "--out", work.appendingPathComponent("report").path])
        XCTAssertEqual(result.status, 1, "a lenient finding fails the run with --fail-on lenient: \(result.stdout) \(result.stderr)")
        XCTAssertTrue(result.stdout.contains("over HTTP/2"), result.stdout)
        let report = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: work.appendingPathComponent("report/report.json"))) as? [String: Any])
        let fuzz = try XCTUnwrap(report["fuzz"] as? [String: Any])
        let findings = try XCTUnwrap(fuzz["findings"] as? [[String: Any]])
        let finding = try XCTUnwrap(findings.first { $0["class"] as? String == "lenient" }, "\(findings)")
        XCTAssertTrue((finding["mutation_path"] as? String ?? "").contains("h2."), "\(finding)")

        let folder = work.appendingPathComponent("findings")
        let id = try XCTUnwrap(finding["id"] as? String)
        let yaml = try String(contentsOf: folder.appendingPathComponent("h2-lax/\(id).yaml"), encoding: .utf8)
        XCTAssertTrue(yaml.contains("protocol: h2") && yaml.contains("# reproduce: bash \(id).sh (written for 127.0.0.1:"), yaml)
        let script = try String(contentsOf: folder.appendingPathComponent("h2-lax/\(id).sh"), encoding: .utf8)
        XCTAssertTrue(script.contains("printf 'PRI * HTTP/2.0") && script.contains("cathamm!' >&3") && script.contains("| xxd &"), script)
        let lint = try CathammerBinary.run(["corpus", "lint", "--corpus", folder.path])
        XCTAssertEqual(lint.status, 0, lint.stdout + lint.stderr)
        let onFake = try CathammerBinary.run(["run", "corpus", "--corpus", folder.path, "--case", id, "--protocol", "h2",
                                              "--spawn", "python3 '\(server)' {port}", "--no-libcurl", "--timeout", "3",
                                              "--out", work.appendingPathComponent("r1").path])
        XCTAssertEqual(onFake.status, 1, onFake.stdout)
        let onReference = try CathammerBinary.run(["run", "corpus", "--corpus", folder.path, "--case", id, "--protocol", "h2",
                                                   "--no-libcurl", "--out", work.appendingPathComponent("r2").path])
        XCTAssertEqual(onReference.status, 0, onReference.stdout)
    }

    func testTheReferenceServerHasNoFindingsOnAShortRun() throws {
        let result = try fuzz(["--seed", "11", "--max-cases", "100", "--duration", "2m", "--jobs", "2",
                               "--out", work.appendingPathComponent("ref").path])
        XCTAssertEqual(result.status, 0, result.stdout + result.stderr)
        XCTAssertTrue(result.stdout.contains("100 cases") && result.stdout.contains("over HTTP/2: 0 findings"), result.stdout)
    }

    func testAnUnknownProtocolIsAUsageError() throws {
        let result = try CathammerBinary.run(["fuzz", "--protocol", "h3", "--max-cases", "1"])
        XCTAssertEqual(result.status, 2, result.stdout + result.stderr)
        XCTAssertTrue(result.stderr.contains("--protocol 'h3' is h1 or h2"), result.stderr)
    }
}
