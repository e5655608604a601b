import FakeServers
import Foundation
import XCTest

/// Every harness command against https targets, end to end with the real binary: the fake TLS
/// server (lenient answers, aborted handshakes, or a relay that puts the reference server behind
/// TLS), `openssl s_server` as a spawned TLS server, and certificates the test run made.
final class TLSHarnessTests: XCTestCase {
    private var certificates: TestCertificates!
    private var work: URL!
    private var fakes: [FakeTLSServer] = []

    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    override func setUpWithError() throws {
        certificates = try TestCertificates.shared()
        work = FileManager.default.temporaryDirectory.appendingPathComponent("cathammer-tls-\(getpid())-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        fakes.forEach { $0.stop() }
        try? FileManager.default.removeItem(at: work)
    }

    private func fake(_ script: @escaping @Sendable (Int) -> FakeTLSServer.Behaviour = { _ in .answer }) throws -> FakeTLSServer {
        var options = FakeTLSServer.Options(certificate: certificates.serverCertificate, key: certificates.serverKey)
        options.script = script
        let server = try FakeTLSServer(options)
        fakes.append(server)
        return server
    }

    private func report(_ folder: String) throws -> [String: Any] {
        let url = work.appendingPathComponent(folder).appendingPathComponent("report.json")
        XCTAssertNil(try JSONSchemaValidator.problems(document: url, schema: JSONSchemaValidator.schema("report.schema.json")), folder)
        return try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
    }

    private func text(_ folder: String, _ file: String) throws -> String {
        try String(contentsOf: work.appendingPathComponent(folder).appendingPathComponent(file), encoding: .utf8)
    }

    private var corpus: String { Self.repository.appendingPathComponent("corpus").path }

    /// A verdict line per case, for comparing two runs.
    private func verdicts(_ report: [String: Any]) -> [String] {
        (report["cases"] as? [[String: Any]] ?? []).map { "\($0["id"] ?? "") \($0["verdict"] ?? "") \($0["observed"] ?? "")" }.sorted()
    }

    /// The reference server behind the relay: the whole corpus over TLS gets the verdicts it gets in
    /// cleartext; the report gives the run's TLS, and the libcurl leg passes over https.
    func testTheCorpusOverTLSGetsTheCleartextVerdictsAndTheReportSaysHowItWasSent() throws {
        let server = try ServerProcess(["-p", "2"])
        defer { withExtendedLifetime(server) {} }
        let origin = server.port
        let relay = try fake { _ in .relay(port: origin) }
        // The relay forwards HTTP/1.1 (ALPN http/1.1 only): the HTTP/1.1 corpus is the one to compare.
        let common = ["run", "corpus", "--corpus", corpus, "--protocol", "h1", "--quiet", "--offers", "catserve-routes",
                      "--format", "json,md,html"]
        let clear = try CathammerBinary.run(common + ["--target", "127.0.0.1:\(server.port)", "--no-libcurl", "--out", work.appendingPathComponent("clear").path])
        XCTAssertEqual(clear.status, 0, clear.stdout + clear.stderr)
        let tls = try CathammerBinary.run(common + ["--target", "https://localhost:\(relay.port)", "--ca", certificates.caCertificate,
                                                    "--out", work.appendingPathComponent("tls").path])
        XCTAssertEqual(tls.status, 0, tls.stdout + tls.stderr)
        let clearReport = try report("clear")
        let tlsReport = try report("tls")
        let tlsVerdicts = verdicts(tlsReport).filter { !$0.hasPrefix("CURL-") }
        XCTAssertEqual(tlsVerdicts, verdicts(clearReport), "the same verdict and outcome for every case")
        XCTAssertTrue(tls.stdout.contains("0 failed, 0 errors"), tls.stdout)
        for id in ["CURL-KEEPALIVE-REUSE", "CURL-EXPECT-100", "CURL-CHUNKED-UPLOAD", "CURL-HEAD", "CURL-HTTP10"] {
            XCTAssertTrue(verdicts(tlsReport).contains { $0.hasPrefix("\(id) PASS") }, "libcurl over https: \(id)")
        }

        XCTAssertNil(clearReport["tls"], "a cleartext run has no TLS summary")
        let summary = try XCTUnwrap(tlsReport["tls"] as? [String: Any])
        XCTAssertEqual(summary["version"] as? String, "TLSv1.3")
        XCTAssertEqual(summary["alpn"] as? String, "http/1.1")
        XCTAssertEqual(summary["alpn_offered"] as? [String], ["http/1.1"])
        XCTAssertEqual(summary["server_name"] as? String, "localhost")
        XCTAssertEqual(summary["verification"] as? String, "CA file \(certificates.caCertificate)")
        XCTAssertTrue((summary["cipher"] as? String ?? "").hasPrefix("TLS_"), "\(summary)")
        XCTAssertTrue((summary["record_plan"] as? String ?? "").hasPrefix("each send step is one TLS record"))
        let cases = (tlsReport["cases"] as? [[String: Any]] ?? []).count
        let connections = summary["connections"] as? Int ?? 0
        XCTAssertGreaterThanOrEqual(connections, cases, "a connection per case (libcurl's included)")
        XCTAssertGreaterThan(summary["resumption_attempts"] as? Int ?? 0, cases / 2, "later cases offer the session")
        XCTAssertGreaterThan(summary["resumed"] as? Int ?? 0, cases / 2, "and the relay resumes them")
        let own = (tlsReport["cases"] as? [[String: Any]] ?? []).filter { $0["tls"] != nil }
        XCTAssertEqual(own.map { $0["id"] as? String }, ["CURL-HTTP10"], "only the case that offered no ALPN carries its own TLS")
        XCTAssertNil((own.first?["tls"] as? [String: Any])?["alpn"], "it negotiated no ALPN")
        XCTAssertTrue(try text("tls", "summary.md").contains("Cases whose connection negotiated other TLS parameters: CURL-HTTP10"))
        XCTAssertTrue(relay.seen.allSatisfy { $0.serverName == nil || $0.serverName == "localhost" }, "SNI localhost")
        XCTAssertTrue(try text("tls", "summary.md").contains("TLS: TLSv1.3, TLS_"))
        XCTAssertTrue(try text("tls", "index.html").contains("<p class=\"tls\">TLS: TLSv1.3, TLS_"))
    }

    func testVerificationFailuresInsecureSNIAndALPNFromTheCommandLine() throws {
        let server = try fake()
        let corpusFolder = work.appendingPathComponent("corpus/positive")
        try FileManager.default.createDirectory(at: corpusFolder, withIntermediateDirectories: true)
        try Data("""
            id: POS-GET
            title: a plain GET
            category: positive
            level: SHOULD
            rfc: RFC 9112 §3
            why: The simplest request.
            steps:
              - send: 'GET / HTTP/1.1\\r\\nHost: {host}\\r\\n\\r\\n'
            expect:
              pass: ["200"]

            """.utf8).write(to: corpusFolder.appendingPathComponent("POS-GET.yaml"))
        func run(_ arguments: [String], out: String = "r") throws -> CathammerBinary.Result {
            try CathammerBinary.run(["run", "corpus", "--corpus", work.appendingPathComponent("corpus").path, "--no-libcurl",
                                     "--format", "json", "--out", work.appendingPathComponent(out).path] + arguments)
        }
        let unverified = try run(["--target", "https://localhost:\(server.port)"])
        XCTAssertEqual(unverified.status, 3, "the system store does not know the test CA")
        XCTAssertTrue(unverified.stderr.contains("the server's certificate did not verify: unable to get local issuer certificate"),
                      unverified.stderr)
        let wrongName = try run(["--target", "https://127.0.0.1:\(server.port)", "--ca", certificates.caCertificate, "--sni", "other.test"])
        XCTAssertEqual(wrongName.status, 3)
        XCTAssertTrue(wrongName.stderr.contains("hostname mismatch"), wrongName.stderr)

        let insecure = try run(["--target", "127.0.0.1:\(server.port)", "--tls", "--insecure", "--sni", "other.test",
                                "--alpn", "h2,http/1.1"], out: "insecure")
        XCTAssertEqual(insecure.status, 0, insecure.stdout + insecure.stderr)
        let summary = try XCTUnwrap(try report("insecure")["tls"] as? [String: Any])
        XCTAssertEqual(summary["verification"] as? String, "none (--insecure)")
        XCTAssertEqual(summary["server_name"] as? String, "other.test")
        XCTAssertEqual(summary["alpn_offered"] as? [String], ["h2", "http/1.1"])
        XCTAssertEqual(summary["alpn"] as? String, "http/1.1", "the fake speaks http/1.1 only")
        XCTAssertTrue(server.seen.contains { $0.serverName == "other.test" }, "the SNI went out")
        let byAddress = try run(["--target", "https://127.0.0.1:\(server.port)", "--ca", certificates.caCertificate], out: "address")
        XCTAssertEqual(byAddress.status, 0, "an address target verifies against the certificate's IP names: \(byAddress.stderr)")
        XCTAssertNil(try report("address")["tls"].flatMap { ($0 as? [String: Any])?["server_name"] }, "no SNI for an address")
    }

    /// Bad TLS flags are refused before anything starts, each with its flag named, exit 2.
    func testBadTLSFlagsExitTwoNamingTheFlag() throws {
        let notPEM = work.appendingPathComponent("not.pem").path
        try Data("not a certificate\n".utf8).write(to: URL(fileURLWithPath: notPEM))
        let target = ["--target", "https://localhost:1"]
        let cases: [(arguments: [String], message: String)] = [
            (target + ["--sni", "127.0.0.1"], "--sni <sni>': an IP address literal is not a server name (RFC 6066 §3)"),
            (target + ["--sni", "a.test."], "trailing dot"),
            (target + ["--alpn", ","], "--alpn <alpn>': no protocol name (RFC 7301 §3.1)"),
            (target + ["--ca", "/nonexistent/ca.pem"], "--ca <ca>': cannot read '/nonexistent/ca.pem'"),
            (target + ["--ca", notPEM], "--ca '\(notPEM)': not a readable PEM file of CA certificates"),
            (target + ["--ca", notPEM, "--insecure"], "--insecure and --ca exclude each other"),
            (["--target", "127.0.0.1:1", "--sni", "localhost"], "--sni needs a TLS target"),
            (["--target", "127.0.0.1:1", "--insecure"], "--insecure needs a TLS target"),
            (["--target", "http://127.0.0.1:1", "--tls"], "--tls contradicts the http:// of --target"),
            (["--tls"], "--tls needs --target or --spawn"),
            (["--target", "https://localhost"], "is not HOST:PORT, http://HOST:PORT or https://HOST:PORT"),
        ]
        for (arguments, message) in cases {
            let result = try CathammerBinary.run(["run", "corpus"] + arguments)
            XCTAssertEqual(result.status, 2, "\(arguments): \(result.stdout) \(result.stderr)")
            XCTAssertTrue(result.stderr.contains(message), "\(arguments): \(result.stderr)")
        }
        // fuzz takes the same option group.
        let fuzz = try CathammerBinary.run(["fuzz", "--target", "https://localhost:1", "--ca", notPEM])
        XCTAssertEqual(fuzz.status, 2, fuzz.stderr)
        XCTAssertTrue(fuzz.stderr.contains("--ca '\(notPEM)': not a readable PEM file of CA certificates"), fuzz.stderr)
        let reload = try CathammerBinary.run(["reload-check", "--target", "https://localhost:1", "--reload-cmd", "true", "--alpn", ","])
        XCTAssertEqual(reload.status, 2, reload.stderr)
        XCTAssertTrue(reload.stderr.contains("--alpn <alpn>'"), reload.stderr)
        let herd = try CathammerBinary.run(["herd-check", "--tls"])
        XCTAssertEqual(herd.status, 2, herd.stderr)
        XCTAssertTrue(herd.stderr.contains("--tls needs --target or --spawn"), herd.stderr)
    }

    /// `--spawn` with `--tls`: a TLS server nobody here wrote (openssl s_server -www), for run corpus
    /// and herd-check.
    func testASpawnedTLSServerForRunCorpusAndHerdCheck() throws {
        let spawn = "openssl s_server -quiet -www -accept 127.0.0.1:{port} -cert '\(certificates.serverCertificate)' -key '\(certificates.serverKey)'"
        let corpusFolder = work.appendingPathComponent("corpus/positive")
        try FileManager.default.createDirectory(at: corpusFolder, withIntermediateDirectories: true)
        try Data("""
            id: POS-STATUS-PAGE
            title: s_server's status page
            category: positive
            level: SHOULD
            rfc: RFC 9112 §3
            why: s_server -www answers GET / with HTTP/1.0 and closes.
            steps:
              - send: 'GET / HTTP/1.1\\r\\nHost: {host}\\r\\n\\r\\n'
            expect:
              pass: ["200 close"]

            """.utf8).write(to: corpusFolder.appendingPathComponent("POS-STATUS-PAGE.yaml"))
        let run = try CathammerBinary.run(["run", "corpus", "--corpus", work.appendingPathComponent("corpus").path, "--no-libcurl",
                                           "--spawn", spawn, "--tls", "--ca", certificates.caCertificate, "--format", "json",
                                           "--out", work.appendingPathComponent("spawned").path])
        XCTAssertEqual(run.status, 0, run.stdout + run.stderr)
        XCTAssertEqual((try report("spawned")["tls"] as? [String: Any])?["version"] as? String, "TLSv1.3")

        let herd = try CathammerBinary.run(["herd-check", "--quiet", "--spawn", spawn, "--tls", "--ca", certificates.caCertificate,
                                            "--loads", "1", "--connections", "20", "--out", work.appendingPathComponent("herd").path])
        XCTAssertEqual(herd.status, 0, herd.stdout + herd.stderr)
        let body = try XCTUnwrap(try report("herd")["herd"] as? [String: Any])
        XCTAssertEqual((body["cells"] as? [[String: Any]])?.first?["failed_requests"] as? Int, 0)
        let tls = try XCTUnwrap(body["tls"] as? [String: Any])
        XCTAssertEqual(tls["connections"] as? Int, 20, "every herd connection a TLS handshake")
        XCTAssertEqual(tls["resumption_attempts"] as? Int, 0, "fresh connections make full handshakes")
        XCTAssertTrue(try text("herd", "summary.md").contains("every connection a full handshake"))
    }

    /// reload-check over TLS against the reference server behind the relay: nothing lost, and the
    /// report gives the resumption attempts during and outside the reloads.
    func testReloadCheckOverTLSReportsResumptionDuringAndOutsideReloads() throws {
        let server = try ServerProcess(["-p", "2"])
        defer { withExtendedLifetime(server) {} }
        let origin = server.port
        let relay = try fake { _ in .relay(port: origin) }
        let result = try CathammerBinary.run([
            "reload-check", "--quiet", "--target", "https://localhost:\(relay.port)", "--ca", certificates.caCertificate,
            "--pid", String(server.pid), "--reload-signal", "HUP", "--reload-window", "300ms", "--reloads", "3", "--reload-every", "300ms",
            "--concurrency", "6", "--mix", "keepalive,fresh,curl", "--duration", "30s", "--path", "/cats/1", "--post-path", "/echo",
            "--netns", "off", "--out", work.appendingPathComponent("reload").path])
        XCTAssertEqual(result.status, 0, result.stdout + result.stderr)
        XCTAssertTrue(result.stdout.contains("resumed during reloads"), result.stdout)
        let body = try XCTUnwrap(try report("reload")["reload"] as? [String: Any])
        XCTAssertEqual((body["outcomes"] as? [String: Int])?["tls_handshake"], 0)
        let tls = try XCTUnwrap(body["tls"] as? [String: Any])
        XCTAssertEqual(tls["version"] as? String, "TLSv1.3")
        XCTAssertGreaterThan(tls["connections"] as? Int ?? 0, 10)
        let resumption = try XCTUnwrap(body["tls_resumption"] as? [String: [String: Any]])
        let attempts = (resumption["during_reloads"]?["attempts"] as? Int ?? 0) + (resumption["outside_reloads"]?["attempts"] as? Int ?? 0)
        let resumed = (resumption["during_reloads"]?["resumed"] as? Int ?? 0) + (resumption["outside_reloads"]?["resumed"] as? Int ?? 0)
        XCTAssertGreaterThan(attempts, 0, "libcurl's new connections offer the cached session")
        XCTAssertEqual(resumed, attempts, "the relay resumes every offered session")
        XCTAssertEqual(attempts, tls["resumption_attempts"] as? Int)
        XCTAssertTrue(try text("reload", "summary.md").contains("Resumption attempts that succeeded: during reloads"))
        XCTAssertTrue(try text("reload", "index.html").contains("<h2>TLS</h2>"))
    }

    /// A server that aborts some handshakes: each is a `tls_handshake` failure and fails the check.
    func testAbortedHandshakesAreTheirOwnFailureClass() throws {
        let server = try fake { $0 > 0 && $0 % 3 == 0 ? .abortHandshake : .answer }
        let result = try CathammerBinary.run([
            "reload-check", "--quiet", "--target", "https://localhost:\(server.port)", "--ca", certificates.caCertificate,
            "--reload-cmd", "true", "--reload-window", "100ms", "--reloads", "2", "--reload-every", "200ms", "--concurrency", "4",
            "--mix", "fresh,curl", "--requests", "150", "--duration", "30s", "--netns", "off",
            "--out", work.appendingPathComponent("aborted").path])
        XCTAssertEqual(result.status, 1, result.stdout + result.stderr)
        XCTAssertTrue(result.stdout.hasPrefix("FAIL"), result.stdout)
        let body = try XCTUnwrap(try report("aborted")["reload"] as? [String: Any])
        XCTAssertGreaterThan((body["outcomes"] as? [String: Int])?["tls_handshake"] ?? 0, 10)
        let failed = body["failed_requests"] as? [[String: Any]] ?? []
        XCTAssertTrue(failed.contains { $0["outcome"] as? String == "tls_handshake" && $0["kind"] as? String == "fresh"
                && ($0["detail"] as? String ?? "").contains("the server closed the connection during the handshake") }, "\(failed.prefix(3))")
        XCTAssertTrue(failed.contains { $0["outcome"] as? String == "tls_handshake" && $0["kind"] as? String == "curl" },
                      "libcurl's handshake failures count in the same class")
        XCTAssertTrue(try text("aborted", "summary.md").contains("| tls_handshake | "))
    }

    /// The fuzzer over TLS against the reference server behind the relay: its report gives the run's
    /// TLS and record plan (the executor's writes as records: ClientConnectionTests).
    func testFuzzingOverTLS() throws {
        let server = try ServerProcess(["-p", "1"])
        defer { withExtendedLifetime(server) {} }
        let origin = server.port
        let relay = try fake { _ in .relay(port: origin) }
        let result = try CathammerBinary.run([
            "fuzz", "--corpus", corpus, "--findings", work.appendingPathComponent("findings").path, "--target",
            "https://localhost:\(relay.port)", "--ca", certificates.caCertificate, "--category", "positive", "--seed", "3",
            "--max-cases", "30", "--duration", "60s", "--no-reference-check", "--fail-on", "none", "--quiet",
            "--out", work.appendingPathComponent("fuzz").path])
        XCTAssertEqual(result.status, 0, result.stdout + result.stderr)
        XCTAssertTrue(result.stdout.contains("at https://localhost:\(relay.port)"), result.stdout)
        let body = try XCTUnwrap(try report("fuzz")["fuzz"] as? [String: Any])
        let tls = try XCTUnwrap(body["tls"] as? [String: Any])
        XCTAssertGreaterThanOrEqual(tls["connections"] as? Int ?? 0, 30, "a TLS connection per execution")
        XCTAssertTrue((tls["record_plan"] as? String ?? "").contains("one record per byte"))
        XCTAssertTrue(try text("fuzz", "summary.md").contains("TLS: TLSv1.3"))
    }
}
