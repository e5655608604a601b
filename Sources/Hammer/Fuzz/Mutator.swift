/// One named way to change a stream. `apply` returns false when the input has nothing it can work
/// on (no chunked body, a single request...), and then leaves the input as it was.
public struct Mutator: Sendable {
    public let name: String
    /// How often it is drawn relative to the others.
    public let weight: Int
    let apply: @Sendable (inout FuzzInput, inout SeededRandom, MutationContext) -> Bool

    init(_ name: String, weight: Int = 1,
         _ apply: @escaping @Sendable (inout FuzzInput, inout SeededRandom, MutationContext) -> Bool) {
        self.name = name
        self.weight = weight
        self.apply = apply
    }

    public func apply(to input: inout FuzzInput, random: inout SeededRandom, context: MutationContext) -> Bool {
        let before = input
        let applied = apply(&input, &random, context)
        if !applied || input.bytes.isEmpty { input = before }
        return applied && !input.bytes.isEmpty && input != before
    }
}

/// What mutators may draw on besides the input: the other seeds (to concatenate).
public struct MutationContext: Sendable {
    public var seeds: [FuzzInput]

    public init(seeds: [FuzzInput]) { self.seeds = seeds }
}

/// Every mutator, in a fixed order (the order is part of what a seed reproduces).
public enum Mutators {
    public static let all: [Mutator] = ByteMutators.all + HeaderMutators.all + ChunkMutators.all + StreamMutators.all

    public static func named(_ name: String) -> Mutator? { all.first { $0.name == name } }

    /// A mutator drawn by weight.
    static func draw(_ random: inout SeededRandom) -> Mutator {
        let total = all.reduce(0) { $0 + $1.weight }
        var point = random.below(total)
        for mutator in all {
            if point < mutator.weight { return mutator }
            point -= mutator.weight
        }
        return all[all.count - 1]
    }
}
