import Foundation
import FoundationXML
import XCTest

/// `cathammer reload-check` end to end: the real binary against the reference server (the short
/// CI reload check: every kind, no drop tolerated) and against servers that reload badly (the
/// check must fail, with the right classes).
final class ReloadCheckTests: XCTestCase {
    private var out: URL!

    override func setUpWithError() throws {
        out = FileManager.default.temporaryDirectory.appendingPathComponent("cathammer-reload-check-\(getpid())-\(UUID().uuidString)")
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: out)
    }

    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// Runs reload-check; returns its result and the parsed report.json (empty if none was written).
    private func reloadCheck(_ arguments: [String]) throws -> (CathammerBinary.Result, [String: Any]) {
        let result = try CathammerBinary.run(["reload-check", "--quiet", "--out", out.path] + arguments)
        let reportURL = out.appendingPathComponent("report.json")
        guard let data = try? Data(contentsOf: reportURL) else { return (result, [:]) }
        return (result, try XCTUnwrap(JSONSerialization.jsonObject(with: data) as? [String: Any]))
    }

    private func body(_ report: [String: Any]) -> [String: Any] { report["reload"] as? [String: Any] ?? [:] }
    private func outcomes(_ report: [String: Any]) -> [String: Int] { body(report)["outcomes"] as? [String: Int] ?? [:] }
    private func failed(_ report: [String: Any]) -> [[String: Any]] { body(report)["failed_requests"] as? [[String: Any]] ?? [] }

    /// The CI portion: a short run of each reload kind against the reference server; any drop fails.
    private func assertZeroDrop(_ kind: String, reloads: Int, file: StaticString = #filePath, line: UInt = #line) throws {
        let (result, report) = try reloadCheck(["--reload", kind, "--reloads", String(reloads), "--reload-every", "100ms",
                                                "--concurrency", "8", "--duration", "60s"])
        XCTAssertEqual(result.status, 0, "\(kind): \(result.stdout)\(result.stderr)", file: file, line: line)
        let body = body(report)
        XCTAssertEqual(body["reloads_fired"] as? Int, reloads, "\(kind): every reload fired", file: file, line: line)
        XCTAssertGreaterThan(body["requests"] as? Int ?? 0, 200, "\(kind): load flowed", file: file, line: line)
        XCTAssertEqual(outcomes(report)["ok"], body["requests"] as? Int, "\(kind): every request ok", file: file, line: line)
        let server = body["server"] as? [String: Any] ?? [:]
        XCTAssertEqual(server["forced_kills"] as? Int, 0, file: file, line: line)
        let events = body["reloads"] as? [[String: Any]] ?? []
        XCTAssertTrue(events.allSatisfy { $0["settled"] as? Bool == true }, "\(kind): every reload settled", file: file, line: line)
        print("reload-check \(kind): \(result.stdout.split(separator: "\n").first { $0.hasPrefix("PASS") || $0.hasPrefix("FAIL") } ?? "")")
    }

    func testHUPReloadsUnderLoadDropNothing() throws {
        try assertZeroDrop("hup", reloads: 5)
        let report = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent("report.json"))) as? [String: Any])
        let server = body(report)["server"] as? [String: Any] ?? [:]
        XCTAssertEqual(server["reloads"] as? Int, 5, "each HUP was a completed roll (the next fires after the previous settled)")
        XCTAssertEqual(server["generation_after"] as? Int, 6)
    }

    /// The h2 kind over cleartext (prior knowledge, the harness's own multiplexing client): SIGHUPs and
    /// a re-exec lose no stream and refuse none; retiring workers' two-step GOAWAY moves the clients on.
    func testHTTP2StreamsAcrossHUPsAndAReexecAreNeitherLostNorRefused() throws {
        for (kind, reloads) in [("hup", 3), ("reexec", 1)] {
            let (result, report) = try reloadCheck(["--reload", kind, "--reloads", String(reloads), "--reload-every", "200ms",
                                                    "--mix", "h2", "--concurrency", "16", "--h2-streams", "8", "--duration", "60s"])
            XCTAssertEqual(result.status, 0, "\(kind): \(result.stdout)\(result.stderr)")
            let body = body(report)
            XCTAssertGreaterThan(body["requests"] as? Int ?? 0, 200, "\(kind): streams flowed")
            XCTAssertEqual(outcomes(report)["ok"], body["requests"] as? Int, "\(kind): every stream ok")
            XCTAssertEqual(outcomes(report)["refused_stream"], 0, "\(kind): no stream refused")
            XCTAssertEqual((body["refused_streams"] as? [Any])?.count, 0)
            XCTAssertTrue(result.stdout.contains("HTTP/2 streams \(body["requests"] as? Int ?? -1), ok"), result.stdout)
            XCTAssertEqual((body["server"] as? [String: Any])?["reloads"] as? Int, reloads)
        }
    }

    /// The h2 kind tells a stream refused unprocessed (RST_STREAM REFUSED_STREAM, or above a
    /// GOAWAY's last-stream-id: retry-safe, RFC 9113 §8.7, counted apart, not failing) from a stream
    /// lost (RST_STREAM INTERNAL_ERROR: a failure), against a fake server that does each.
    func testRefusedHTTP2StreamsAreCountedApartAndResetOnesFail() throws {
        let script = Self.repository.appendingPathComponent("Tests/FakeServers/h2/refusing_h2_server.py").path
        func run(_ mode: String) throws -> (CathammerBinary.Result, [String: Any]) {
            try reloadCheck(["--spawn", "exec python3 '\(script)' {port} \(mode)", "--reload-cmd", "true", "--reloads", "1",
                             "--reload-window", "100ms", "--mix", "h2", "--concurrency", "8", "--requests", "120",
                             "--duration", "30s", "--netns", "off"])
        }
        for mode in ["refuse", "goaway"] {
            let (result, report) = try run(mode)
            XCTAssertEqual(result.status, 0, "\(mode): refused streams do not fail the check: \(result.stdout)\(result.stderr)")
            let refused = body(report)["refused_streams"] as? [[String: Any]] ?? []
            XCTAssertGreaterThan(refused.count, 10, mode)
            XCTAssertEqual(outcomes(report)["refused_stream"], refused.count, mode)
            XCTAssertEqual(failed(report).count, 0, mode)
            let detail = mode == "refuse" ? "REFUSED_STREAM" : "GOAWAY"
            XCTAssertTrue(refused.allSatisfy { ($0["detail"] as? String ?? "").contains(detail) }, "\(mode): \(refused.prefix(2))")
            XCTAssertTrue(result.stdout.contains("refused unprocessed \(refused.count)"), result.stdout)
            XCTAssertNil(try JSONSchemaValidator.problems(document: out.appendingPathComponent("report.json"),
                                                          schema: JSONSchemaValidator.schema("report.schema.json")), mode)
        }
        let (result, report) = try run("reset")
        XCTAssertEqual(result.status, 1, "a stream reset with INTERNAL_ERROR is lost: \(result.stdout)")
        XCTAssertGreaterThan(outcomes(report)["truncated"] ?? 0, 10)
        XCTAssertEqual(outcomes(report)["refused_stream"], 0)
        XCTAssertTrue(failed(report).allSatisfy { ($0["detail"] as? String ?? "").contains("RST_STREAM INTERNAL_ERROR") })
    }

    func testReexecsUnderLoadDropNothing() throws { try assertZeroDrop("reexec", reloads: 4) }
    func testFIFOReloadsUnderLoadDropNothing() throws { try assertZeroDrop("fifo", reloads: 5) }
    func testMaxRequestsRecyclingUnderLoadDropsNothing() throws { try assertZeroDrop("max-requests", reloads: 10) }
    func testWorkerCountChangesUnderLoadDropNothing() throws { try assertZeroDrop("worker-count", reloads: 10) }

    func testReloadsWhoseNewWorkersFailKeepTheOldGenerationServing() throws {
        try assertZeroDrop("bad-config", reloads: 6)
        let report = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent("report.json"))) as? [String: Any])
        let server = body(report)["server"] as? [String: Any] ?? [:]
        XCTAssertEqual(server["failed_reloads"] as? Int, 6, "every bad reload was refused or aborted")
        XCTAssertEqual(server["reloads"] as? Int, 0)
        XCTAssertEqual(server["generation_after"] as? Int, 1, "the first generation served throughout")
    }

    /// The check can fail: a server that closes its listener, SIGKILLs its workers and binds again.
    /// (It starts the server with --target-cmd, the old name of --spawn, so the alias stays tested.)
    func testAReloadThatClosesTheListenerAndKillsWorkersIsReportedAsDrops() throws {
        let script = Self.repository.appendingPathComponent("reports/reload/bad-reload-server.py").path
        let (result, report) = try reloadCheck(["--target-cmd", "python3 '\(script)' {port} 2 0.15", "--reload-signal", "HUP",
                                                "--reloads", "3", "--reload-every", "400ms", "--concurrency", "8",
                                                "--mix", "keepalive,fresh,keepalive,fresh,curl"])
        XCTAssertEqual(result.status, 1, result.stdout + result.stderr)
        XCTAssertTrue(result.stdout.hasPrefix("FAIL"), result.stdout)
        let counts = outcomes(report)
        XCTAssertGreaterThan(counts["refused"] ?? 0, 0, "nothing listened during the gap (L1): \(counts)")
        XCTAssertGreaterThan((counts["eof_fresh"] ?? 0) + (counts["eof_reused"] ?? 0), 0, "killed workers lost connections: \(counts)")
        let failures = failed(report)
        XCTAssertEqual(failures.count, counts.filter { $0.key != "ok" }.values.reduce(0, +), "every failed request is listed")
        XCTAssertTrue(failures.allSatisfy { $0["id"] is Int && $0["connection_age_milliseconds"] is Double })
        XCTAssertTrue(failures.contains { $0["reload"] is Int }, "failures are attributed to the reload they overlapped")
        XCTAssertTrue(result.stdout.contains("FAILED request"), "each failed request is printed")
        let junit = try String(contentsOf: out.appendingPathComponent("junit.xml"), encoding: .utf8)
        XCTAssertTrue(junit.contains("type=\"refused\""), junit.prefix(500).description)
        XCTAssertEqual(XMLParser(contentsOf: out.appendingPathComponent("junit.xml"))?.parse(), true)
    }

    /// SIGKILL of a worker loses exactly what that worker held: closes before the response, never refusals.
    func testKillingWorkersWithoutRetiringIsReportedAsDropsOfTheirConnections() throws {
        // One worker: every kill hits the process holding the connections (with two, a kill can hit an idle one).
        let (result, report) = try reloadCheck(["--reload", "kill-worker", "--reloads", "4", "--reload-every", "300ms",
                                                "--concurrency", "12", "--mix", "keepalive,post,fresh", "--workers", "1"])
        XCTAssertEqual(result.status, 1, result.stdout + result.stderr)
        let counts = outcomes(report)
        XCTAssertEqual(counts["refused"], 0, "the listener never went away: connections wait in its queue for the respawn")
        XCTAssertEqual(counts["connect_timeout"], 0)
        let failures = failed(report)
        XCTAssertFalse(failures.isEmpty)
        XCTAssertTrue(failures.allSatisfy { ["eof_fresh", "eof_reused", "write_error", "truncated"].contains($0["outcome"] as? String ?? "") },
                      "\(counts)")
        XCTAssertTrue(failures.allSatisfy { $0["reload"] is Int }, "every loss overlaps a kill")
        XCTAssertGreaterThan(counts["eof_reused"] ?? 0, 0, "keep-alive connections of the killed worker: \(counts)")
        let server = body(report)["server"] as? [String: Any] ?? [:]
        XCTAssertEqual(server["respawns"] as? Int, 4, "each killed worker was replaced")
    }

    /// With --allow-idempotent-retry a reused-connection close of a GET is reported apart, not hidden;
    /// a POST's is still a failure.
    func testIdempotentRetriesAreReportedSeparately() throws {
        let (result, report) = try reloadCheck(["--reload", "kill-worker", "--reloads", "4", "--reload-every", "300ms",
                                                "--concurrency", "8", "--mix", "keepalive,post", "--allow-idempotent-retry",
                                                "--workers", "1"])
        let failures = failed(report)
        let allowed = body(report)["retry_allowed"] as? [[String: Any]] ?? []
        XCTAssertFalse(allowed.isEmpty, "GETs on the killed worker's keep-alive connections: \(outcomes(report))")
        XCTAssertTrue(allowed.allSatisfy { $0["outcome"] as? String == "eof_reused" && $0["method"] as? String == "GET" })
        XCTAssertFalse(failures.contains { $0["outcome"] as? String == "eof_reused" && $0["method"] as? String == "GET" },
                       "not counted as failures")
        XCTAssertEqual(result.status, failures.isEmpty ? 0 : 1, result.stdout)
        XCTAssertTrue(result.stdout.contains("retry-allowed (not failing) \(allowed.count)"), result.stdout)
    }

    /// L5, the keep-alive race: a client whose idle gaps straddle the server's keep-alive timeout
    /// sends requests into connections the server is closing. Each is a reset or EOF on a reused
    /// connection, and in the private namespace each reset is one the kernel counted.
    func testTheKeepAliveRaceIsReportedAsReusedConnectionCloses() throws {
        let (result, report) = try reloadCheck(["--reloads", "0", "--duration", "3s", "--server-arg=--keepalive-timeout=0.1",
                                                "--idle-gap", "90ms-110ms", "--mix", "keepalive", "--concurrency", "8"])
        XCTAssertEqual(result.status, 1, result.stdout + result.stderr)
        let counts = outcomes(report)
        XCTAssertGreaterThan(counts["eof_reused"] ?? 0, 0, "\(counts)")
        XCTAssertEqual(counts["eof_fresh"], 0, "a new connection is never in the race")
        XCTAssertEqual(counts["refused"], 0)
        XCTAssertGreaterThan(body(report)["duration_seconds"] as? Double ?? 0, 2.5, "with no reloads the load runs for --duration")
        XCTAssertTrue(failed(report).allSatisfy { ($0["connection_age_milliseconds"] as? Double ?? 0) >= 80 },
                      "only connections that had been idle about the timeout")
        let kernel = body(report)["kernel"] as? [String: Any] ?? [:]
        if kernel["available"] as? Bool == true {
            XCTAssertGreaterThan((kernel["deltas"] as? [String: Int])?["Tcp:OutRsts"] ?? 0, 0, "the kernel saw the resets")
        }
    }

    /// Another server: started with --spawn, reloaded with --reload-cmd; no stats, fixed windows.
    func testAnotherServerWithAReloadCommand() throws {
        let fifo = out.deletingLastPathComponent().appendingPathComponent("cathammer-fifo-\(getpid())-\(UUID().uuidString)").path
        defer { unlink(fifo) }
        let (result, report) = try reloadCheck([
            "--spawn", "'\(CathammerBinary.url.path)' serve --http 127.0.0.1:{port} -p 2 --master-fifo \(fifo)",
            "--reload-cmd", "echo r > \(fifo)", "--reloads", "3", "--reload-every", "500ms", "--reload-window", "300ms",
            "--concurrency", "6", "--name", "reference via FIFO"])
        XCTAssertEqual(result.status, 0, result.stdout + result.stderr)
        let body = body(report)
        XCTAssertEqual(body["reload_kind"] as? String, "command")
        XCTAssertEqual(body["reloads_fired"] as? Int, 3)
        XCTAssertNil(body["server"], "no stats endpoint for other servers")
        XCTAssertEqual(report["target"] as? String, "reference via FIFO")
    }

    /// A server that already runs: --target with --pid and --reload-signal; no namespace, said why.
    func testARunningServerReloadedBySignalToItsPID() throws {
        let server = try ServerProcess(["-p", "2"])
        let (result, report) = try reloadCheck(["--target", "127.0.0.1:\(server.port)", "--pid", String(server.pid),
                                                "--reload-signal", "HUP", "--reloads", "3", "--reload-every", "400ms",
                                                "--reload-window", "300ms", "--concurrency", "6", "--idle-gap", "1ms-5ms"])
        XCTAssertEqual(result.status, 0, result.stdout + result.stderr)
        let body = body(report)
        XCTAssertEqual(body["reload_kind"] as? String, "signal")
        XCTAssertEqual(body["reload_command"] as? String, "kill -HUP \(server.pid)")
        let kernel = body["kernel"] as? [String: Any] ?? [:]
        XCTAssertEqual(kernel["available"] as? Bool, false)
        XCTAssertTrue((kernel["reason"] as? String ?? "").contains("not started by cathammer"), "\(kernel)")
        XCTAssertTrue(ServerProcess.eventually { server.workerPIDs().count == 2 })
        XCTAssertTrue(server.process.isRunning, "the server is left running: it is not reload-check's to stop")
    }

    func testReportsFollowTheSchema() throws {
        let (result, report) = try reloadCheck(["--reload", "hup", "--reloads", "2", "--reload-every", "100ms", "--concurrency", "4"])
        XCTAssertEqual(result.status, 0, result.stdout + result.stderr)
        XCTAssertEqual(report["kind"] as? String, "reload")
        XCTAssertNil(try JSONSchemaValidator.problems(document: out.appendingPathComponent("report.json"),
                                                      schema: JSONSchemaValidator.schema("report.schema.json")))
        let outcomeNames = Set(outcomes(report).keys)
        XCTAssertEqual(outcomeNames, ["ok", "refused", "connect_timeout", "tls_handshake", "eof_fresh", "eof_reused", "truncated", "write_error", "5xx", "read_timeout", "refused_stream"])
        let kernel = body(report)["kernel"] as? [String: Any] ?? [:]
        if kernel["available"] as? Bool == true {
            let deltas = kernel["deltas"] as? [String: Int] ?? [:]
            XCTAssertEqual(deltas["Tcp:OutRsts"], 0, "no reset sent in the private namespace during a clean run")
            XCTAssertEqual(deltas["TcpExt:ListenOverflows"], 0)
        } else {
            XCTAssertNotNil(kernel["reason"], "why the counters are missing is said")
        }
        let html = try String(contentsOf: out.appendingPathComponent("index.html"), encoding: .utf8)
        XCTAssertTrue(html.contains("<svg") && html.contains("requests per 100 ms") && html.contains("during a reload"))
        XCTAssertFalse(["src=\"http", "href=\"http", "url(http", "<script src"].contains { html.contains($0) },
                       "self-contained: no external reference")
        let markdown = try String(contentsOf: out.appendingPathComponent("summary.md"), encoding: .utf8)
        XCTAssertTrue(markdown.contains("## Reload check: hup") && markdown.contains("**PASS**"))
        XCTAssertEqual(XMLParser(contentsOf: out.appendingPathComponent("junit.xml"))?.parse(), true)
    }

    func testUsageErrorsExitTwo() throws {
        for arguments in [["--reload", "warp"], ["--reload-every", "soon"], ["--reload", "fifo", "--target-cmd", "true {port}"],
                          ["--mix", "keepalive,warp"], ["--netns", "maybe"], ["--reload-signal", "NOPE", "--target-cmd", "x {port}"],
                          ["--target", "127.0.0.1:1"]] {
            let result = try CathammerBinary.run(["reload-check"] + arguments)
            XCTAssertEqual(result.status, 2, "\(arguments): \(result.stderr)")
            XCTAssertTrue(result.stderr.contains("--"), "the message names the flag: \(result.stderr)")
        }
    }
}
