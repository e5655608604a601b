import Histogram

/// Latency percentiles of a set of requests, from an HdrHistogram (microseconds, 3 significant digits).
public struct LatencySummary: Codable, Sendable, Equatable {
    public var count: Int
    public var p50Microseconds: UInt64
    public var p90Microseconds: UInt64
    public var p99Microseconds: UInt64
    public var p999Microseconds: UInt64
    public var maxMicroseconds: UInt64
    public var meanMicroseconds: Double

    public init(latenciesNanoseconds: some Sequence<UInt64>) {
        var histogram = Histogram<UInt64>(highestTrackableValue: 3_600_000_000, numberOfSignificantValueDigits: .three)
        for value in latenciesNanoseconds { _ = histogram.record(max(1, value / 1000)) }
        count = Int(histogram.totalCount)
        let empty = histogram.totalCount == 0
        p50Microseconds = empty ? 0 : histogram.valueAtPercentile(50)
        p90Microseconds = empty ? 0 : histogram.valueAtPercentile(90)
        p99Microseconds = empty ? 0 : histogram.valueAtPercentile(99)
        p999Microseconds = empty ? 0 : histogram.valueAtPercentile(99.9)
        maxMicroseconds = empty ? 0 : histogram.max
        meanMicroseconds = empty ? 0 : histogram.mean
    }

    /// "p50 0.4 / p99 3.1 / max 8.4 ms"
    public var text: String {
        func ms(_ us: UInt64) -> String { String(format: "%.1f", Double(us) / 1000) }
        return count == 0 ? "–" : "p50 \(ms(p50Microseconds)) / p99 \(ms(p99Microseconds)) / max \(ms(maxMicroseconds)) ms"
    }
}
