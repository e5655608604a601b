import FakeServers
import Foundation
import XCTest

/// `cathammer fuzz` end to end: the real binary against a fake server and the reference server.
final class FuzzCommandTests: XCTestCase {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    var work: URL!

    override func setUpWithError() throws {
        work = FileManager.default.temporaryDirectory.appendingPathComponent("cathammer-fuzz-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        addTeardownBlock { [work] in try? FileManager.default.removeItem(at: work!) }
    }

    func fuzz(_ arguments: [String]) throws -> CathammerBinary.Result {
        try CathammerBinary.run(["fuzz", "--corpus", Self.root.appendingPathComponent("corpus").path,
                                 "--findings", work.appendingPathComponent("findings").path] + arguments)
    }

    /// A short deterministic run against a server that frames CL.TE by Content-Length: a desync is
    /// found, minimized, written as a corpus case that lints and passes on the reference server.
    func testFindsMinimizesAndWritesADesync() throws {
        let server = try FakeHTTPServer.contentLengthOverTransferEncoding()
        defer { server.stop() }
        let out = work.appendingPathComponent("report")
        let result = try fuzz(["--target", "127.0.0.1:\(server.port)", "--name", "fake-clte", "--category", "positive",
                               "--seed", "7", "--max-cases", "3000", "--duration", "5m", "--jobs", "2", "--timeout", "5",
                               "--extra-wait", "1", "--out", out.path])
        XCTAssertEqual(result.status, 1, "a desync fails the run by default: \(result.stdout) \(result.stderr)")
        XCTAssertTrue(result.stdout.contains("seed 7"), result.stdout)
        XCTAssertTrue(result.stdout.contains("new desync FUZZ-FAKE-CLTE-DESYNC-"), "a plain line per finding without a terminal: \(result.stdout)")

        let reportURL = out.appendingPathComponent("report.json")
        XCTAssertNil(try JSONSchemaValidator.problems(document: reportURL, schema: JSONSchemaValidator.schema("report.schema.json")))
        let envelope = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: reportURL)) as? [String: Any])
        XCTAssertEqual(envelope["kind"] as? String, "fuzz")
        XCTAssertEqual(envelope["target"] as? String, "fake-clte")
        let report = try XCTUnwrap(envelope["fuzz"] as? [String: Any])
        XCTAssertEqual(report["seed"] as? Int, 7)
        XCTAssertEqual(report["cases"] as? Int, 3000)
        XCTAssertGreaterThan(report["executions"] as? Int ?? 0, 3000)
        let findings = try XCTUnwrap(report["findings"] as? [[String: Any]])
        let desync = try XCTUnwrap(findings.first { $0["class"] as? String == "desync" })
        XCTAssertEqual(desync["reason"] as? String, "te-with-content-length")
        XCTAssertEqual(desync["reference_outcome"] as? String, "400 close", "labelled by the reference server")
        let html = try String(contentsOf: out.appendingPathComponent("index.html"), encoding: .utf8)
        XCTAssertTrue(html.contains(desync["id"] as! String) && html.contains("Transfer-Encoding"), "the HTML lists the minimized bytes")
        XCTAssertTrue(try String(contentsOf: out.appendingPathComponent("summary.md"), encoding: .utf8).contains("| desync | "))

        let folder = work.appendingPathComponent("findings/fake-clte")
        let id = desync["id"] as! String
        XCTAssertTrue(FileManager.default.fileExists(atPath: folder.appendingPathComponent("\(id).sh").path))
        let yaml = try String(contentsOf: folder.appendingPathComponent("\(id).yaml"), encoding: .utf8)
        XCTAssertTrue(yaml.contains("# reproduce: bash \(id).sh (written for 127.0.0.1:"), yaml)
        let script = try String(contentsOf: folder.appendingPathComponent("\(id).sh"), encoding: .utf8)
        XCTAssertTrue(script.hasPrefix("#!/bin/bash\n") && script.contains("exec 3<>\"/dev/tcp/$HOST/$PORT\"") && script.contains("printf '"), script)
        let lint = try CathammerBinary.run(["corpus", "lint", "--corpus", work.appendingPathComponent("findings").path])
        XCTAssertEqual(lint.status, 0, lint.stdout)
        // The finding, replayed as a corpus case, still shows on the fake server and passes on the reference server.
        let onFake = try CathammerBinary.run(["run", "corpus", "--corpus", work.appendingPathComponent("findings").path, "--case", id,
                                              "--target", "127.0.0.1:\(server.port)", "--no-libcurl", "--out", work.appendingPathComponent("r1").path])
        XCTAssertEqual(onFake.status, 1, onFake.stdout)
        let onReference = try CathammerBinary.run(["run", "corpus", "--corpus", work.appendingPathComponent("findings").path,
                                                   "--no-libcurl", "--out", work.appendingPathComponent("r2").path])
        XCTAssertEqual(onReference.status, 0, onReference.stdout)
    }

    func testTheReferenceServerHasNoFindingsOnAShortRun() throws {
        let result = try fuzz(["--seed", "11", "--max-cases", "600", "--duration", "5m", "--out", work.appendingPathComponent("ref").path])
        XCTAssertEqual(result.status, 0, result.stdout + result.stderr)
        XCTAssertTrue(result.stdout.contains("600 cases") && result.stdout.contains(": 0 findings"), result.stdout)
        XCTAssertTrue(result.stdout.contains("echo-capable at /echo"), result.stdout)
    }

    func testFailOnAndUsageErrors() throws {
        let server = try FakeHTTPServer.spaceBeforeColon()
        defer { server.stop() }
        let lenient = try fuzz(["--target", "127.0.0.1:\(server.port)", "--category", "field-syntax", "--max-cases", "300",
                                "--seed", "1", "--no-reference-check", "--quiet", "--out", work.appendingPathComponent("a").path])
        XCTAssertEqual(lenient.status, 0, "lenient findings do not fail the run by default: \(lenient.stdout)")
        XCTAssertTrue(lenient.stdout.contains("lenient FUZZ-127-0-0-1-\(server.port)-LENIENT-"), lenient.stdout)
        let failing = try fuzz(["--target", "127.0.0.1:\(server.port)", "--category", "field-syntax", "--max-cases", "300",
                                "--seed", "1", "--no-reference-check", "--quiet", "--fail-on", "lenient", "--out", work.appendingPathComponent("b").path])
        XCTAssertEqual(failing.status, 1)

        for bad in [["--duration", "soon"], ["--fail-on", "bogus"], ["--jobs", "0"], ["--target", "nowhere"],
                    ["--target", "127.0.0.1:1", "--spawn", "x {port}"], ["--category", "no-such-category"]] {
            let result = try fuzz(bad)
            XCTAssertEqual(result.status, 2, "\(bad): \(result.stderr)")
        }
        let unreachable = try fuzz(["--target", "127.0.0.1:1", "--no-reference-check"])
        XCTAssertEqual(unreachable.status, 3, unreachable.stderr)
    }

    /// Every committed finding (fuzz/findings/<target>/*.yaml) is a corpus case the reference server passes.
    func testCommittedFindingsPassOnTheReferenceServer() throws {
        let findings = Self.root.appendingPathComponent("fuzz/findings")
        let folders = (try? FileManager.default.contentsOfDirectory(atPath: findings.path))?.filter {
            var directory: ObjCBool = false
            return FileManager.default.fileExists(atPath: findings.appendingPathComponent($0).path, isDirectory: &directory) && directory.boolValue
        } ?? []
        XCTAssertFalse(folders.isEmpty, "fuzz/findings holds the committed findings of earlier runs")
        let lint = try CathammerBinary.run(["corpus", "lint", "--corpus", findings.path])
        XCTAssertEqual(lint.status, 0, lint.stdout)
        let replay = try CathammerBinary.run(["run", "corpus", "--corpus", findings.path, "--no-libcurl", "--jobs", "4",
                                              "--out", work.appendingPathComponent("replay").path])
        XCTAssertEqual(replay.status, 0, replay.stdout)
    }
}
