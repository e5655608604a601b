import Foundation
import Hammer
import XCTest
import Yams

/// The CI recipes are run, not just written: examples/ci/cathammer-ci.sh (the steps both recipes
/// call) against the reference server and Debian's nginx, and the two YAML recipes parsed and
/// checked against the script and the files it writes.
final class CIScriptTests: XCTestCase {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let examples = repository.appendingPathComponent("examples/ci")
    var work: URL!

    override func setUpWithError() throws {
        work = FileManager.default.temporaryDirectory.appendingPathComponent("cathammer-ci-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        addTeardownBlock { [work] in try? FileManager.default.removeItem(at: work!) }
    }

    /// Runs the script in the work folder with the test binary as `cathammer`; returns its status
    /// and everything it printed.
    func runScript(_ variables: [String: String]) throws -> (status: Int32, output: String) {
        var environment = ProcessInfo.processInfo.environment
        environment.removeValue(forKey: "GITHUB_STEP_SUMMARY")
        environment["CATHAMMER"] = CathammerBinary.url.path
        environment["PATH"] = "/usr/sbin:/usr/bin:/sbin:/bin:" + (environment["PATH"] ?? "")
        for (key, value) in variables { environment[key] = value }
        return try CathammerBinary.runTool(Self.examples.appendingPathComponent("cathammer-ci.sh").path, [], capture: true,
                                           environment: environment, directory: work)
    }

    func recipe(_ name: String) throws -> [String: Any] {
        let text = try String(contentsOf: Self.examples.appendingPathComponent(name), encoding: .utf8)
        return try XCTUnwrap(try Yams.load(yaml: text) as? [String: Any], name)
    }

    /// The GitHub job and its steps, and the GitLab job.
    func recipes() throws -> (githubJob: [String: Any], githubSteps: [[String: Any]], gitlabJob: [String: Any]) {
        let github = try recipe("github-actions.yml")
        let job = try XCTUnwrap((github["jobs"] as? [String: Any])?["cathammer"] as? [String: Any])
        let steps = try XCTUnwrap(job["steps"] as? [[String: Any]])
        let gitlab = try XCTUnwrap(try recipe("gitlab-ci.yml")["cathammer"] as? [String: Any])
        return (job, steps, gitlab)
    }

    /// The reload-check arguments both recipes give the script for their example server.
    func recipeReloadArguments() throws -> String {
        let (githubJob, _, gitlabJob) = try recipes()
        let arguments = try XCTUnwrap((githubJob["env"] as? [String: Any])?["RELOAD_ARGS"] as? String)
        XCTAssertEqual((gitlabJob["variables"] as? [String: Any])?["RELOAD_ARGS"] as? String, arguments)
        return arguments
    }

    /// The report folder both recipes give the script.
    func recipeOut() throws -> String {
        let (githubJob, _, gitlabJob) = try recipes()
        let out = try XCTUnwrap((githubJob["env"] as? [String: Any])?["OUT"] as? String)
        XCTAssertEqual((gitlabJob["variables"] as? [String: Any])?["OUT"] as? String, out)
        return out
    }

    func testTheRecipesCallTheScriptWithWhatItNeeds() throws {
        let (githubJob, githubSteps, gitlabJob) = try recipes()
        let script = try String(contentsOf: Self.examples.appendingPathComponent("cathammer-ci.sh"), encoding: .utf8)
        // The variables the script refuses to run without (": "${NAME:?…}"), and those the recipes rely on.
        let required = script.matches(of: /: "\$\{([A-Z_]+):\?/).map { String($0.1) }
        XCTAssertEqual(required, ["SERVER_CMD", "SERVER_ADDRESS"])
        for name in required + ["RELOAD_CMD", "BASELINE", "OUT"] {
            XCTAssertTrue(script.contains("${\(name)"), "the script reads \(name)")
        }

        let runs = githubSteps.compactMap { $0["run"] as? String }
        let call = try XCTUnwrap(githubSteps.first { ($0["run"] as? String)?.contains("cathammer-ci.sh") == true }, "\(runs)")
        let githubVariables = (githubJob["env"] as? [String: Any] ?? [:]).merging(call["env"] as? [String: Any] ?? [:]) { $1 }
        let gitlabScript = try XCTUnwrap(gitlabJob["script"] as? [String])
        XCTAssertTrue(gitlabScript.contains { $0.contains("cathammer-ci.sh") }, "\(gitlabScript)")
        let gitlabVariables = try XCTUnwrap(gitlabJob["variables"] as? [String: Any])
        for variables in [githubVariables, gitlabVariables] {
            for name in required + ["RELOAD_CMD", "BASELINE", "CATHAMMER_DEB"] {
                XCTAssertNotNil(variables[name], "\(name) is set for the script")
            }
            // The example server is the one this repository starts for the script's own test.
            XCTAssertTrue((variables["SERVER_CMD"] as? String)?.hasPrefix("ci/start-nginx.sh ") == true)
        }
        // Every file a recipe names in ci/ is one of this folder's.
        for command in runs + gitlabScript + [githubVariables["SERVER_CMD"], gitlabVariables["SERVER_CMD"]].compactMap({ $0 as? String }) {
            for match in command.matches(of: /ci\/([a-z-]+\.sh)/) {
                XCTAssertTrue(FileManager.default.fileExists(atPath: Self.examples.appendingPathComponent(String(match.1)).path), String(match.1))
            }
        }

        let out = try recipeOut()
        let sarifUpload = try XCTUnwrap(githubSteps.first { ($0["uses"] as? String)?.hasPrefix("github/codeql-action/upload-sarif@") == true })
        XCTAssertEqual((sarifUpload["with"] as? [String: Any])?["sarif_file"] as? String, "\(out)/corpus/report.sarif")
        XCTAssertNotNil(githubSteps.first { ($0["uses"] as? String)?.hasPrefix("actions/upload-artifact@") == true && (($0["with"] as? [String: Any])?["path"] as? String)?.hasPrefix(out) == true })
        let junit = try XCTUnwrap(((gitlabJob["artifacts"] as? [String: Any])?["reports"] as? [String: Any])?["junit"] as? [String])
        XCTAssertEqual(junit, ["\(out)/corpus/junit.xml", "\(out)/reload/junit.xml"])
    }

    /// The reference server passes the corpus with an empty baseline and loses nothing over three
    /// rolling reloads through its master FIFO; every file the recipes upload is there.
    func testTheScriptPassesAgainstTheReferenceServer() throws {
        let port = try SpawnedTarget.freePort()
        let fifo = work.appendingPathComponent("master.fifo").path
        try Data("# no known failures\n".utf8).write(to: work.appendingPathComponent("cathammer.baseline"))
        let out = try recipeOut()
        let result = try runScript([
            "SERVER_CMD": "exec '\(CathammerBinary.url.path)' serve --http 127.0.0.1:\(port) -p 2 --master-fifo '\(fifo)'",
            "SERVER_ADDRESS": "127.0.0.1:\(port)", "RELOAD_CMD": "printf r > '\(fifo)'", "RELOADS": "3", "RELOAD_DURATION": "20s",
            "NAME": "reference", "OUT": out,
        ])
        XCTAssertEqual(result.status, 0, result.output)
        XCTAssertTrue(result.output.contains("corpus: passed, reloads: no request lost"), result.output)
        let (_, githubSteps, gitlabJob) = try recipes()
        var uploaded = ((gitlabJob["artifacts"] as? [String: Any])?["reports"] as? [String: Any])?["junit"] as? [String] ?? []
        uploaded += githubSteps.compactMap { ($0["with"] as? [String: Any])?["sarif_file"] as? String }
        XCTAssertEqual(uploaded.count, 3)
        for path in uploaded + ["\(out)/corpus/summary.md", "\(out)/reload/summary.md"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: work.appendingPathComponent(path).path), "\(path) was written")
        }
        XCTAssertNil(try JSONSchemaValidator.problems(document: work.appendingPathComponent("\(out)/corpus/report.sarif"),
                                                      schema: JSONSchemaValidator.schema("sarif-schema-2.1.0.json")))
        let stillThere = try CathammerBinary.runTool("/usr/bin/env", ["bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/\(port)"], capture: true)
        XCTAssertNotEqual(stillThere.status, 0, "the script stopped the server it started")
    }

    /// nginx from Debian, started by the example's own script: the first run records its known
    /// failures; the next passes on them and reloads it with `nginx -s reload` under fresh-connection
    /// load without a loss (the recipes' setting); a failure missing from the baseline fails the job,
    /// and so do reloads under keep-alive load, where nginx closes reused connections
    /// (reports/reload.md).
    func testTheScriptAgainstNginxRecordsThenGatesOnABaseline() throws {
        let nginx = try CathammerBinary.runTool("/usr/bin/env", ["sh", "-c", "command -v nginx || ls /usr/sbin/nginx"], capture: true)
        XCTAssertEqual(nginx.status, 0, "make test installs nginx-light: \(nginx.output)")
        let port = try SpawnedTarget.freePort()
        let prefix = work.appendingPathComponent("nginx").path
        let baseline = work.appendingPathComponent("nginx.baseline")
        let common = [
            "SERVER_CMD": "'\(Self.examples.appendingPathComponent("start-nginx.sh").path)' '\(prefix)' \(port)",
            "SERVER_ADDRESS": "127.0.0.1:\(port)", "BASELINE": baseline.path, "NAME": "nginx",
        ]
        let reload = "nginx -p '\(prefix)' -c '\(prefix)/nginx.conf' -s reload"
        let record = try runScript(common.merging(["UPDATE_BASELINE": "1", "OUT": "record"]) { $1 })
        XCTAssertEqual(record.status, 0, record.output)
        let known = try String(contentsOf: baseline, encoding: .utf8).split(separator: "\n").filter { !$0.hasPrefix("#") }.map(String.init)
        XCTAssertFalse(known.isEmpty, "nginx has known failures: \(record.output)")
        XCTAssertTrue(record.output.contains("baseline \(baseline.path) written: \(known.count) known failure(s)"), record.output)

        let gated = try runScript(common.merging([
            "OUT": "gated", "RELOAD_CMD": reload, "RELOAD_ARGS": try recipeReloadArguments(), "RELOADS": "3", "RELOAD_DURATION": "20s",
        ]) { $1 })
        XCTAssertEqual(gated.status, 0, gated.output)
        XCTAssertTrue(gated.output.contains("corpus: passed, reloads: no request lost"), gated.output)
        let summary = try String(contentsOf: work.appendingPathComponent("gated/corpus/summary.md"), encoding: .utf8)
        XCTAssertTrue(summary.contains("New failures (not in the baseline): 0"), summary)

        // A failure the baseline does not list fails the job (one case, to keep it short), and so do
        // requests lost to reloads under the default, keep-alive, load.
        let forgotten = try XCTUnwrap(known.first { !$0.hasPrefix("CURL-") }, "a corpus case, not a libcurl check")
        try Data(known.filter { $0 != forgotten }.joined(separator: "\n").utf8).write(to: baseline)
        let caught = try runScript(common.merging([
            "OUT": "caught", "CORPUS_ARGS": "--case \(forgotten)", "RELOAD_CMD": reload, "RELOADS": "3", "RELOAD_DURATION": "20s",
        ]) { $1 })
        XCTAssertEqual(caught.status, 1, caught.output)
        XCTAssertTrue(caught.output.contains("corpus: new failures, reloads: requests lost"), caught.output)
        let sarif = try String(contentsOf: work.appendingPathComponent("caught/corpus/report.sarif"), encoding: .utf8)
        XCTAssertTrue(sarif.contains("\"baselineState\" : \"new\""), sarif)
    }
}
