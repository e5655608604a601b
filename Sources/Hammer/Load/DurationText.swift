/// Durations as typed on the command line: `200ms`, `1.5s`, `2m`, or a bare number of seconds.
public enum DurationText {
    public static func seconds(_ text: String) -> Double? {
        let trimmed = text.filter { $0 != " " }
        let units: [(String, Double)] = [("ms", 0.001), ("s", 1), ("m", 60)]
        for (suffix, factor) in units where trimmed.hasSuffix(suffix) {
            guard let value = Double(trimmed.dropLast(suffix.count)), value.isFinite, value >= 0 else { return nil }
            return value * factor
        }
        guard let value = Double(trimmed), value.isFinite, value >= 0 else { return nil }
        return value
    }

    /// `10ms-50ms`, or one duration for a fixed gap; whole milliseconds.
    public static func millisecondRange(_ text: String) -> ClosedRange<Int>? {
        let parts = text.split(separator: "-", maxSplits: 1).map(String.init)
        guard let low = parts.first.flatMap(seconds) else { return nil }
        let high = parts.count == 2 ? seconds(parts[1]) : low
        guard let high, high >= low else { return nil }
        return Int((low * 1000).rounded())...Int((high * 1000).rounded())
    }
}
