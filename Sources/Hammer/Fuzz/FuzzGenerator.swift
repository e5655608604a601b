/// A corpus case as the fuzzer starts from it.
public struct FuzzSeed: Sendable, Equatable {
    public var id: String
    public var input: FuzzInput

    public init(id: String, input: FuzzInput) {
        self.id = id
        self.input = input
    }

    /// The case's `send` steps, one write each; pauses and half-closes are left out (every fuzz
    /// case ends with a half-close).
    public init(_ testCase: CorpusCase) {
        id = testCase.id
        input = FuzzInput(segments: testCase.steps.compactMap {
            if case .send(let bytes, _) = $0 { return bytes }
            return nil
        })
    }
}

/// One generated stream and how it was made.
public struct GeneratedCase: Sendable, Equatable {
    public var index: Int
    public var seedID: String
    public var input: FuzzInput
    /// Mutator names in the order applied; empty for an unchanged seed.
    public var mutations: [String]

    /// The signature's view of the path: which mutators, each once, sorted.
    public var mutationPath: String {
        mutations.isEmpty ? "seed" : Array(Set(mutations)).sorted().joined(separator: "+")
    }
}

/// Case `index` of a run depends only on the seeds, the run's seed and the index: the same
/// `--seed` gives the same cases in the same order, whatever the number of jobs.
public struct FuzzGenerator: Sendable {
    public let seeds: [FuzzSeed]
    public let runSeed: UInt64
    let context: MutationContext

    public init(seeds: [FuzzSeed], runSeed: UInt64) {
        precondition(!seeds.isEmpty, "the fuzzer needs at least one seed")
        self.seeds = seeds
        self.runSeed = runSeed
        context = MutationContext(seeds: seeds.map(\.input))
    }

    /// The first `seeds.count` cases are the seeds unchanged; then each case is a seed with one to
    /// four mutations stacked.
    public func generate(_ index: Int) -> GeneratedCase {
        if index < seeds.count {
            return GeneratedCase(index: index, seedID: seeds[index].id, input: seeds[index].input, mutations: [])
        }
        var random = SeededRandom.forCase(seed: runSeed, index: index)
        let seed = random.pick(seeds)
        var input = seed.input
        var mutations: [String] = []
        let wanted = [1, 1, 1, 1, 2, 2, 2, 3, 3, 4][random.below(10)]
        var attempts = 0
        while mutations.count < wanted && attempts < 20 {
            attempts += 1
            let mutator = Mutators.draw(&random)
            if mutator.apply(to: &input, random: &random, context: context) { mutations.append(mutator.name) }
        }
        return GeneratedCase(index: index, seedID: seed.id, input: input, mutations: mutations)
    }
}

extension FuzzSeed {
    /// Requests for `/` sent to `path` instead, so an echo-capable target tells what it framed.
    public func retargeted(to path: String) -> FuzzSeed {
        var copy = self
        let from = Array(" / HTTP/1.".utf8)
        let to = Array(" \(path) HTTP/1.".utf8)
        var offset = 0
        while let range = copy.input.bytes[offset...].firstRange(of: from) {
            copy.input.replace(range, with: to)
            offset = range.lowerBound + to.count
        }
        return copy
    }

    /// `/echo` when the target answers it with the reference server's JSON view, else nil.
    public static func echoPath(_ endpoint: Endpoint) -> String? {
        guard let response = try? HTTPGet.fetch(endpoint, path: "/echo", timeout: 3),
              response.status == 200, let echo = EchoedFraming(responseBody: response.body), echo.bodySHA256 != nil
        else { return nil }
        return "/echo"
    }
}
