import CathammerContract
import FakeServers
import Foundation
import Glibc
import XCTest

/// The reference server over TLS, end to end with the harness and with independent clients: HTTP/2
/// chosen by ALPN, the whole corpus getting the verdicts it gets in cleartext, and reloads under TLS
/// load that lose nothing.
final class ReferenceServerOverTLSTests: XCTestCase {
    private var work: URL!

    override func setUpWithError() throws {
        work = FileManager.default.temporaryDirectory.appendingPathComponent("cathammer-tls-e2e-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: work)
    }

    private static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// `serve` flags for an https listener with the CA-signed certificate, so clients verify it.
    private func httpsArguments(_ certificates: TestCertificates) -> [String] {
        ["--https", "127.0.0.1:0", "--tls-cert", certificates.serverCertificate, "--tls-key", certificates.serverKey]
    }

    private func curl(_ arguments: [String], certificates: TestCertificates) throws -> (status: Int32, output: String) {
        try CathammerBinary.runTool("/usr/bin/curl", ["-s", "--max-time", "20", "--cacert", certificates.caCertificate] + arguments,
                                    capture: true)
    }

    /// ALPN `h2` gets the HTTP/2 session (RFC 9113 §3.2) with the same applications; a client that
    /// offers only http/1.1 gets HTTP/1.1; `--http2 off` takes h2 out of the offer.
    func testALPNh2ChoosesHTTP2AndTheSchemeIsTheConnections() throws {
        let certificates = try TestCertificates.shared()
        let server = try ServerProcess(["-p", "1"] + httpsArguments(certificates))
        let base = "https://localhost:\(try XCTUnwrap(server.httpsPort))"

        let echo = try curl(["--http2", "--data-binary", "hello", "\(base)/echo"], certificates: certificates)
        let view = try EchoView(json: Array(echo.output.utf8))
        XCTAssertEqual(view.version, "HTTP/2")
        XCTAssertEqual(view.scheme, "https", "the transport's scheme, not the client's :scheme")
        XCTAssertEqual(view.bodyLength, 5)
        XCTAssertEqual(view.pseudoHeaders?.first { $0.name == ":scheme" }?.value, "https")

        let versions = try curl(["--http2", "-o", "/dev/null", "-w", "%{http_version}", "\(base)/cats/1"], certificates: certificates)
        XCTAssertEqual(versions.output, "2")
        let http1 = try curl(["--http1.1", "-o", "/dev/null", "-w", "%{http_version}", "\(base)/cats/1"], certificates: certificates)
        XCTAssertEqual(http1.output, "1.1")

        // Several streams on one TLS connection.
        let many = try CathammerBinary.runTool("/usr/bin/nghttp", ["-n", "-v", "\(base)/sleep?ms=200", "\(base)/cats/2", "\(base)/nothing"],
                                               capture: true)
        XCTAssertTrue(many.output.contains("The negotiated protocol: h2"), many.output)
        let statuses = many.output.split(separator: "\n").filter { $0.contains(":status:") }.map { String($0.suffix(3)) }
        XCTAssertEqual(statuses.sorted(), ["200", "200", "404"], many.output)

        let off = try ServerProcess(["-p", "1", "--http2", "off"] + httpsArguments(certificates))
        let offered = try curl(["--http2", "-o", "/dev/null", "-w", "%{http_version}", "https://localhost:\(try XCTUnwrap(off.httpsPort))/cats/1"],
                               certificates: certificates)
        XCTAssertEqual(offered.output, "1.1", "with --http2 off only http/1.1 is offered")
    }

    /// The whole corpus, HTTP/1.1 and HTTP/2 cases alike, sent over TLS (each step one record; h2 cases
    /// with ALPN h2) to the reference server gets the verdict it gets in cleartext from the same server.
    /// The outcomes of HTTP/1.1 cases are the same too, but for the HTTP/2 preface sent as HTTP/1.1:
    /// in cleartext it selects HTTP/2, over a TLS connection that chose http/1.1 it is a bad version.
    /// HTTP/2 outcomes may differ in frames the RFC leaves free (a GOAWAY after the client's FIN).
    func testTheWholeCorpusOverTLSGetsTheCleartextVerdicts() throws {
        let certificates = try TestCertificates.shared()
        let server = try ServerProcess(["-p", "2"] + httpsArguments(certificates))
        let common = ["run", "corpus", "--corpus", Self.repository.appendingPathComponent("corpus").path, "--quiet",
                      "--offers", "catserve-routes", "--format", "json", "--no-libcurl"]
        let clear = try CathammerBinary.run(common + ["--target", "127.0.0.1:\(server.port)", "--out", work.appendingPathComponent("clear").path])
        XCTAssertEqual(clear.status, 0, clear.stdout + clear.stderr)
        let secure = try CathammerBinary.run(common + ["--target", "https://localhost:\(try XCTUnwrap(server.httpsPort))",
                                                       "--ca", certificates.caCertificate, "--out", work.appendingPathComponent("tls").path])
        XCTAssertEqual(secure.status, 0, secure.stdout + secure.stderr)

        /// id → (verdict, observed, protocol)
        func cases(_ folder: String) throws -> [String: (verdict: String, observed: String, protocol: String)] {
            let data = try Data(contentsOf: work.appendingPathComponent(folder).appendingPathComponent("report.json"))
            let report = try XCTUnwrap(JSONSerialization.jsonObject(with: data) as? [String: Any])
            var byID: [String: (String, String, String)] = [:]
            for item in report["cases"] as? [[String: Any]] ?? [] {
                byID[item["id"] as? String ?? ""] = (item["verdict"] as? String ?? "", item["observed"] as? String ?? "",
                                                     item["protocol"] as? String ?? "")
            }
            return byID
        }
        let overTLS = try cases("tls"), inClear = try cases("clear")
        XCTAssertEqual(Set(overTLS.keys), Set(inClear.keys))
        XCTAssertGreaterThan(overTLS.values.filter { $0.protocol == "h2" }.count, 200, "the h2 cases ran over TLS")
        for (id, tls) in overTLS {
            guard let clear = inClear[id] else { continue }
            XCTAssertEqual(tls.verdict, clear.verdict, "\(id): \(tls.observed) over TLS, \(clear.observed) in cleartext")
            XCTAssertNotEqual(tls.verdict, "SKIP", id)
            if tls.protocol == "h1" && id != "RL-H2-PRIOR-KNOWLEDGE-PREFACE" {
                XCTAssertEqual(tls.observed, clear.observed, id)
            }
        }
        XCTAssertEqual(overTLS["RL-H2-PRIOR-KNOWLEDGE-PREFACE"]?.observed, "505 close", "over TLS the preface is not HTTP/1.1")
        // Every h2 case's connection chose h2 by ALPN and every HTTP/1.1 case's http/1.1: no case is
        // reported as negotiating something other than its protocol asked for.
        let tlsReport = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: work.appendingPathComponent("tls")
            .appendingPathComponent("report.json"))) as? [String: Any])
        XCTAssertEqual((tlsReport["tls"] as? [String: Any])?["alpn"] as? String, "http/1.1")
        let differing = (tlsReport["cases"] as? [[String: Any]] ?? []).filter { $0["tls"] != nil }.compactMap { $0["id"] as? String }
        XCTAssertEqual(differing.filter { $0.hasPrefix("H2-") }, [], "h2 cases negotiated h2")
    }

    /// reload-check over TLS against the reference server it starts: 20 SIGHUPs under a mix of fresh
    /// handshakes, keep-alive pools and libcurl, nothing failed and no handshake lost.
    func testReloadCheckOverTLSLosesNothingAcrossTwentySIGHUPs() throws {
        let certificates = try TestCertificates.shared()
        let result = try CathammerBinary.run([
            "reload-check", "--quiet", "--tls", "--ca", certificates.caCertificate, "--sni", "localhost",
            "--server-arg=--tls-cert=\(certificates.serverCertificate)", "--server-arg=--tls-key=\(certificates.serverKey)",
            "--reloads", "20", "--reload-every", "200ms", "--concurrency", "6", "--mix", "keepalive,fresh,post,curl",
            "--duration", "60s", "--netns", "off", "--out", work.appendingPathComponent("reload").path])
        XCTAssertEqual(result.status, 0, result.stdout + result.stderr)
        let data = try Data(contentsOf: work.appendingPathComponent("reload").appendingPathComponent("report.json"))
        let report = try XCTUnwrap(JSONSerialization.jsonObject(with: data) as? [String: Any])
        let body = try XCTUnwrap(report["reload"] as? [String: Any])
        let outcomes = try XCTUnwrap(body["outcomes"] as? [String: Int])
        XCTAssertEqual(outcomes.filter { $0.key != "ok" && $0.value > 0 }, [:], "no request in a failure class")
        XCTAssertGreaterThan(outcomes["ok"] ?? 0, 100)
        XCTAssertEqual((body["tls"] as? [String: Any])?["version"] as? String, "TLSv1.3")
    }

    /// The h2 kind over TLS: libcurl negotiates h2 by ALPN and multiplexes 8 streams per connection;
    /// SIGHUPs lose no stream and refuse none, and no answer came over HTTP/1.1.
    func testReloadCheckOverTLSWithHTTP2StreamsLosesAndRefusesNothing() throws {
        let certificates = try TestCertificates.shared()
        let result = try CathammerBinary.run([
            "reload-check", "--quiet", "--tls", "--ca", certificates.caCertificate, "--sni", "localhost",
            "--server-arg=--tls-cert=\(certificates.serverCertificate)", "--server-arg=--tls-key=\(certificates.serverKey)",
            "--reloads", "4", "--reload-every", "200ms", "--concurrency", "16", "--h2-streams", "8", "--mix", "h2",
            "--duration", "60s", "--netns", "off", "--out", work.appendingPathComponent("reload-h2").path])
        XCTAssertEqual(result.status, 0, result.stdout + result.stderr)
        let data = try Data(contentsOf: work.appendingPathComponent("reload-h2").appendingPathComponent("report.json"))
        let report = try XCTUnwrap(JSONSerialization.jsonObject(with: data) as? [String: Any])
        let body = try XCTUnwrap(report["reload"] as? [String: Any])
        let outcomes = try XCTUnwrap(body["outcomes"] as? [String: Int])
        XCTAssertEqual(outcomes.filter { $0.key != "ok" && $0.value > 0 }, [:], "no stream failed or was refused")
        XCTAssertGreaterThan(outcomes["ok"] ?? 0, 100)
        XCTAssertFalse(result.stdout.contains("answered over HTTP/1.x"), result.stdout)
        XCTAssertTrue(result.stdout.contains("HTTP/2 streams"), result.stdout)
    }
}
