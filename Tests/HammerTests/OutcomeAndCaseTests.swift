import XCTest
@testable import Hammer

final class OutcomePatternTests: XCTestCase {
    func testNotationAndMatching() throws {
        let rejected = ObservedOutcome(statuses: [400], ending: .closed)
        let reset = ObservedOutcome(statuses: [400], ending: .reset)
        let open = ObservedOutcome(statuses: [400], ending: .open)
        let two = ObservedOutcome(statuses: [200, 200], ending: .open)
        XCTAssertEqual(rejected.description, "400 close")
        XCTAssertEqual(open.description, "400")
        XCTAssertEqual(ObservedOutcome(statuses: [], ending: .closed).description, "close")
        XCTAssertEqual(ObservedOutcome(statuses: [], ending: .open).description, "timeout")

        let strict = try XCTUnwrap(OutcomePattern("400 close"))
        XCTAssertTrue(strict.matches(rejected))
        XCTAssertTrue(strict.matches(reset), "a 400 followed by RST is a rejection")
        XCTAssertFalse(strict.matches(open))
        XCTAssertTrue(try XCTUnwrap(OutcomePattern("400")).matches(open), "the ending is not checked without 'close'")
        XCTAssertTrue(try XCTUnwrap(OutcomePattern("4xx close")).matches(rejected))
        XCTAssertFalse(try XCTUnwrap(OutcomePattern("5xx close")).matches(rejected))
        XCTAssertTrue(try XCTUnwrap(OutcomePattern("200 200")).matches(two))
        XCTAssertFalse(try XCTUnwrap(OutcomePattern("200")).matches(two), "one response too many is the desync signal")
        XCTAssertTrue(try XCTUnwrap(OutcomePattern("timeout")).matches(ObservedOutcome(statuses: [], ending: .open)))
        for bad in ["", "ok", "close 400", "99", "600", "6xx", "timeout close", "200 timeout"] {
            XCTAssertNil(OutcomePattern(bad), bad)
        }
    }
}

final class CorpusCaseTests: XCTestCase {
    let valid = """
        id: CL-PLUS
        title: Content-Length with a sign
        category: content-length
        level: MUST
        rfc: RFC 9110 §8.6
        quote: 'the recipient MUST treat it as an unrecoverable error'
        references: [CVE-2023-40167]
        why: A sign is not a digit.
        steps:
          - send: 'POST / HTTP/1.1\\r\\nHost: {host}\\r\\nContent-Length: +5\\r\\n\\r\\nhello\\xff'
          - pause: 150ms
          - send_bytewise: 'x'
          - half_close: true
        canary: true
        expect:
          pass: ["400 close"]
          warn: ["4xx"]
        """

    func testAValidCaseLoads() throws {
        let item = try CorpusCase.load(path: "corpus/content-length/CL-PLUS.yaml", text: valid)
        XCTAssertEqual(item.id, "CL-PLUS")
        XCTAssertEqual(item.steps.count, 4)
        XCTAssertEqual(item.steps[1], .pause(milliseconds: 150))
        XCTAssertEqual(item.steps[3], .halfClose)
        XCTAssertTrue(item.canary)
        XCTAssertEqual(item.bytes(host: "127.0.0.1:80").first?.last, 0xFF, "\\xff is one byte")
        XCTAssertEqual(String(decoding: item.bytes(host: "h:1")[0].prefix(29), as: UTF8.self), "POST / HTTP/1.1\r\nHost: h:1\r\nC")
        XCTAssertEqual(item.needs, [])
        let routed = try CorpusCase.load(path: "corpus/content-length/CL-PLUS.yaml",
                                         text: valid.replacingOccurrences(of: "canary: true", with: "canary: true\nneeds: [catserve-routes]"))
        XCTAssertEqual(routed.needs, [.catserveRoutes])
    }

    func testEveryRuleIsChecked() {
        func problem(_ text: String, path: String = "corpus/content-length/CL-PLUS.yaml") -> String? {
            do {
                _ = try CorpusCase.load(path: path, text: text)
                return nil
            } catch {
                return error.message
            }
        }
        XCTAssertNotNil(problem(valid, path: "corpus/other/CL-PLUS.yaml"), "category must match the folder")
        XCTAssertNotNil(problem(valid, path: "corpus/content-length/OTHER.yaml"), "file name must be the id")
        XCTAssertNotNil(problem(valid.replacingOccurrences(of: "level: MUST", with: "level: MUSTN'T")))
        XCTAssertNotNil(problem(valid.replacingOccurrences(of: "RFC 9110 §8.6", with: "section 8.6")))
        XCTAssertNotNil(problem(valid.replacingOccurrences(of: "id: CL-PLUS", with: "id: cl plus")))
        XCTAssertNotNil(problem(valid.replacingOccurrences(of: "\"400 close\"", with: "\"rejected\"")))
        XCTAssertNotNil(problem(valid.replacingOccurrences(of: "'x'", with: "\"x\"")), "double quotes are refused")
        XCTAssertNotNil(problem(valid.replacingOccurrences(of: "\\xff", with: "\\xzz")), "bad escapes are refused")
        XCTAssertNotNil(problem(valid.replacingOccurrences(of: "pause: 150ms", with: "pause: 10s")), "pauses are bounded")
        XCTAssertNotNil(problem(valid + "\nextra: 1\n"), "unknown keys are refused")
        XCTAssertNotNil(problem(valid.replacingOccurrences(of: "why: A sign is not a digit.", with: "why: ''")))
        XCTAssertNotNil(problem("just: [text"))
        XCTAssertEqual(problem(valid.replacingOccurrences(of: "canary: true", with: "canary: true\nneeds: [php]")),
                       "needs: 'php' is not one of catserve-routes")
        XCTAssertEqual(problem(valid.replacingOccurrences(of: "canary: true", with: "canary: true\nneeds: catserve-routes")),
                       "'needs' must be a list")
    }
}

final class BaselineTests: XCTestCase {
    func testBaselineFileRoundTrip() {
        let baseline = Baseline(text: "# known\nCL-PLUS\n\n  TE-01  # flaky on nginx\n")
        XCTAssertEqual(baseline.knownFailures, ["CL-PLUS", "TE-01"])
        XCTAssertEqual(Baseline(text: baseline.text(target: "x")), baseline)
    }
}

final class FragmentTests: XCTestCase {
    func testPiecesCoverTheBytesAndRandomCutsAreReproducible() {
        let bytes = Array("GET / HTTP/1.1\r\nHost: a\r\n\r\n".utf8)
        var runner = CaseRunner(endpoint: .loopback(1))
        XCTAssertEqual(runner.pieces(bytes, bytewise: false, caseID: "X"), [0..<bytes.count])
        XCTAssertEqual(runner.pieces(bytes, bytewise: true, caseID: "X").count, bytes.count)
        runner.fragment = .random
        runner.seed = 42
        let cuts = runner.pieces(bytes, bytewise: false, caseID: "X")
        XCTAssertEqual(cuts, runner.pieces(bytes, bytewise: false, caseID: "X"), "same seed, same cuts")
        XCTAssertEqual(cuts.first?.lowerBound, 0)
        XCTAssertEqual(cuts.last?.upperBound, bytes.count)
        XCTAssertTrue(zip(cuts, cuts.dropFirst()).allSatisfy { $0.upperBound == $1.lowerBound }, "contiguous")
        XCTAssertGreaterThan(cuts.count, 1)
        runner.seed = 43
        XCTAssertNotEqual(runner.pieces(bytes, bytewise: false, caseID: "X"), cuts, "another seed cuts elsewhere")
    }
}
