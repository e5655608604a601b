import Foundation
import XCTest

/// The corpus travels with the binary: a copy of the binary alone, run from an empty folder, finds
/// its corpus; `corpus export` writes it out exactly; `--version` names it and the revision.
final class BuiltInCorpusTests: XCTestCase {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    var work: URL!

    override func setUpWithError() throws {
        work = FileManager.default.temporaryDirectory.appendingPathComponent("cathammer-builtin-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        addTeardownBlock { [work] in try? FileManager.default.removeItem(at: work!) }
    }

    /// The repository's case files, relative path → bytes.
    func repositoryCases() throws -> [String: Data] {
        let corpus = Self.repository.appendingPathComponent("corpus")
        var files: [String: Data] = [:]
        for category in try FileManager.default.contentsOfDirectory(atPath: corpus.path) {
            let folder = corpus.appendingPathComponent(category)
            guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder.path) else { continue }
            for name in names where name.hasSuffix(".yaml") {
                files["\(category)/\(name)"] = try Data(contentsOf: folder.appendingPathComponent(name))
            }
        }
        return files
    }

    func testACopyOfTheBinaryRunsFromAnEmptyFolder() throws {
        let binary = work.appendingPathComponent("bin/cathammer")
        try FileManager.default.createDirectory(at: binary.deletingLastPathComponent(), withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: CathammerBinary.url, to: binary)
        let empty = work.appendingPathComponent("empty")
        try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)

        let result = try CathammerBinary.run(["run", "corpus", "--category", "host", "--no-libcurl", "--format", "json", "--quiet"],
                                             executable: binary, directory: empty)
        XCTAssertEqual(result.status, 0, result.stdout + result.stderr)
        let hostCases = try repositoryCases().keys.filter { $0.hasPrefix("host/") }.count
        XCTAssertTrue(result.stdout.contains("\(hostCases) cases against cathammer serve (reference server): "), result.stdout)
        let runs = try FileManager.default.contentsOfDirectory(atPath: empty.appendingPathComponent("reports/runs").path)
        XCTAssertEqual(runs.count, 1, "the report goes under the working folder")

        let lint = try CathammerBinary.run(["corpus", "lint"], executable: binary, directory: empty)
        XCTAssertEqual(lint.status, 0, lint.stdout)
        XCTAssertTrue(lint.stdout.hasPrefix("\(try repositoryCases().count) valid cases"), lint.stdout)
    }

    func testExportWritesTheCorpusExactlyAndRefusesToOverwrite() throws {
        let exported = work.appendingPathComponent("mine")
        let result = try CathammerBinary.run(["corpus", "export", exported.path])
        XCTAssertEqual(result.status, 0, result.stderr)
        let cases = try repositoryCases()
        XCTAssertTrue(result.stdout.contains("wrote the built-in corpus (\(cases.count) cases, sha256:"), result.stdout)
        for (path, bytes) in cases {
            XCTAssertEqual(try? Data(contentsOf: exported.appendingPathComponent(path)), bytes, path)
        }
        XCTAssertEqual(try Data(contentsOf: exported.appendingPathComponent("README.md")),
                       try Data(contentsOf: Self.repository.appendingPathComponent("corpus/README.md")), "the case schema comes along")

        // The export is a corpus like any other: it lints and runs with --corpus, and an edit shows.
        let lint = try CathammerBinary.run(["corpus", "lint", "--corpus", exported.path])
        XCTAssertTrue(lint.stdout.hasPrefix("\(cases.count) valid cases") && lint.status == 0, lint.stdout)
        let first = try XCTUnwrap(cases.keys.sorted().first)
        try Data("id: BROKEN\n".utf8).write(to: exported.appendingPathComponent(first))
        let broken = try CathammerBinary.run(["run", "corpus", "--corpus", exported.path, "--no-libcurl"])
        XCTAssertEqual(broken.status, 2, "the edited folder is the one read: \(broken.stderr)")
        XCTAssertTrue(broken.stderr.contains(exported.appendingPathComponent(first).path), broken.stderr)

        let again = try CathammerBinary.run(["corpus", "export", exported.path])
        XCTAssertEqual(again.status, 2)
        XCTAssertTrue(again.stderr.contains("exist already"), again.stderr)
        XCTAssertEqual(try Data(contentsOf: exported.appendingPathComponent(first)), Data("id: BROKEN\n".utf8), "nothing was overwritten")
    }

    func testVersionNamesTheRevisionAndTheCorpus() throws {
        let result = try CathammerBinary.run(["--version"])
        XCTAssertEqual(result.status, 0)
        let lines = result.stdout.split(separator: "\n").map(String.init)
        XCTAssertEqual(lines.count, 3, result.stdout)
        XCTAssertTrue(lines[0].hasPrefix("cathammer "), result.stdout)
        XCTAssertTrue(lines[1].hasPrefix("git revision: "), result.stdout)
        // make stamps the revision (make test runs it first); a plain swift build says it is unknown.
        let stamp = try? String(contentsOf: Self.repository.appendingPathComponent(".build-info/revision"), encoding: .utf8)
        if let stamp {
            XCTAssertEqual(lines[1], "git revision: " + stamp.trimmingCharacters(in: .whitespacesAndNewlines))
        }
        let count = try repositoryCases().count
        XCTAssertTrue(lines[2].range(of: "^corpus: built in, \(count) cases, sha256:[0-9a-f]{12}$", options: .regularExpression) != nil, lines[2])
        // An export names the same corpus version.
        XCTAssertTrue(try CathammerBinary.run(["corpus", "export", work.appendingPathComponent("c").path]).stdout
            .contains(String(lines[2].dropFirst("corpus: built in, ".count))))
    }
}
