import FakeServers
import Foundation
import XCTest

/// The h2 corpus over TLS with ALPN h2, as `make peers-h2`'s TLS leg runs it: the reference server
/// negotiates h2 and fails nothing; a server that speaks HTTP/2 alone (node's createSecureServer
/// refuses an http/1.1-only offer) is reachable; an HTTP/1.1 answer, allowed to the preface cases over
/// h2c, fails once ALPN chose h2 (RFC 9113 §3.2); and peers_h2_tls.py's comparison of the two legs.
final class H2OverTLSCorpusTests: XCTestCase {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    private var work: URL!

    override func setUpWithError() throws {
        work = FileManager.default.temporaryDirectory.appendingPathComponent("cathammer-h2tls-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        addTeardownBlock { [work] in try? FileManager.default.removeItem(at: work!) }
    }

    /// Runs the h2 corpus cases `arguments` select against `spawn` over TLS; returns the exit status,
    /// what it printed and the JSON report.
    private func runOverTLS(_ spawn: String, _ arguments: [String], out: String) throws -> (status: Int32, output: String, report: [String: Any]) {
        let certificates = try TestCertificates.shared()
        let folder = work.appendingPathComponent(out)
        let result = try CathammerBinary.run(["run", "corpus", "--corpus", Self.root.appendingPathComponent("corpus").path, "--protocol", "h2",
                                              "--spawn", spawn, "--tls", "--ca", certificates.caCertificate, "--out", folder.path,
                                              "--format", "json", "--quiet", "--timeout", "3", "--no-libcurl"] + arguments)
        let data = try Data(contentsOf: folder.appendingPathComponent("report.json"))
        return (result.status, result.stdout + result.stderr, try XCTUnwrap(JSONSerialization.jsonObject(with: data) as? [String: Any]))
    }

    private func verdicts(_ report: [String: Any]) -> [String: String] {
        var byID: [String: String] = [:]
        for entry in report["cases"] as? [[String: Any]] ?? [] { byID[entry["id"] as? String ?? ""] = entry["verdict"] as? String }
        return byID
    }

    /// The preface cases against the reference server over TLS: every handshake
    /// offered h2 alone and chose it, nothing fails (the whole corpus is ReferenceServerOverTLSTests).
    func testReferenceServerNegotiatesH2ByALPNAndFailsNothing() throws {
        let certificates = try TestCertificates.shared()
        let binary = CathammerBinary.url.path
        let run = try runOverTLS("'\(binary)' serve --https 127.0.0.1:{port} --tls-cert '\(certificates.serverCertificate)' "
                                 + "--tls-key '\(certificates.serverKey)' -p 1",
                                 ["--category", "h2-preface"], out: "reference")
        XCTAssertEqual(run.status, 0, run.output)
        let tls = try XCTUnwrap(run.report["tls"] as? [String: Any])
        XCTAssertEqual(tls["alpn"] as? String, "h2", "\(tls)")
        XCTAssertEqual(tls["alpn_offered"] as? [String], ["h2"], "\(tls)")
        let cases = verdicts(run.report)
        XCTAssertGreaterThanOrEqual(cases.count, 8)
        XCTAssertEqual(tls["connections"] as? Int, cases.count, "one handshake per case, each recorded")
        XCTAssertEqual(cases.filter { $0.value != "PASS" && $0.value != "WARN" }, [:])
        XCTAssertEqual(cases["H2-PREFACE-HTTP1-REQUEST"], "PASS")
    }

    /// node's `http2.createSecureServer` offers h2 alone and answers an http/1.1-only ClientHello with
    /// the no_application_protocol alert: the run's first handshake offers h2 too, so it is reachable.
    func testAnHTTP2OnlyTLSServerIsReachable() throws {
        let certificates = try TestCertificates.shared()
        let server = Self.root.appendingPathComponent("reports/peers/node-h2-server.js").path
        let run = try runOverTLS("exec node '\(server)' {port} '\(certificates.serverCertificate)' '\(certificates.serverKey)'",
                                 ["--case", "H2-PING-ECHOED", "--case", "H2-SETTINGS-ACKNOWLEDGED"], out: "node")
        XCTAssertEqual(run.status, 0, run.output)
        XCTAssertEqual(verdicts(run.report), ["H2-PING-ECHOED": "PASS", "H2-SETTINGS-ACKNOWLEDGED": "PASS"])
        XCTAssertEqual((run.report["tls"] as? [String: Any])?["alpn"] as? String, "h2")
    }

    /// `fuzz --protocol h2` offers h2 alone in every handshake, its first one too: the HTTP/2-only node
    /// server is fuzzed, not called unreachable.
    func testFuzzingAnHTTP2OnlyTLSServer() throws {
        let certificates = try TestCertificates.shared()
        let server = Self.root.appendingPathComponent("reports/peers/node-h2-server.js").path
        let result = try CathammerBinary.run(["fuzz", "--protocol", "h2", "--corpus", Self.root.appendingPathComponent("corpus").path,
                                              "--findings", work.appendingPathComponent("findings").path, "--quiet",
                                              "--spawn", "exec node '\(server)' {port} '\(certificates.serverCertificate)' '\(certificates.serverKey)'",
                                              "--tls", "--ca", certificates.caCertificate, "--category", "h2-settings", "--seed", "5",
                                              "--max-cases", "10", "--duration", "60s", "--timeout", "1", "--no-reference-check",
                                              "--fail-on", "none", "--out", work.appendingPathComponent("fuzz").path])
        XCTAssertEqual(result.status, 0, result.stdout + result.stderr)
        XCTAssertTrue(result.stdout.contains("10 cases") && result.stdout.contains("over HTTP/2"), result.stdout)
    }

    /// A server that picks HTTP/1.1 or HTTP/2 by the first bytes answers a request line with HTTP/1.1:
    /// a pass over h2c (a server may speak both), a FAIL over TLS, where ALPN chose h2 and the server
    /// owes its connection preface.
    func testAnHTTP1AnswerAfterALPNChoseH2Fails() throws {
        let certificates = try TestCertificates.shared()
        let server = Self.root.appendingPathComponent("Tests/FakeServers/h2/sniffing_server.py").path
        let cases = ["--case", "H2-PREFACE-HTTP1-REQUEST", "--case", "H2-PREFACE-SETTINGS-ACKED"]
        let clearFolder = work.appendingPathComponent("clear")
        let clear = try CathammerBinary.run(["run", "corpus", "--corpus", Self.root.appendingPathComponent("corpus").path, "--protocol", "h2",
                                             "--spawn", "python3 '\(server)' {port}", "--out", clearFolder.path, "--format", "json",
                                             "--quiet", "--timeout", "3", "--no-libcurl"] + cases)
        let clearReport = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: clearFolder.appendingPathComponent("report.json"))) as? [String: Any])
        XCTAssertEqual(verdicts(clearReport)["H2-PREFACE-HTTP1-REQUEST"], "PASS", clear.stdout + clear.stderr)

        let secure = try runOverTLS("python3 '\(server)' {port} '\(certificates.serverCertificate)' '\(certificates.serverKey)'", cases, out: "tls")
        XCTAssertEqual(secure.status, 1, secure.output)
        let entries = secure.report["cases"] as? [[String: Any]] ?? []
        let answered = try XCTUnwrap(entries.first { $0["id"] as? String == "H2-PREFACE-HTTP1-REQUEST" })
        XCTAssertEqual(answered["verdict"] as? String, "FAIL")
        XCTAssertTrue((answered["verdict_reason"] as? String ?? "").contains("RFC 9113 §3.2"), "\(answered)")
        XCTAssertEqual(verdicts(secure.report)["H2-PREFACE-SETTINGS-ACKED"], "PASS", "its HTTP/2 side is judged as before")
    }

    // MARK: peers_h2_tls.py

    /// Writes RUNS/SHORT/report.json with these cases: id → (verdict, the observed outcome of each run).
    private func fixture(_ short: String, target: String, alpn: String? = nil, _ cases: [String: (String, [String])]) throws {
        let folder = work.appendingPathComponent("runs").appendingPathComponent(short)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        var report: [String: Any] = ["target": target, "cases": cases.keys.sorted().map { id -> [String: Any] in
            let (verdict, observed) = cases[id]!
            return ["id": id, "verdict": verdict, "level": "MUST", "rfc": "RFC 9113 §3.4", "observed": observed[0],
                    "runs": observed.map { ["verdict": verdict, "observed": $0] }]
        }]
        if let alpn {
            report["tls"] = ["version": "TLSv1.3", "alpn": alpn, "alpn_offered": ["h2"], "connections": 2 * cases.count]
        }
        try JSONSerialization.data(withJSONObject: report).write(to: folder.appendingPathComponent("report.json"))
    }

    private func comparison(into report: URL) throws -> String {
        let script = Self.root.appendingPathComponent("reports/peers/peers_h2_tls.py").path
        let run = try CathammerBinary.runTool("/usr/bin/env", ["python3", script, report.path, work.appendingPathComponent("runs").path],
                                              capture: true)
        XCTAssertEqual(run.status, 0, run.output)
        return try String(contentsOf: report, encoding: .utf8)
    }

    func testTheComparisonCountsBothLegsAndListsEveryChangedVerdict() throws {
        try fixture("nginx", target: "nginx (h2c)", ["A": ("PASS", ["close"]), "B": ("WARN", ["close"]), "C": ("FAIL", ["200"]),
                                                     "D": ("PASS", ["GOAWAY PROTOCOL_ERROR close"])])
        try fixture("nginx-tls", target: "nginx (TLS)", alpn: "h2",
                    ["A": ("PASS", ["close"]), "B": ("PASS", ["200 SETTINGS_ACK"]), "C": ("FLAKY", ["200", "close"]),
                     "D": ("PASS", ["close"])])
        try fixture("reference", target: "reference (h2c)", ["A": ("PASS", ["close"])])
        try fixture("reference-tls", target: "reference (TLS)", alpn: "h2", ["A": ("PASS", ["close"])])
        try fixture("node-tls", target: "node (TLS)", alpn: "h2", ["A": ("FAIL", ["200"])])
        try fixture("haproxy", target: "haproxy (h2c, no TLS leg)", ["A": ("PASS", ["close"])])
        let report = work.appendingPathComponent("peers-h2-tls.md")
        try "# Title\n\nread by hand\n\n<!-- generated by make peers-h2 (TLS leg): begin -->\nold\n<!-- generated by make peers-h2 (TLS leg): end -->\n\n## After\n"
            .write(to: report, atomically: true, encoding: .utf8)
        let text = try comparison(into: report)

        XCTAssertTrue(text.hasPrefix("# Title\n\nread by hand\n\n<!-- generated"), text)
        XCTAssertTrue(text.hasSuffix("end -->\n\n## After\n"), text)
        XCTAssertFalse(text.contains("\nold\n"), text)
        let rows = text.split(separator: "\n").filter { $0.hasPrefix("| ") && !$0.hasPrefix("| peer") && !$0.hasPrefix("| case") }
        XCTAssertEqual(rows.filter { $0.contains("(TLS)") }.count, 3, text)
        XCTAssertFalse(text.contains("haproxy"), "a peer without a TLS run is not in the comparison")
        // In the table's order: the reference server first, then nginx, then node.
        XCTAssertEqual(rows.filter { $0.contains("(TLS) |") }.map { $0.split(separator: "|")[0].trimmingCharacters(in: .whitespaces) },
                       ["reference (TLS)", "nginx (TLS)", "node (TLS)"])
        let nginx = try XCTUnwrap(rows.first { $0.hasPrefix("| nginx (TLS)") })
        XCTAssertEqual(nginx, "| nginx (TLS) | TLSv1.3, ALPN h2 (offered h2); handshakes of 8 cases | 2 / 1 / 1 | 3 / 0 / 0 (1 flaky) | 2 | 1 |")
        XCTAssertTrue(text.contains("| B | MUST | RFC 9113 §3.4 | WARN: `close` | PASS: `200 SETTINGS_ACK` |"), text)
        XCTAssertTrue(text.contains("| C | MUST | RFC 9113 §3.4 | FAIL: `200` | FLAKY: `200 / close` |"), text)
        XCTAssertFalse(text.contains("| D |"), "a changed outcome with the same verdict is counted, not listed")
        XCTAssertTrue(rows.contains { $0.hasPrefix("| reference (TLS)") && $0.hasSuffix("| 1 / 0 / 0 | 1 / 0 / 0 | 0 | 0 |") }, text)
        XCTAssertTrue(rows.contains { $0.hasPrefix("| node (TLS)") && $0.contains("| not run | 0 / 0 / 1 | - | - |") }, text)

        // Run again: the generated part is replaced, not appended.
        let again = try comparison(into: report)
        XCTAssertEqual(again.components(separatedBy: "generated by make peers-h2 (TLS leg): begin").count, 2)
    }
}
