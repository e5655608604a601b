import Foundation
import HTTP2Wire
import Synchronization

extension FuzzSeed {
    /// An HTTP/2 case as a fuzz seed: its writes after the standard opening, encoded for a server that
    /// announced `peer` (the case's own client SETTINGS first); pauses and waits are left out. Cases
    /// that write their own preface (`opening: none`) are not seeds: nil.
    public init?(h2 testCase: CorpusCase, peer: HTTP2Settings, authority: String) {
        guard let script = testCase.h2, script.opening == .standard else { return nil }
        let context = H2EncodingContext(peer: peer, authority: authority)
        var segments: [[UInt8]] = []
        if !script.clientSettings.isEmpty {
            var settings: [UInt8] = []
            HTTP2FrameEncoder.appendSettings(script.clientSettings, into: &settings)
            segments.append(settings)
        }
        for step in script.steps {
            guard case .write(let write) = step else { continue }
            var bytes: [UInt8] = []
            // Floods are cut to a few repetitions: the mutations, not the volume, are the point here.
            for repetition in 0..<min(max(1, write.repeatCount), 8) {
                for part in write.parts {
                    switch part {
                    case .frame(let frame): frame.encode(into: &bytes, context: context, streamOffset: write.streamStep &* UInt32(repetition))
                    case .raw(let raw): bytes += CorpusCase.fillHost(raw, host: authority)
                    }
                }
            }
            segments.append(bytes)
        }
        guard !segments.joined().isEmpty else { return nil }
        self.init(id: testCase.id, input: FuzzInput(segments: segments))
    }
}

/// Case `index` of an HTTP/2 run depends only on the seeds, the run's seed and the index.
public struct H2FuzzGenerator: Sendable {
    public let seeds: [FuzzSeed]
    public let runSeed: UInt64
    let mutators = H2StreamStateMutators.everyMutator

    public init(seeds: [FuzzSeed], runSeed: UInt64) {
        precondition(!seeds.isEmpty, "fuzzing needs at least one seed")
        self.seeds = seeds
        self.runSeed = runSeed
    }

    public func generate(_ index: Int) -> GeneratedCase {
        var random = SeededRandom.forCase(seed: runSeed, index: index)
        let seed = random.pick(seeds)
        var input = seed.input
        var applied: [String] = []
        let wanted = [1, 1, 1, 1, 2, 2, 2, 3, 3, 4][random.below(10)]
        var attempts = 0
        let context = MutationContext(seeds: [])
        let total = mutators.reduce(0) { $0 + $1.weight }
        while applied.count < wanted && attempts < 20 {
            attempts += 1
            var point = random.below(total)
            var chosen = mutators[mutators.count - 1]
            for mutator in mutators {
                if point < mutator.weight { chosen = mutator; break }
                point -= mutator.weight
            }
            if chosen.apply(to: &input, random: &random, context: context) { applied.append(chosen.name) }
        }
        return GeneratedCase(index: index, seedID: seed.id, input: input, mutations: applied)
    }
}

/// A new way an HTTP/2 target differs from the strict layer, minimized.
public struct H2Finding: FuzzFindingRecord {
    public var signature: Signature
    public var id: String
    public var classification: Classification
    public var generated: GeneratedCase
    public var minimized: FuzzInput
    public var expectation: H2Expectation
    public var observation: H2Observation
    public var minimizationTests: Int
    /// How the reference server answers the minimized stream, when it answers it as the strict layer says.
    public var referenceOutcome: ObservedOutcome?
    public var foundAfter: Double

    public var expectedSummary: String { expectation.summary }
    public var observedSummary: String { observation.description }
    public func reproducer(endpoint: Endpoint) -> String {
        H2FindingWriter.reproducer(minimized.filledSegments(authority: endpoint.authority), endpoint: endpoint)
    }
}

/// The HTTP/2 fuzzing loop, as FuzzRun for HTTP/1.1: cases generated from the seed, judged `jobs` at a
/// time, handled in index order; a new signature is minimized (frames, then bytes, then write cuts).
public final class H2FuzzRun: @unchecked Sendable {
    public let generator: H2FuzzGenerator
    public let executor: H2FuzzExecutor
    public let health: H2TargetHealth?
    public let settings: FuzzSettings
    /// What the target announced in its SETTINGS: the oracle judges against it.
    public let server: HTTP2Settings
    public var referenceOutcome: (@Sendable (FuzzInput) -> ObservedOutcome?)?
    private let executions = Atomic<Int>(0)
    private let window = 64

    public init(generator: H2FuzzGenerator, executor: H2FuzzExecutor, server: HTTP2Settings, health: H2TargetHealth?,
                settings: FuzzSettings) {
        self.generator = generator
        self.executor = executor
        self.server = server
        self.health = health
        self.settings = settings
    }

    public struct Evaluation: FuzzVerdict {
        public var expectation: H2Expectation
        public var observation: H2Observation
        public var classification: Classification?
    }

    public func evaluate(_ input: FuzzInput) -> Evaluation {
        executions.wrappingAdd(1, ordering: .relaxed)
        let expectation = H2Oracle.expect(input.filled(authority: executor.authority), server: server)
        let observation = executor.execute(input, expectation: expectation)
        var problem: String?
        if let health, observation.connectFailed || observation.openingFailed != nil
            || (!observation.probeAcked && observation.facts.goAway == nil) {
            problem = health.problem()
        }
        let classification = H2FindingClassifier.classify(expectation, observation, healthProblem: problem)
        if classification?.findingClass == .hang {
            // Silence is confirmed with four times the patience: on a loaded machine a slow answer
            // is not a hang.
            var patient = executor
            patient.timeout *= 4
            let again = patient.execute(input, expectation: expectation)
            return Evaluation(expectation: expectation, observation: again,
                              classification: H2FindingClassifier.classify(expectation, again, healthProblem: nil))
        }
        return Evaluation(expectation: expectation, observation: observation, classification: classification)
    }

    public func run(onFinding: (H2Finding) -> Void = { _ in },
                    progress: @escaping @Sendable (FuzzProgress) -> Void = { _ in }) -> H2FuzzSummary {
        OrderedFuzzLoop.collectFindings(
            settings: settings, window: window, generate: generator.generate, evaluate: evaluate,
            executions: { executions.load(ordering: .relaxed) }, targetAnswers: health.map { $0.isAnswering },
            minimize: minimize, onFinding: onFinding, progress: progress)
    }

    /// Reduces the stream while it keeps the signature: whole frames first, then bytes, then cuts.
    func minimize(_ generated: GeneratedCase, signature: Signature, evaluation: Evaluation, foundAfter: Double) -> H2Finding {
        let shrunk = Minimizer.confirmedMinimum(of: generated, signature: signature, verdict: evaluation,
                                                budget: settings.minimizeBudget, units: H2FrameLayout.units) { [self] in evaluate($0) }
        return H2Finding(signature: signature, id: signature.caseID(prefix: settings.idPrefix),
                         classification: shrunk.verdict.classification!, generated: generated,
                         minimized: shrunk.input, expectation: shrunk.verdict.expectation, observation: shrunk.verdict.observation,
                         minimizationTests: shrunk.tests, referenceOutcome: referenceOutcome?(shrunk.input), foundAfter: foundAfter)
    }
}
