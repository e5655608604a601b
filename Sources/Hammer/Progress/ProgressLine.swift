import Synchronization

/// The progress of a long run (run corpus, fuzz, reload-check, herd-check). On a terminal: one live
/// status line (done/total, failures so far, rate, time left), redrawn with \r at most ten times a
/// second, with only the notable per-item lines (FAIL, WARN, FLAKY, a finding, a reload that did not
/// settle) printed above it. Off a terminal: the plain per-item lines, as a log wants them. With
/// --quiet: nothing.
public final class ProgressLine: Sendable {
    public struct Style: Sendable {
        /// What is counted: `cases`, `reloads`, `cells`.
        public var noun: String
        /// What a failure is called in the status: `failed`, `findings`, `lost`.
        public var failures = "failed"
        /// What the rate counts, per second: `cases`, `requests`, `execs`.
        public var rateNoun: String
        /// Off a terminal, prefix each item line with [done/total] (run corpus's log format).
        public var numbered = false
        /// Off a terminal, also a status line this often (fuzz, whose items are not lines).
        public var plainStatusEvery: Double?

        public init(noun: String, failures: String = "failed", rateNoun: String? = nil, numbered: Bool = false,
                    plainStatusEvery: Double? = nil) {
            self.noun = noun
            self.failures = failures
            self.rateNoun = rateNoun ?? noun
            self.numbered = numbered
            self.plainStatusEvery = plainStatusEvery
        }
    }

    struct State {
        var total: Int?
        var done = 0
        var failures = 0
        var rateCount = 0
        var detail = ""
        var lastDraw = -Double.infinity
        var lastPlainStatus: Double
        var showing = false
    }

    /// The shortest time between two redraws of the live line.
    static let redrawInterval = 0.1

    private let output: TerminalOutput
    private let style: Style
    private let started: Double
    /// The run's time bound in seconds (fuzz --duration, reload-check --duration), if it has one.
    private let deadline: Double?
    private let state: Mutex<State>

    public init(total: Int?, deadline: Double? = nil, style: Style, output: TerminalOutput) {
        self.output = output
        self.style = style
        self.deadline = deadline
        started = output.clock()
        state = Mutex(State(total: total, lastPlainStatus: started))
    }

    /// One item finished: `line` tells what it was (printed off a terminal, and on one when
    /// `notable`); `failure` counts it among the failures.
    public func item(_ line: String, notable: Bool, failure: Bool) {
        state.withLock { state in
            state.done += 1
            state.rateCount += 1
            if failure { state.failures += 1 }
            let text = style.numbered ? "[\(state.done)/\(state.total.map(String.init) ?? "?")] \(line)" : line
            show(text, notable: notable, in: &state)
        }
    }

    /// A line that is not an item (a reload's result, a new finding): printed off a terminal, and
    /// on one when `notable`.
    public func line(_ text: String, notable: Bool) {
        state.withLock { show(text, notable: notable, in: &$0) }
    }

    /// Progress counted by the run itself: items done, failures so far, what the rate counts (when
    /// not the items), and a detail for the end of the line.
    public func update(done: Int, failures: Int, rateCount: Int? = nil, detail: String = "") {
        state.withLock { state in
            state.done = done
            state.failures = failures
            state.rateCount = rateCount ?? done
            state.detail = detail
            let now = output.clock()
            if !output.quiet && !output.isTerminal, let every = style.plainStatusEvery, now - state.lastPlainStatus >= every {
                state.lastPlainStatus = now
                output.write(status(state, now: now) + "\n")
            }
            redraw(&state, force: false)
        }
    }

    /// The number of items turned out different (e.g. a mode that cannot be measured here).
    public func expect(total: Int) {
        state.withLock { $0.total = total }
    }

    /// Clears the live line, so what the command prints next starts on a clean line.
    public func finish() {
        state.withLock { state in
            if state.showing { output.write("\r\u{1B}[K") }
            state.showing = false
        }
    }

    private func show(_ text: String, notable: Bool, in state: inout State) {
        guard !output.quiet else { return }
        guard output.isTerminal else {
            output.write(text + "\n")
            return
        }
        if notable {
            output.write("\r\u{1B}[K" + text + "\n")
            state.showing = false
        }
        redraw(&state, force: notable)
    }

    private func redraw(_ state: inout State, force: Bool) {
        guard output.isTerminal && !output.quiet else { return }
        let now = output.clock()
        guard force || now - state.lastDraw >= Self.redrawInterval else { return }
        state.lastDraw = now
        state.showing = true
        output.write("\r\u{1B}[K" + status(state, now: now))
    }

    /// `[120/446 cases] 3 failed · 45.0 cases/s · 7 s left · detail`
    func status(_ state: State, now: Double) -> String {
        let elapsed = max(0, now - started)
        var parts = [state.total.map { "[\(state.done)/\($0) \(style.noun)]" } ?? "[\(state.done) \(style.noun)]"]
        let failures = "\(state.failures) \(style.failures)"
        parts.append(state.failures > 0 ? output.paint(failures, .red) : failures)
        if elapsed > 0 { parts.append(String(format: "%.1f %@/s", Double(state.rateCount) / elapsed, style.rateNoun)) }
        if let left = Self.timeLeft(done: state.done, total: state.total, elapsed: elapsed, deadline: deadline) {
            parts.append(Self.duration(left) + " left")
        }
        if !state.detail.isEmpty { parts.append(state.detail) }
        return parts.joined(separator: " · ")
    }

    /// The sooner of: the items left at the rate so far, and the time bound.
    static func timeLeft(done: Int, total: Int?, elapsed: Double, deadline: Double?) -> Double? {
        var estimates: [Double] = []
        if let total, done > 0, elapsed > 0 { estimates.append(Double(max(0, total - done)) * elapsed / Double(done)) }
        if let deadline { estimates.append(max(0, deadline - elapsed)) }
        return estimates.min()
    }

    static func duration(_ seconds: Double) -> String {
        let whole = Int(seconds.rounded(.up))
        if whole < 60 { return "\(whole) s" }
        return "\(whole / 60) min \(whole % 60) s"
    }
}
