/// A duration as people type it on the command line and in corpus files: `200ms`, `1.5s`, `2m`,
/// `1h`, or a bare number of seconds. Spaces are ignored (`200 ms`); negative, infinite and NaN
/// values are refused.
public struct DurationText: Equatable, Sendable {
    public enum Unit: String, CaseIterable, Sendable {
        // Longest suffix first: `ms` also ends in `s`.
        case milliseconds = "ms", seconds = "s", minutes = "m", hours = "h"

        var seconds: Double {
            switch self {
            case .milliseconds: return 0.001
            case .seconds: return 1
            case .minutes: return 60
            case .hours: return 3600
            }
        }

        var milliseconds: Double {
            switch self {
            case .milliseconds: return 1
            case .seconds: return 1000
            case .minutes: return 60_000
            case .hours: return 3_600_000
            }
        }
    }

    /// The number as written, in `unit`.
    public var value: Double
    /// Seconds when the text has no unit.
    public var unit: Unit

    public init(value: Double, unit: Unit) {
        self.value = value
        self.unit = unit
    }

    public init(_ text: String) throws(DurationTextError) {
        let compact = text.filter { $0 != " " }
        let unit = Unit.allCases.first { compact.hasSuffix($0.rawValue) }
        let number = unit.map { String(compact.dropLast($0.rawValue.count)) } ?? compact
        guard let value = Double(number) else { throw DurationTextError(text: text, problem: .notADuration) }
        guard value.isFinite else { throw DurationTextError(text: text, problem: .notFinite) }
        guard value >= 0 else { throw DurationTextError(text: text, problem: .negative) }
        self.init(value: value, unit: unit ?? .seconds)
    }

    // Each unit scales the number as written: converting seconds back to milliseconds would turn
    // `7ms` into 6.999… and a truncating caller into 6.
    public var seconds: Double { value * unit.seconds }
    public var milliseconds: Double { value * unit.milliseconds }

    public static func seconds(_ text: String) throws(DurationTextError) -> Double { try DurationText(text).seconds }

    /// `10ms-50ms` for a gap drawn from a range, or one duration for a fixed gap; whole milliseconds.
    public static func millisecondRange(_ text: String) throws(DurationTextError) -> ClosedRange<Int> {
        let parts = text.split(separator: "-", maxSplits: 1).map(String.init)
        guard let first = parts.first else { throw DurationTextError(text: text, problem: .notADuration) }
        let low = try seconds(first)
        let high = parts.count == 2 ? try seconds(parts[1]) : low
        guard high >= low else { throw DurationTextError(text: text, problem: .reversedRange) }
        return Int((low * 1000).rounded())...Int((high * 1000).rounded())
    }
}

/// Names the text that was refused, so the message can quote what the user typed.
public struct DurationTextError: Error, Equatable, Sendable, CustomStringConvertible {
    public enum Problem: Sendable, Equatable {
        case notADuration, notFinite, negative, reversedRange
    }

    public var text: String
    public var problem: Problem

    public init(text: String, problem: Problem) {
        self.text = text
        self.problem = problem
    }

    public var description: String {
        switch problem {
        case .notADuration: return "'\(text)' is not a duration (like 200ms, 1.5s, 2m, 1h, or a number of seconds)"
        case .notFinite: return "'\(text)' is not a finite duration"
        case .negative: return "'\(text)' is a negative duration"
        case .reversedRange: return "'\(text)' is a range whose end comes before its start"
        }
    }
}
