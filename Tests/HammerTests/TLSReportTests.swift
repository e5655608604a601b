import Foundation
import XCTest
@testable import Hammer

/// The TLS fields of every report, from runs built by hand: what a run negotiated, a case that
/// negotiated something else, resumption during and outside reloads; nothing over cleartext.
final class TLSReportTests: XCTestCase {
    private let run13 = TLSSessionInfo(version: "TLSv1.3", cipher: "TLS_AES_256_GCM_SHA384", alpn: "http/1.1", resumed: false, offeredSession: false)

    private func session(resumed: Bool = false, offered: Bool = false, alpn: String? = "http/1.1", version: String = "TLSv1.3") -> TLSSessionInfo {
        TLSSessionInfo(version: version, cipher: "TLS_AES_256_GCM_SHA384", alpn: alpn, resumed: resumed, offeredSession: offered)
    }

    private func context() throws -> TLSClientContext {
        try TLSClientContext(TLSClientSettings(serverName: "localhost", alpn: ["h2", "http/1.1"], verification: .none))
    }

    private func json(_ data: Data) throws -> [String: Any] {
        try XCTUnwrap(JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    func testTheSummaryTakesWhatMostConnectionsNegotiatedAndCountsResumptions() throws {
        let sessions = [session(), session(resumed: true, offered: true), session(offered: true), session(version: "TLSv1.2")]
        let summary = try XCTUnwrap(TLSRunSummary(context: try context(), sessions: sessions))
        XCTAssertEqual(summary.version, "TLSv1.3")
        XCTAssertEqual(summary.alpn, "http/1.1")
        XCTAssertEqual(summary.serverName, "localhost")
        XCTAssertEqual(summary.alpnOffered, ["h2", "http/1.1"])
        XCTAssertEqual(summary.verification, "none (--insecure)")
        XCTAssertEqual(summary.connections, 4)
        XCTAssertEqual(summary.resumptionAttempts, 2)
        XCTAssertEqual(summary.resumed, 1)
        XCTAssertNil(summary.difference(session(resumed: true)), "resumption alone is no difference")
        XCTAssertEqual(summary.difference(session(version: "TLSv1.2"))?.version, "TLSv1.2")
        XCTAssertEqual(summary.difference(session(alpn: nil))?.alpn, nil)
        XCTAssertNotNil(summary.difference(session(alpn: nil)))
        // An HTTP/2 case offers h2 alone: its h2 beside the run's http/1.1 is what it asked for.
        XCTAssertNil(summary.difference(session(alpn: "h2"), protocol: .h2))
        XCTAssertNotNil(summary.difference(session(alpn: "h2")), "an HTTP/1.1 case that got h2 differs")
        XCTAssertEqual(summary.difference(session(alpn: nil), protocol: .h2)?.alpn, nil, "an HTTP/2 case without h2 differs")
        XCTAssertNotNil(summary.difference(session(alpn: nil), protocol: .h2))
        XCTAssertNotNil(summary.difference(session(alpn: "h2", version: "TLSv1.2"), protocol: .h2), "other parameters still differ")
        let mostlyH2 = try XCTUnwrap(TLSRunSummary(context: try context(), sessions: [session(alpn: "h2"), session(alpn: "h2"), session()]))
        XCTAssertNil(mostlyH2.difference(session()), "an HTTP/1.1 case's http/1.1 in a run of mostly h2 cases")
        XCTAssertEqual(summary.line, "TLS: TLSv1.3, TLS_AES_256_GCM_SHA384, ALPN http/1.1; SNI localhost, ALPN offered h2,http/1.1, "
                       + "verification: none (--insecure); 1 of 4 connections resumed (2 offered a session)")
        XCTAssertNil(TLSRunSummary(context: nil, sessions: sessions), "nothing over cleartext")
        let none = try XCTUnwrap(TLSRunSummary(context: try context(), sessions: []))
        XCTAssertNil(none.version, "no handshake completed")
        XCTAssertTrue(none.line.hasPrefix("TLS: no handshake completed"))
        XCTAssertEqual(ResumptionShare([session(resumed: true, offered: true), session(offered: true), session()]).share, 0.5)
        XCTAssertNil(ResumptionShare([session()]).share, "no attempt, no share")
    }

    private func corpusRun(tls: Bool) throws -> CorpusRun {
        let testCase = CorpusCase(id: "POS-ONE", title: "one", category: "positive", level: "MUST", rfc: "RFC 9112 §3", references: [],
                                  why: "w", steps: [.send(Array("GET / HTTP/1.1\r\n\r\n".utf8), bytewise: false)], sendTexts: ["GET"],
                                  canary: false, pass: [OutcomePattern("200")!], warn: [], path: "p")
        func result(_ id: String, _ session: TLSSessionInfo?) -> CaseResult {
            var item = testCase
            item.id = id
            var result = CaseResult(testCase: item, verdict: .pass, observed: ObservedOutcome(statuses: [200], ending: .open), responses: [],
                                    received: [], sent: [], durationMilliseconds: 1, notes: [])
            result.tls = tls ? session : nil
            return result
        }
        var run = CorpusRun(target: "t", started: Date(), results: [result("A-1", session()), result("A-2", session(resumed: true, offered: true)),
                                                                    result("A-3", session(version: "TLSv1.2"))], baseline: nil)
        run.tlsContext = tls ? try context() : nil
        return run
    }

    func testCorpusReportsGiveTheRunsTLSAndEachCaseThatDiffers() throws {
        let run = try corpusRun(tls: true)
        let report = try json(try JSONReport(run: run, version: "test").encoded())
        let tls = try XCTUnwrap(report["tls"] as? [String: Any])
        XCTAssertEqual(tls["version"] as? String, "TLSv1.3")
        XCTAssertEqual(tls["cipher"] as? String, "TLS_AES_256_GCM_SHA384")
        XCTAssertEqual(tls["alpn"] as? String, "http/1.1")
        XCTAssertEqual(tls["server_name"] as? String, "localhost")
        XCTAssertEqual(tls["alpn_offered"] as? [String], ["h2", "http/1.1"])
        XCTAssertEqual(tls["verification"] as? String, "none (--insecure)")
        XCTAssertEqual(tls["connections"] as? Int, 3)
        XCTAssertEqual(tls["resumption_attempts"] as? Int, 1)
        XCTAssertEqual(tls["resumed"] as? Int, 1)
        XCTAssertEqual(tls["record_plan"] as? String, TLSRunSummary.byteExactRecordPlan)
        let cases = try XCTUnwrap(report["cases"] as? [[String: Any]])
        XCTAssertEqual(cases.filter { $0["tls"] != nil }.map { $0["id"] as? String }, ["A-3"])
        let own = try XCTUnwrap(cases.last?["tls"] as? [String: Any])
        XCTAssertEqual(own.keys.sorted(), ["alpn", "cipher", "offered_session", "resumed", "version"])
        XCTAssertEqual(own["version"] as? String, "TLSv1.2")
        XCTAssertEqual(own["resumed"] as? Bool, false)
        XCTAssertEqual(own["offered_session"] as? Bool, false)
        let markdown = MarkdownReport.render(run)
        XCTAssertTrue(markdown.contains("TLS: TLSv1.3, TLS_AES_256_GCM_SHA384, ALPN http/1.1; SNI localhost"), markdown)
        XCTAssertTrue(markdown.contains("Cases whose connection negotiated other TLS parameters: A-3 (TLSv1.2 TLS_AES_256_GCM_SHA384 ALPN http/1.1)."))
        let html = HTMLReport.render(run)
        XCTAssertTrue(html.contains("<p class=\"tls\">TLS: TLSv1.3"))
        XCTAssertTrue(html.contains("TLS of this case: TLSv1.2 TLS_AES_256_GCM_SHA384 ALPN http/1.1"))

        let clear = try corpusRun(tls: false)
        let clearReport = try json(try JSONReport(run: clear, version: "test").encoded())
        XCTAssertNil(clearReport["tls"])
        XCTAssertTrue((clearReport["cases"] as? [[String: Any]] ?? []).allSatisfy { $0["tls"] == nil })
        XCTAssertFalse(MarkdownReport.render(clear).contains("TLS:"))
        XCTAssertFalse(HTMLReport.render(clear).contains("class=\"tls\""))
    }

    func testReloadReportsGiveResumptionDuringAndOutsideReloads() throws {
        func record(_ id: UInt64, at start: UInt64, _ session: TLSSessionInfo?, outcome: OutcomeClass = .ok) -> RequestRecord {
            RequestRecord(id: id, kind: .curl, method: "GET", outcome: outcome, startNanoseconds: start, endNanoseconds: start + 1_000_000, tls: session)
        }
        let records = [
            record(1, at: 0, session()),
            record(2, at: 10_000_000, session(resumed: true, offered: true)),
            record(3, at: 100_000_000, session(resumed: true, offered: true)),
            record(4, at: 110_000_000, session(offered: true)),
            record(5, at: 120_000_000, nil),
            record(6, at: 130_000_000, nil, outcome: .tlsHandshake),
        ]
        let timeline = ReloadTimeline(events: [ReloadEvent(index: 0, kind: .hup, startNanoseconds: 90_000_000, endNanoseconds: 200_000_000,
                                                           settled: true, note: "")])
        func run(_ context: TLSClientContext?) -> ReloadRun {
            ReloadRun(target: "t", targetCommand: "", reloadKind: .hup, reloadCommand: "", started: Date(), durationSeconds: 1, records: records,
                      timeline: timeline, profile: LoadProfile(), statsBefore: nil, statsAfter: nil, kernelDeltas: nil, kernelUnavailable: "x",
                      allowIdempotentRetry: false, tlsContext: context)
        }
        let tlsRun = run(try context())
        XCTAssertEqual(tlsRun.resumptionDuringReloads, ResumptionShare([session(resumed: true, offered: true), session(offered: true)]))
        XCTAssertEqual(tlsRun.resumptionOutsideReloads.attempts, 1)
        XCTAssertEqual(tlsRun.resumptionOutsideReloads.resumed, 1)
        XCTAssertFalse(tlsRun.verdict.passed, "a failed handshake fails the check")
        XCTAssertTrue(tlsRun.verdict.reasons.first?.contains("tls_handshake 1") ?? false, "\(tlsRun.verdict.reasons)")
        let body = try XCTUnwrap(try json(try ReloadJSONReport(run: tlsRun, version: "test").encoded())["reload"] as? [String: Any])
        XCTAssertEqual((body["tls"] as? [String: Any])?["connections"] as? Int, 4)
        XCTAssertEqual((body["outcomes"] as? [String: Int])?["tls_handshake"], 1)
        let resumption = try XCTUnwrap(body["tls_resumption"] as? [String: [String: Any]])
        XCTAssertEqual(resumption["during_reloads"]?["attempts"] as? Int, 2)
        XCTAssertEqual(resumption["during_reloads"]?["resumed"] as? Int, 1)
        XCTAssertEqual(resumption["during_reloads"]?["share"] as? Double, 0.5)
        XCTAssertEqual(resumption["outside_reloads"]?["share"] as? Double, 1)
        let markdown = ReloadMarkdownReport.render(tlsRun)
        XCTAssertTrue(markdown.contains("Resumption attempts that succeeded: during reloads 1 of 2 (50 %), outside 1 of 1 (100 %); failed handshakes (tls_handshake): 1."), markdown)
        let html = ReloadHTMLReport.render(tlsRun)
        XCTAssertTrue(html.contains("<tr><td>during reloads</td><td>1 of 2 (50 %)</td></tr>"), html)

        let clear = try json(try ReloadJSONReport(run: run(nil), version: "test").encoded())["reload"] as? [String: Any]
        XCTAssertNil(clear?["tls"])
        XCTAssertNil(clear?["tls_resumption"])
        XCTAssertFalse(ReloadHTMLReport.render(run(nil)).contains("<h2>TLS</h2>"))
    }

    func testHerdAndFuzzReportsGiveTheRunsTLS() throws {
        let summary = TLSRunSummary(context: try context(), sessions: [session(), session()])
        let herd = HerdRun(target: "t", started: Date(), cells: [], skipped: [:], reference: false, namespace: "host", tls: summary)
        let herdBody = try json(try HerdJSONReport(run: herd, version: "test").encoded())["herd"] as? [String: Any]
        XCTAssertEqual((herdBody?["tls"] as? [String: Any])?["connections"] as? Int, 2)
        XCTAssertTrue(HerdMarkdownReport.render(herd).contains("TLS: TLSv1.3, TLS_AES_256_GCM_SHA384, ALPN http/1.1; SNI localhost"))
        XCTAssertTrue(HerdHTMLReport.render(herd).contains("<p>TLS: TLSv1.3"))
        let clearHerd = HerdRun(target: "t", started: Date(), cells: [], skipped: [:], reference: false, namespace: "host")
        XCTAssertNil((try json(try HerdJSONReport(run: clearHerd, version: "test").encoded())["herd"] as? [String: Any])?["tls"])

        let summaryOfFuzz = FuzzSummary(started: Date(), elapsed: 1, cases: 1, executions: 1, findings: [], hits: [:], stoppedBecause: nil)
        let endpoint = Endpoint(host: "localhost", port: 8443, tls: try context())
        let fuzz = FuzzReport(summary: summaryOfFuzz, target: "t", seed: 1, version: "test", endpoint: endpoint, sessions: [session()], files: [:])
        let fuzzBody = try json(try fuzz.encoded())["fuzz"] as? [String: Any]
        XCTAssertEqual((fuzzBody?["tls"] as? [String: Any])?["record_plan"] as? String, TLSRunSummary.byteExactRecordPlan)
        XCTAssertTrue(fuzz.renderMarkdown().contains("TLS: TLSv1.3"))
        XCTAssertTrue(fuzz.renderHTML().contains("<p>TLS: TLSv1.3"))
        let clearFuzz = FuzzReport(summary: summaryOfFuzz, target: "t", seed: 1, version: "test", endpoint: .loopback(8080), files: [:])
        XCTAssertNil((try json(try clearFuzz.encoded())["fuzz"] as? [String: Any])?["tls"])
    }

    func testTheReproducerOfATLSFindingUsesOpenSSLsClient() throws {
        let script = FindingWriter.reproducer([Array("GET / HTTP/1.1\r\n\r\n".utf8)], endpoint: Endpoint(host: "localhost", port: 8443, tls: try context()))
        XCTAssertTrue(script.hasSuffix("""
            (printf 'GET / HTTP/1.1\\r\\n\\r\\n'; sleep 2) | openssl s_client -quiet -connect "$HOST:$PORT" -servername localhost -alpn h2,http/1.1 | xxd

            """), script)
        XCTAssertTrue(script.contains("PORT=${PORT:-8443}"), script)
        let byAddress = try TLSClientContext(TLSClientSettings(serverName: nil, verification: .none))
        XCTAssertTrue(FindingWriter.reproducer([[0x41]], endpoint: Endpoint(host: "::1", port: 1, tls: byAddress))
            .hasSuffix("| openssl s_client -quiet -connect \"[$HOST]:$PORT\" -noservername -alpn http/1.1 | xxd\n"))
    }
}
