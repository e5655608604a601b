import SeededGenerator

/// SplitMix64 with the fuzzer's helpers: the same seed gives the same sequence on every platform and
/// Swift version (the standard library's `random(in:using:)` does not promise that), so `--seed`
/// reproduces a run.
public struct SeededRandom: RandomNumberGenerator, Sendable {
    private var generator: SplitMix64

    public init(seed: UInt64) { generator = SplitMix64(seed: seed) }

    /// The generator for case `index` of a run: cases can be generated in any order or in parallel.
    public static func forCase(seed: UInt64, index: Int) -> SeededRandom {
        var mixer = SeededRandom(seed: seed)
        let base = mixer.next()
        return SeededRandom(seed: base ^ (UInt64(truncatingIfNeeded: index) &* 0xD1B5_4A32_D192_ED03))
    }

    public mutating func next() -> UInt64 { generator.next() }

    /// A number in 0..<bound (bound > 0).
    public mutating func below(_ bound: Int) -> Int {
        precondition(bound > 0)
        return Int(next() % UInt64(bound))
    }

    public mutating func chance(percent: Int) -> Bool { below(100) < percent }

    public mutating func pick<T>(_ items: [T]) -> T { items[below(items.count)] }
}
