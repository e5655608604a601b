import CathammerContract
import Foundation
@preconcurrency import Glibc

/// Where a run's progress goes and how it may look, decided once from the environment (and
/// injected whole in tests): a terminal gets one live line and color, anything else plain lines.
public struct TerminalOutput: Sendable {
    public enum Color: String, Sendable {
        case red = "31", green = "32", yellow = "33", magenta = "35"
    }

    /// Standard output is a terminal: a live line redrawn with \r, and per-item lines only when notable.
    public var isTerminal: Bool
    /// ANSI colors: only on a terminal, never with NO_COLOR set (https://no-color.org), never on TERM=dumb.
    public var color: Bool
    /// --quiet: no progress at all, only what the command prints at the end.
    public var quiet: Bool
    public var write: @Sendable (String) -> Void
    /// Seconds on a monotonic clock.
    public var clock: @Sendable () -> Double

    public init(isTerminal: Bool, color: Bool, quiet: Bool, write: @escaping @Sendable (String) -> Void,
                clock: @escaping @Sendable () -> Double = { Double(MonotonicClock.now()) / 1e9 }) {
        self.isTerminal = isTerminal
        self.color = color
        self.quiet = quiet
        self.write = write
        self.clock = clock
    }

    /// Standard output, as the process finds it.
    public static func standard(quiet: Bool, environment: [String: String] = ProcessInfo.processInfo.environment) -> TerminalOutput {
        let terminal = isatty(STDOUT_FILENO) != 0
        return TerminalOutput(isTerminal: terminal, color: usesColor(isTerminal: terminal, environment: environment), quiet: quiet) { text in
            FileHandle.standardOutput.write(Data(text.utf8))
        }
    }

    public static func usesColor(isTerminal: Bool, environment: [String: String]) -> Bool {
        isTerminal && (environment["NO_COLOR"] ?? "").isEmpty && environment["TERM"] != "dumb"
    }

    /// `text` in `color` when colors are on, else as it is.
    public func paint(_ text: String, _ color: Color) -> String {
        self.color ? "\u{1B}[\(color.rawValue)m\(text)\u{1B}[0m" : text
    }
}

extension TerminalOutput {
    /// A verdict in its color: FAIL and ERROR red, WARN yellow, FLAKY magenta, PASS green.
    public func paint(_ verdict: Verdict) -> String {
        switch verdict {
        case .fail, .error: return paint(verdict.rawValue, .red)
        case .warn: return paint(verdict.rawValue, .yellow)
        case .flaky: return paint(verdict.rawValue, .magenta)
        case .pass: return paint(verdict.rawValue, .green)
        case .skip: return verdict.rawValue
        }
    }
}

extension Verdict {
    /// A case with this verdict gets its own line on a terminal; the others only count in the live line.
    public var isNotable: Bool { [.fail, .warn, .flaky, .error].contains(self) }
}
