import Foundation
@testable import Hammer
import Synchronization
import XCTest

/// The progress line without a terminal: the "is a terminal" decision, the colors and the clock
/// are injected, and what it writes is collected.
final class ProgressLineTests: XCTestCase {
    final class Screen: Sendable {
        let written = Mutex<[String]>([])
        let now = Mutex<Double>(100)
        var text: String { written.withLock { $0.joined() } }
        var writes: Int { written.withLock { $0.count } }

        func output(terminal: Bool, color: Bool = false, quiet: Bool = false) -> TerminalOutput {
            TerminalOutput(isTerminal: terminal, color: color, quiet: quiet, write: { text in self.written.withLock { $0.append(text) } },
                           clock: { self.now.withLock { $0 } })
        }

        func advance(_ seconds: Double) { now.withLock { $0 += seconds } }
    }

    let corpusStyle = ProgressLine.Style(noun: "cases", numbered: true)

    func testOffATerminalEveryItemIsAPlainLine() {
        let screen = Screen()
        let progress = ProgressLine(total: 3, style: corpusStyle, output: screen.output(terminal: false))
        progress.item("PASS A (400 close)", notable: false, failure: false)
        progress.item("FAIL B (200)", notable: true, failure: true)
        progress.finish()
        XCTAssertEqual(screen.text, "[1/3] PASS A (400 close)\n[2/3] FAIL B (200)\n")
    }

    func testQuietWritesNothing() {
        for terminal in [false, true] {
            let screen = Screen()
            let progress = ProgressLine(total: 2, style: corpusStyle, output: screen.output(terminal: terminal, quiet: true))
            progress.item("FAIL B (200)", notable: true, failure: true)
            progress.update(done: 2, failures: 1)
            progress.finish()
            XCTAssertEqual(screen.text, "", "terminal: \(terminal)")
        }
    }

    func testOnATerminalOneLiveLineAndOnlyNotableItems() {
        let screen = Screen()
        let progress = ProgressLine(total: 10, style: corpusStyle, output: screen.output(terminal: true))
        progress.item("PASS A", notable: false, failure: false)
        XCTAssertEqual(screen.text, "\r\u{1B}[K[1/10 cases] · 0 failed", "the first item draws at once (no time has passed: no rate yet)")
        screen.advance(0.05)
        progress.item("PASS B", notable: false, failure: false)
        XCTAssertEqual(screen.writes, 1, "not redrawn within 0.1 s")
        screen.advance(0.95)
        progress.item("FAIL C (200)", notable: true, failure: true)
        let text = screen.text
        XCTAssertFalse(text.contains("PASS"), "passing items are not lines on a terminal: \(text)")
        XCTAssertTrue(text.contains("\r\u{1B}[K[3/10] FAIL C (200)\n"), text)
        XCTAssertTrue(text.hasSuffix("\r\u{1B}[K[3/10 cases] · 1 failed · 3.0 cases/s · 3 s left"), text)
        progress.finish()
        XCTAssertTrue(screen.text.hasSuffix("\r\u{1B}[K"), "finish clears the live line")
    }

    func testRedrawsAreAtMostTenASecond() {
        let screen = Screen()
        let progress = ProgressLine(total: 1000, style: corpusStyle, output: screen.output(terminal: true))
        for _ in 0..<1000 {
            progress.item("PASS", notable: false, failure: false)
            screen.advance(0.001)
        }
        XCTAssertEqual(screen.writes, 10, "one second of items: ten draws")
    }

    func testTimeLeftIsTheSoonerOfTheRateAndTheBound() {
        XCTAssertEqual(ProgressLine.timeLeft(done: 2, total: 10, elapsed: 1, deadline: nil), 4)
        XCTAssertEqual(ProgressLine.timeLeft(done: 2, total: 10, elapsed: 1, deadline: 3), 2)
        XCTAssertEqual(ProgressLine.timeLeft(done: 0, total: 10, elapsed: 1, deadline: nil), nil, "no rate yet")
        XCTAssertEqual(ProgressLine.timeLeft(done: 5, total: nil, elapsed: 70, deadline: 60), 0)
        XCTAssertEqual(ProgressLine.duration(4.2), "5 s")
        XCTAssertEqual(ProgressLine.duration(125), "2 min 5 s")
    }

    func testCountedProgressWithADetailAndPlainStatusLines() {
        let style = ProgressLine.Style(noun: "cases", failures: "findings", rateNoun: "execs", plainStatusEvery: 10)
        let live = Screen()
        let fuzz = ProgressLine(total: nil, deadline: 60, style: style, output: live.output(terminal: true))
        live.advance(2)
        fuzz.update(done: 100, failures: 0, rateCount: 300, detail: "findings: none")
        XCTAssertEqual(live.text, "\r\u{1B}[K[100 cases] · 0 findings · 150.0 execs/s · 58 s left · findings: none")
        fuzz.line("new desync X: y", notable: true)
        XCTAssertTrue(live.text.contains("\r\u{1B}[Knew desync X: y\n"), live.text)

        let log = Screen()
        let plain = ProgressLine(total: nil, deadline: 60, style: style, output: log.output(terminal: false))
        log.advance(5)
        plain.update(done: 10, failures: 0)
        XCTAssertEqual(log.text, "", "off a terminal, a status line only every 10 s")
        log.advance(5)
        plain.update(done: 20, failures: 1)
        plain.line("reload 1: NOT settled", notable: true)
        plain.line("reload 2: settled", notable: false)
        XCTAssertEqual(log.text, "[20 cases] · 1 findings · 2.0 execs/s · 50 s left\nreload 1: NOT settled\nreload 2: settled\n")
    }

    func testColorsOnlyOnATerminalAndNeverWithNoColor() {
        let screen = Screen()
        let colored = screen.output(terminal: true, color: true)
        XCTAssertEqual(colored.paint("FAIL", .red), "\u{1B}[31mFAIL\u{1B}[0m")
        XCTAssertEqual(screen.output(terminal: true, color: false).paint("FAIL", .red), "FAIL")
        let progress = ProgressLine(total: 2, style: corpusStyle, output: colored)
        progress.item("x", notable: false, failure: true)
        XCTAssertTrue(screen.text.contains("\u{1B}[31m1 failed\u{1B}[0m"), screen.text)

        XCTAssertTrue(TerminalOutput.usesColor(isTerminal: true, environment: [:]))
        XCTAssertTrue(TerminalOutput.usesColor(isTerminal: true, environment: ["NO_COLOR": ""]), "an empty NO_COLOR does not count")
        XCTAssertFalse(TerminalOutput.usesColor(isTerminal: true, environment: ["NO_COLOR": "1"]))
        XCTAssertFalse(TerminalOutput.usesColor(isTerminal: true, environment: ["TERM": "dumb"]))
        XCTAssertFalse(TerminalOutput.usesColor(isTerminal: false, environment: [:]), "no color off a terminal")
    }
}
