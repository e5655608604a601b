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

/// What a run did.
public struct FuzzSummary: Sendable {
    public var started: Date
    public var elapsed: Double
    /// Generated cases judged.
    public var cases: Int
    /// Every connection made to the target: cases, minimization, confirmation.
    public var executions: Int
    public var findings: [Finding]
    /// Every case that showed a finding's signature again (the first one included).
    public var hits: [String: Int]
    /// Why the run stopped early, if it did.
    public var stoppedBecause: String?

    public var executionsPerSecond: Double { elapsed > 0 ? Double(executions) / elapsed : 0 }

    public func count(_ kind: FindingClass) -> Int { findings.filter { $0.findingClass == kind }.count }
}

/// Live numbers for the progress line.
public struct FuzzProgress: Sendable {
    public var elapsed: Double
    public var cases: Int
    public var executions: Int
    public var counts: [FindingClass: Int]
    /// Set when this update announces a new finding.
    public var newFinding: Finding?
}

/// One stream judged: what the oracle expects, what the target did, and the verdict.
public struct Evaluation: Sendable {
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
        let started = Date()
        var summary = FuzzSummary(started: started, elapsed: 0, cases: 0, executions: 0, findings: [], hits: [:], stoppedBecause: nil)
        var known: [Signature: String] = [:]
        var counts: [FindingClass: Int] = [:]
        let loop = OrderedFuzzLoop(settings: settings, window: window) { [self] index in
            let generated = generator.generate(index)
            return (generated, evaluate(generated.input))
        }
        let (handled, elapsed) = loop.run(waiting: { elapsed, handled in
            progress(FuzzProgress(elapsed: elapsed, cases: handled, executions: executions.load(ordering: .relaxed), counts: counts))
        }) { generated, evaluation, elapsed, handled in
            guard let classification = evaluation.classification else { return true }
            let signature = Signature(classification, mutationPath: generated.mutationPath)
            if let id = known[signature] {
                summary.hits[id, default: 0] += 1
                return true
            }
            let finding = minimize(generated, signature: signature, evaluation: evaluation, foundAfter: elapsed)
            known[signature] = finding.id
            summary.hits[finding.id, default: 0] += 1
            summary.findings.append(finding)
            counts[finding.findingClass, default: 0] += 1
            onFinding(finding)
            progress(FuzzProgress(elapsed: elapsed, cases: handled, executions: executions.load(ordering: .relaxed),
                                  counts: counts, newFinding: finding))
            if finding.findingClass == .crash, let health, !health.isAnswering() {
                summary.stoppedBecause = "the target stopped answering"
                return false
            }
            return true
        }
        summary.cases = handled
        summary.elapsed = elapsed
        summary.executions = executions.load(ordering: .relaxed)
        return summary
    }

    /// Reduces the stream while it keeps the signature, confirms the result, labels it with the
    /// reference server's answer.
    func minimize(_ generated: GeneratedCase, signature: Signature, evaluation: Evaluation, foundAfter: Double) -> Finding {
        var budget = settings.minimizeBudget
        if signature.findingClass == .hang { budget = max(10, budget / 10) }
        let targetDead = signature.findingClass == .crash && signature.detail == "connect-failed"
        var minimizer = Minimizer(budget: targetDead ? 0 : budget) { [self] candidate in
            signature.matches(evaluate(candidate).classification)
        }
        var minimized = minimizer.minimize(generated.input)
        var final = evaluation
        if minimized != generated.input {
            let check = evaluate(minimized)
            if signature.matches(check.classification) {
                final = check
            } else {
                minimized = generated.input
            }
        }
        var finding = Finding(signature: signature, id: signature.caseID(prefix: settings.idPrefix),
                              classification: final.classification!, generated: generated,
                              minimized: minimized, expectation: final.expectation, observation: final.observation,
                              minimizationTests: minimizer.tests, referenceOutcome: nil, foundAfter: foundAfter)
        finding.referenceOutcome = referenceOutcome?(minimized)
        return finding
    }
}
