import Foundation
@testable import Hammer
import XCTest

/// The SARIF mapping without a server: which verdict becomes which result, where it points, and
/// what a baseline does to it.
final class SARIFLogTests: XCTestCase {
    func testLocationsAreRelativeToTheSourceRootWhereTheyCanBe() {
        typealias Location = SARIFLog.ArtifactLocation
        XCTAssertEqual(Location.file("corpus/host/HOST-X.yaml", workingDirectory: "/w"),
                       Location(uri: "corpus/host/HOST-X.yaml", uriBaseId: "%SRCROOT%"))
        XCTAssertEqual(Location.file("./ci/corpus/host/HOST-X.yaml", workingDirectory: "/w").uri, "ci/corpus/host/HOST-X.yaml")
        XCTAssertEqual(Location.file("/w/ci/my corpus/a.yaml", workingDirectory: "/w/"),
                       Location(uri: "ci/my%20corpus/a.yaml", uriBaseId: "%SRCROOT%"), "inside the working folder: relative")
        XCTAssertEqual(Location.file("/tmp/c/host/HOST-X.yaml", workingDirectory: "/w"),
                       Location(uri: "file:///tmp/c/host/HOST-X.yaml", uriBaseId: nil), "outside it: an absolute file URI")
        XCTAssertEqual(Location.file("/wx/a.yaml", workingDirectory: "/w").uriBaseId, nil, "a prefix of a name is not a parent folder")
    }

    func makeResult(_ id: String, _ verdict: Verdict, level: String = "MUST", runs: [Verdict] = []) -> CaseResult {
        var item = CorpusCase(id: id, title: "title of \(id)", category: "host", level: level, rfc: "RFC 9112 §3.2", references: [],
                              why: "why \(id)\nmatters", steps: [.send(Array("GET / HTTP/1.1\r\n\r\n".utf8), bytewise: false)],
                              sendTexts: ["GET / HTTP/1.1\\r\\n\\r\\n"], canary: false, pass: [OutcomePattern("400 close")!], warn: [],
                              path: "corpus/host/\(id).yaml")
        item.quote = "A server MUST respond with a 400 (Bad Request)."
        item.risk = "one line of risk"
        var result = CaseResult(testCase: item, verdict: verdict, observed: ObservedOutcome(statuses: [200], ending: .open),
                                responses: [], received: Array("HTTP/1.1 200 OK\r\n".utf8), sent: Array("GET / HTTP/1.1\r\n\r\n".utf8),
                                durationMilliseconds: 1, notes: [])
        result.runs = (runs.isEmpty ? [verdict] : runs).map { .init(verdict: $0, observed: "200") }
        return result
    }

    func testVerdictsBecomeLevelsAndErrorsBecomeNotifications() throws {
        let run = CorpusRun(target: "t", started: Date(), results: [
            makeResult("A-PASS", .pass), makeResult("B-FAIL", .fail), makeResult("C-WARN", .warn, level: "SHOULD"),
            makeResult("D-FLAKY-FAIL", .flaky, runs: [.pass, .fail]), makeResult("E-FLAKY-WARN", .flaky, runs: [.pass, .warn]),
            makeResult("F-ERROR", .error), makeResult("G-SKIP", .skip),
        ], baseline: nil)
        let log = CorpusSARIF.log(run, version: "9", corpus: "built-in", workingDirectory: "/w")
        let sarifRun = try XCTUnwrap(log.runs.first)
        XCTAssertEqual(sarifRun.tool.driver.rules.map(\.id), ["A-PASS", "B-FAIL", "C-WARN", "D-FLAKY-FAIL", "E-FLAKY-WARN", "F-ERROR", "G-SKIP"],
                       "one rule per case that ran")
        XCTAssertEqual(sarifRun.results.map(\.ruleId), ["B-FAIL", "C-WARN", "D-FLAKY-FAIL", "E-FLAKY-WARN"])
        XCTAssertEqual(sarifRun.results.map(\.level), [.error, .warning, .error, .warning])
        XCTAssertEqual(sarifRun.results.map(\.ruleIndex), [1, 2, 3, 4])
        XCTAssertTrue(sarifRun.results.allSatisfy { $0.baselineState == nil }, "no baseline, no baseline state")
        XCTAssertEqual(sarifRun.invocations.first?.toolExecutionNotifications.map(\.level), [.error])
        XCTAssertEqual(sarifRun.invocations.first?.executionSuccessful, false)

        let rule = sarifRun.tool.driver.rules[1]
        XCTAssertEqual(rule.shortDescription.text, "title of B-FAIL")
        XCTAssertEqual(rule.helpUri, "https://www.rfc-editor.org/rfc/rfc9112#section-3.2")
        XCTAssertEqual(rule.defaultConfiguration.level, .error, "a MUST case")
        XCTAssertEqual(sarifRun.tool.driver.rules[2].defaultConfiguration.level, .warning, "a SHOULD case")
        let help = try XCTUnwrap(rule.help)
        XCTAssertTrue(help.text.contains("why B-FAIL matters") && help.text.contains("“A server MUST respond with a 400 (Bad Request).”")
                      && help.text.contains("Risk: one line of risk"), help.text)

        let failure = sarifRun.results[0]
        XCTAssertTrue(failure.message.text.hasPrefix("FAIL B-FAIL against t: expected 400 close, observed 200"), failure.message.text)
        XCTAssertTrue(failure.message.text.hasSuffix("Request: GET / HTTP/1.1\\r\\n\\r\\n"), failure.message.text)
        XCTAssertEqual(failure.locations, [SARIFLog.Location(SARIFLog.ArtifactLocation(uri: "corpus/host/B-FAIL.yaml", uriBaseId: "%SRCROOT%"))])
        XCTAssertEqual(failure.properties?.values["requestBase64"], .string(Data("GET / HTTP/1.1\r\n\r\n".utf8).base64EncodedString()))
        XCTAssertEqual(failure.properties?.values["observed"], .string("200"))
        XCTAssertEqual(sarifRun.results[2].properties?.values["observed"], .string("200 (PASS) / 200 (FAIL)"), "a FLAKY case lists every outcome")
    }

    func testABaselineMarksKnownFailuresUnchangedAndAccepted() throws {
        var run = CorpusRun(target: "t", started: Date(), results: [makeResult("B-FAIL", .fail), makeResult("C-FAIL", .fail)], baseline: nil)
        run.baseline = Baseline(knownFailures: ["B-FAIL"])
        let results = try XCTUnwrap(CorpusSARIF.log(run, version: "9", corpus: "built-in").runs.first?.results)
        XCTAssertEqual(results.map(\.baselineState), [.unchanged, .new])
        XCTAssertEqual(results[0].suppressions?.first?.status, "accepted")
        XCTAssertNil(results[1].suppressions)
        let json = try XCTUnwrap(String(data: CorpusSARIF.log(run, version: "9", corpus: "built-in").encoded(), encoding: .utf8))
        XCTAssertTrue(json.contains("\"$schema\" : \"https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json\""), json)
        XCTAssertTrue(json.contains("\"id\" : \"cathammer-corpus/t/\""), "one GitHub category per target")
    }
}
