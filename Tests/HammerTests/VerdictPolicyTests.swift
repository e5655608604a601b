import Foundation
import XCTest
@testable import Hammer

/// Issue 12, items 1 and 2: the level counts, and a safe refusal is never judged worse than a 2xx.
final class VerdictPolicyTests: XCTestCase {
    func makeCase(_ id: String = "X-CASE", category: String = "field-syntax", level: String = "MUST", pass: [String],
                  warn: [String] = [], statusMatters: Bool = false) -> CorpusCase {
        var item = CorpusCase(id: id, title: id, category: category, level: level, rfc: "RFC 9112 §2.2", references: [],
                              why: "test", steps: [.send(Array("x".utf8), bytewise: false)], sendTexts: ["x"], canary: false,
                              pass: pass.compactMap { OutcomePattern($0) }, warn: warn.compactMap { OutcomePattern($0) }, path: "x")
        item.statusMatters = statusMatters
        item.framing = CorpusCase.framingCategories.contains(category)
        return item
    }

    func verdict(_ item: CorpusCase, _ statuses: [Int], _ ending: ConnectionEnding) -> Verdict {
        VerdictPolicy.judge(item, observed: ObservedOutcome(statuses: statuses, ending: ending)).verdict
    }

    func testAMissOnlyFailsAMust() {
        for level in ["SHOULD", "MAY", "POLICY"] {
            XCTAssertEqual(verdict(makeCase(level: level, pass: ["400 close"]), [200], .open), .warn, level)
            XCTAssertEqual(verdict(makeCase(level: level, pass: ["200"]), [404], .open), .warn, level)
        }
        XCTAssertEqual(verdict(makeCase(level: "MUST", pass: ["200"]), [404], .open), .fail)
        XCTAssertEqual(verdict(makeCase(level: "MUST", pass: ["400 close"]), [200], .open), .fail)
        let judged = VerdictPolicy.judge(makeCase(level: "MUST", pass: ["400 close"]), observed: ObservedOutcome(statuses: [200], ending: .open))
        XCTAssertEqual(judged.reason?.hasPrefix("MUST broken"), true, judged.reason ?? "")
    }

    func testDesyncSignalsFailAtEveryLevel() {
        for level in ["MUST", "SHOULD", "MAY", "POLICY"] {
            // An extra response: a request answered from bytes a strict server frames as a body.
            XCTAssertEqual(verdict(makeCase(level: level, pass: ["400 close"], warn: ["200 close"]), [200, 200], .closed), .fail, level)
            // A request processed after Connection: close.
            XCTAssertEqual(verdict(makeCase(level: level, pass: ["200 close"]), [200, 200], .open), .fail, level)
            // No close after a framing error.
            XCTAssertEqual(verdict(makeCase(category: "content-length", level: level, pass: ["400 close"]), [400], .open), .fail, level)
            XCTAssertEqual(verdict(makeCase(category: "desync", level: level, pass: ["400 close"], warn: ["200 close"]), [200], .open), .fail, level)
            XCTAssertEqual(verdict(makeCase(category: "desync", level: level, pass: ["400 close"]), [], .open), .fail,
                           "\(level): a server still reading a body the strict parser does not frame")
        }
        let extra = VerdictPolicy.judge(makeCase(level: "MAY", pass: ["400 close"]), observed: ObservedOutcome(statuses: [200, 200], ending: .closed))
        XCTAssertEqual(extra.reason?.hasPrefix("desync:"), true)
    }

    func testASafeRefusalWarnsWithAnotherCode() {
        let strict = makeCase(level: "MUST", pass: ["400 close"])
        for statuses in [[501], [431], [505], [403], [500], []] {
            XCTAssertEqual(verdict(strict, statuses, .closed), .warn, "\(statuses)")
            XCTAssertEqual(verdict(strict, statuses, .reset), .warn, "\(statuses) then RST")
        }
        let judged = VerdictPolicy.judge(strict, observed: ObservedOutcome(statuses: [501], ending: .closed))
        XCTAssertEqual(judged.reason, "refused with another code (a safe refusal: the connection closed)")
        XCTAssertEqual(verdict(strict, [400], .open), .warn, "refused, left open, outside a framing case")
        XCTAssertEqual(verdict(makeCase(level: "MUST", pass: ["414"], statusMatters: true), [400], .closed), .fail,
                       "a case about the code itself judges another code by its level")
        // A refusal is never worse than a 2xx: where a 2xx passes, so does any refusal-and-close.
        XCTAssertEqual(verdict(makeCase(level: "SHOULD", pass: ["501", "200"]), [400], .closed), .pass)
    }

    func testClosingBeforeAnsweringEveryPipelinedRequestWarns() {
        let item = makeCase(category: "pipelining", level: "MUST", pass: ["200 200 200"])
        XCTAssertEqual(verdict(item, [200], .closed), .warn)
        XCTAssertEqual(verdict(item, [200, 200], .reset), .warn)
        XCTAssertEqual(verdict(item, [200, 404], .closed), .fail, "not a prefix")
    }

    /// The property of item 2 over the whole corpus: in every case whose strict answer is a refusal,
    /// no refusal-and-close outcome gets a worse verdict than any 2xx outcome.
    func testNoRefusalIsJudgedWorseThanASuccessAnywhereInTheCorpus() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let (corpus, problems) = Corpus.load(directory: root.appendingPathComponent("corpus").path)
        XCTAssertEqual(problems, [])
        XCTAssertGreaterThan(corpus.cases.count, 400)
        let refusals = [400, 403, 404, 405, 411, 413, 414, 417, 421, 422, 431, 500, 501, 502, 503, 505].flatMap { code in
            [ObservedOutcome(statuses: [code], ending: .closed), ObservedOutcome(statuses: [code], ending: .reset)]
        } + [ObservedOutcome(statuses: [], ending: .closed), ObservedOutcome(statuses: [], ending: .reset)]
        let successes = [200, 201, 204, 206].flatMap { code in
            [ObservedOutcome(statuses: [code], ending: .open), ObservedOutcome(statuses: [code], ending: .closed),
             ObservedOutcome(statuses: [code, code], ending: .open), ObservedOutcome(statuses: [code, 400], ending: .closed)]
        }
        var checked = 0
        for item in corpus.cases where item.pass.contains(where: \.isRefusal) {
            checked += 1
            let worstRefusal = refusals.map { VerdictPolicy.judge(item, observed: $0) }.max { $0.verdict.severity < $1.verdict.severity }!
            let bestSuccess = successes.map { VerdictPolicy.judge(item, observed: $0) }.min { $0.verdict.severity < $1.verdict.severity }!
            XCTAssertLessThanOrEqual(worstRefusal.verdict.severity, bestSuccess.verdict.severity,
                                     "\(item.id): a refusal is judged \(worstRefusal.verdict) (\(worstRefusal.reason ?? "")) where a 2xx gets \(bestSuccess.verdict)")
            if !item.statusMatters {
                XCTAssertNotEqual(worstRefusal.verdict, .fail, "\(item.id): a safe refusal failed")
            }
        }
        XCTAssertGreaterThan(checked, 250, "most of the corpus has a refusal as its strict answer")
    }

    func testHTTP2SettingsIsAnOutcome() throws {
        let settings: [UInt8] = [0, 0, 6, 4, 0, 0, 0, 0, 0, 0, 3, 0, 0, 0, 100]
        XCTAssertTrue(ObservedOutcome.startsWithHTTP2Settings(settings))
        XCTAssertFalse(ObservedOutcome.startsWithHTTP2Settings(Array("HTTP/1.1 400 Bad".utf8)))
        let observed = ObservedOutcome(statuses: [], ending: .closed, http2Settings: true)
        XCTAssertEqual(observed.description, "h2-settings close")
        XCTAssertTrue(try XCTUnwrap(OutcomePattern("h2-settings")).matches(observed))
        XCTAssertFalse(try XCTUnwrap(OutcomePattern("close")).matches(observed), "an h2 answer is not a bare close")
        XCTAssertFalse(observed.isRefusalAndClose)
        XCTAssertNil(OutcomePattern("200 h2-settings"))
    }

    func testRepeatedRunsCombineIntoFlaky() {
        let item = makeCase(pass: ["400 close"])
        func result(_ verdict: Verdict, _ statuses: [Int]) -> CaseResult {
            var result = CaseResult(testCase: item, verdict: verdict, observed: ObservedOutcome(statuses: statuses, ending: .closed),
                                    responses: [], received: [], sent: [], durationMilliseconds: 5, notes: [])
            result.runs = [.init(verdict: verdict, observed: result.observed!.description)]
            return result
        }
        let steady = CaseResult.combining([result(.pass, [400]), result(.pass, [400]), result(.pass, [400])])
        XCTAssertEqual(steady.verdict, .pass)
        XCTAssertEqual(steady.runs.count, 3)
        XCTAssertEqual(steady.durationMilliseconds, 15)
        let flaky = CaseResult.combining([result(.pass, [400]), result(.fail, [200]), result(.pass, [400])])
        XCTAssertEqual(flaky.verdict, .flaky)
        XCTAssertEqual(flaky.worstVerdict, .fail)
        XCTAssertTrue(flaky.isFailure)
        XCTAssertEqual(flaky.outcomesSeen, ["400 close (PASS)", "200 close (FAIL)"])
        let mild = CaseResult.combining([result(.pass, [400]), result(.warn, [501])])
        XCTAssertEqual(mild.verdict, .flaky)
        XCTAssertFalse(mild.isFailure, "between PASS and WARN a flaky case is a warning")
    }

    func testLintRefusesAMustWithoutAQuotedMust() {
        let text = """
            id: X-MUST
            title: t
            category: host
            level: MUST
            rfc: RFC 9112 §3.2
            why: w
            steps:
              - send: 'GET / HTTP/1.1\\r\\n\\r\\n'
            expect:
              pass: ["400 close"]
            """
        XCTAssertThrowsError(try CorpusCase.load(path: "corpus/host/X-MUST.yaml", text: text))
        XCTAssertThrowsError(try CorpusCase.load(path: "corpus/host/X-MUST.yaml",
                                                 text: text.replacingOccurrences(of: "why: w", with: "quote: 'A server SHOULD do it.'\nwhy: w")),
                             "the quote must contain the MUST")
        let quoted = text.replacingOccurrences(of: "why: w", with: "quote: 'A server MUST respond with a 400.'\nrisk: 'host confusion.'\nstatus_matters: true\nwhy: w")
        let item = try? CorpusCase.load(path: "corpus/host/X-MUST.yaml", text: quoted)
        XCTAssertEqual(item?.quote, "A server MUST respond with a 400.")
        XCTAssertEqual(item?.risk, "host confusion.")
        XCTAssertEqual(item?.statusMatters, true)
        XCTAssertEqual(item?.framing, false)
        XCTAssertNotNil(try? CorpusCase.load(path: "corpus/host/X-MUST.yaml", text: text.replacingOccurrences(of: "level: MUST", with: "level: SHOULD")),
                        "a SHOULD needs no quote")
    }
}
