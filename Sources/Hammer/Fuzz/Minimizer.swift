import HTTPWire

/// Delta debugging (Zeller's ddmin, complement removal) over a stream: first whole structural units
/// (lines of HTTP/1.1; frames of HTTP/2), then single bytes, then the cuts between writes, keeping
/// only changes after which `stillFails` holds. `stillFails` is called at most `budget` times.
public struct Minimizer {
    public var budget: Int
    public private(set) var tests = 0
    private let stillFails: (FuzzInput) -> Bool
    /// The coarse units tried first: HTTP/1.1 lines by default.
    private let units: ([UInt8]) -> [Range<Int>]

    public init(budget: Int, units: @escaping ([UInt8]) -> [Range<Int>] = Minimizer.lineUnits,
                stillFails: @escaping (FuzzInput) -> Bool) {
        self.budget = budget
        self.units = units
        self.stillFails = stillFails
    }

    public mutating func minimize(_ input: FuzzInput) -> FuzzInput {
        var current = input
        current = reduce(current, units: units(current.bytes))
        current = reduce(current, units: current.bytes.indices.map { $0..<($0 + 1) })
        // Fewer writes: drop each cut that is not needed.
        var index = 0
        while index < current.cuts.count && tests < budget {
            var candidate = current
            var cuts = candidate.cuts
            cuts.remove(at: index)
            candidate.setCuts(cuts)
            if test(candidate) { current = candidate } else { index += 1 }
        }
        return current
    }

    private mutating func test(_ candidate: FuzzInput) -> Bool {
        guard tests < budget else { return false }
        tests += 1
        return stillFails(candidate)
    }

    /// ddmin over units (disjoint ranges covering the bytes in order).
    private mutating func reduce(_ input: FuzzInput, units: [Range<Int>]) -> FuzzInput {
        var current = input
        var units = units
        var granularity = 2
        while units.count >= 2 && tests < budget {
            let chunk = (units.count + granularity - 1) / granularity
            var reduced = false
            var start = 0
            while start < units.count && tests < budget {
                let removed = start..<min(start + chunk, units.count)
                let candidate = Self.removing(units[removed], from: current)
                if !candidate.bytes.isEmpty && test(candidate) {
                    // Offsets of later units move left by what was removed.
                    let gone = units[removed].reduce(0) { $0 + $1.count }
                    let after = units[removed.upperBound...].map { ($0.lowerBound - gone)..<($0.upperBound - gone) }
                    units = Array(units[..<removed.lowerBound]) + after
                    current = candidate
                    granularity = max(granularity - 1, 2)
                    reduced = true
                    break
                }
                start += chunk
            }
            if !reduced {
                if granularity >= units.count { break }
                granularity = min(units.count, granularity * 2)
            }
        }
        return current
    }

    static func removing(_ ranges: ArraySlice<Range<Int>>, from input: FuzzInput) -> FuzzInput {
        var result = input
        for range in ranges.reversed() { result.replace(range, with: []) }
        return result
    }

    /// One unit per line, LF included.
    public static func lineUnits(_ bytes: [UInt8]) -> [Range<Int>] {
        var units: [Range<Int>] = []
        var start = 0
        for (index, byte) in bytes.enumerated() where byte == ASCII.lf {
            units.append(start..<(index + 1))
            start = index + 1
        }
        if start < bytes.count { units.append(start..<bytes.count) }
        return units
    }
}
