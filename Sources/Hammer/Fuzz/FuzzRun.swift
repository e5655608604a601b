import Foundation
import Synchronization

/// The limits and knobs of one fuzzing run.
public struct FuzzSettings: Sendable {
    public var seed: UInt64
    /// Seconds; the run stops after this even when cases remain.
    public var duration: Double
    /// Cases to generate (nil: until the duration is over).
    public var maxCases: Int?
    public var jobs: Int
    /// Executions each minimization may spend (hangs get a tenth: every one waits for the timeout).
    public var minimizeBudget: Int
    /// Finding ids start with it: `FUZZ-<TARGET>` keeps ids unique across targets' folders.
    public var idPrefix: String

    public init(seed: UInt64, duration: Double, maxCases: Int? = nil, jobs: Int = 1, minimizeBudget: Int = 400,
                idPrefix: String = "FUZZ") {
        self.seed = seed
        self.duration = duration
        self.maxCases = maxCases
        self.jobs = max(1, jobs)
        self.minimizeBudget = minimizeBudget
        self.idPrefix = idPrefix
    }
}

/// Live numbers for the progress line.
public struct FuzzProgress: Sendable {
    public var elapsed: Double
    public var cases: Int
    public var executions: Int
    public var counts: [FindingClass: Int]
    /// Set when this update announces a new finding.
    public var newFinding: (any FuzzFindingRecord)?
}

/// One stream judged: what the oracle expects, what the target did, and the verdict.
public struct Evaluation: FuzzVerdict {
    public var expectation: Expectation
    public var observation: Observation
    public var classification: Classification?
}

/// The fuzzing loop. Cases are generated from the seed and judged by `jobs` connections at a time,
/// but handled strictly in index order, so a fixed seed against a deterministic target finds the
/// same findings, with the same minimized bytes, whatever the number of jobs.
public final class FuzzRun: @unchecked Sendable {
    public let generator: FuzzGenerator
    public let executor: FuzzExecutor
    public let health: TargetHealth?
    public let settings: FuzzSettings
    /// How the reference server answers a stream when it answers it as a strict server must.
    public var referenceOutcome: (@Sendable (FuzzInput) -> ObservedOutcome?)?
    private let executions = Atomic<Int>(0)
    /// Cases handed out to workers must stay within this distance of the ones handled.
    private let window = 64

    public init(generator: FuzzGenerator, executor: FuzzExecutor, health: TargetHealth?, settings: FuzzSettings) {
        self.generator = generator
        self.executor = executor
        self.health = health
        self.settings = settings
    }

    public func evaluate(_ input: FuzzInput) -> Evaluation {
        executions.wrappingAdd(1, ordering: .relaxed)
        let expectation = Oracle.expect(input.filled(authority: executor.authority))
        let observation = executor.execute(input, expectation: expectation)
        var problem: String?
        if let health, FindingClassifier.needsHealthCheck(observation, expectation) { problem = health.problem() }
        return Evaluation(expectation: expectation, observation: observation,
                          classification: FindingClassifier.classify(expectation, observation, healthProblem: problem))
    }

    public func run(onFinding: (Finding) -> Void = { _ in },
                    progress: @escaping @Sendable (FuzzProgress) -> Void = { _ in }) -> FuzzSummary {
        OrderedFuzzLoop.collectFindings(
            settings: settings, window: window, generate: generator.generate, evaluate: evaluate,
            executions: { executions.load(ordering: .relaxed) }, targetAnswers: health.map { $0.isAnswering },
            minimize: minimize, onFinding: onFinding, progress: progress)
    }

    /// Reduces the stream while it keeps the signature, confirms the result, labels it with the
    /// reference server's answer.
    func minimize(_ generated: GeneratedCase, signature: Signature, evaluation: Evaluation, foundAfter: Double) -> Finding {
        let shrunk = Minimizer.confirmedMinimum(of: generated, signature: signature, verdict: evaluation,
                                                budget: settings.minimizeBudget, units: Minimizer.lineUnits) { [self] in evaluate($0) }
        var finding = Finding(signature: signature, id: signature.caseID(prefix: settings.idPrefix),
                              classification: shrunk.verdict.classification!, generated: generated,
                              minimized: shrunk.input, expectation: shrunk.verdict.expectation, observation: shrunk.verdict.observation,
                              minimizationTests: shrunk.tests, referenceOutcome: nil, foundAfter: foundAfter)
        finding.referenceOutcome = referenceOutcome?(shrunk.input)
        return finding
    }
}
