import Foundation

/// What the shared parts of a fuzzing run (the finding loop, the summary, the report) need of a
/// finding, whichever protocol found it; the protocol's own expectation, observation and
/// reproducer are asked of the finding in the report's words.
public protocol FuzzFindingRecord: Sendable {
    var signature: Signature { get }
    /// The corpus case id: the signature's, with the run's prefix.
    var id: String { get }
    /// The verdict on the minimized stream.
    var classification: Classification { get }
    /// The generated case it was found with.
    var generated: GeneratedCase { get }
    var minimized: FuzzInput { get }
    /// Executions the minimizer spent.
    var minimizationTests: Int { get }
    /// How the reference server answers the minimized stream, when it answers as a strict server must.
    var referenceOutcome: ObservedOutcome? { get }
    /// Seconds into the run when it was found.
    var foundAfter: Double { get }
    /// What a strict server must do with the minimized stream.
    var expectedSummary: String { get }
    /// What the target did with it.
    var observedSummary: String { get }
    /// A shell line that replays the minimized stream against `endpoint`.
    func reproducer(endpoint: Endpoint) -> String
}

extension FuzzFindingRecord {
    public var findingClass: FindingClass { signature.findingClass }
}

/// What a run did, with the findings of its protocol.
public struct FuzzRunSummary<Found: FuzzFindingRecord>: Sendable {
    public var started: Date
    public var elapsed: Double
    /// Generated cases judged.
    public var cases: Int
    /// Every connection made to the target: cases, minimization, confirmation.
    public var executions: Int
    public var findings: [Found]
    /// Every case that showed a finding's signature again (the first one included).
    public var hits: [String: Int]
    /// Why the run stopped early, if it did.
    public var stoppedBecause: String?

    public init(started: Date, elapsed: Double, cases: Int, executions: Int, findings: [Found], hits: [String: Int],
                stoppedBecause: String?) {
        self.started = started
        self.elapsed = elapsed
        self.cases = cases
        self.executions = executions
        self.findings = findings
        self.hits = hits
        self.stoppedBecause = stoppedBecause
    }

    public var executionsPerSecond: Double { elapsed > 0 ? Double(executions) / elapsed : 0 }

    public func count(_ kind: FindingClass) -> Int { findings.filter { $0.findingClass == kind }.count }
}

public typealias FuzzSummary = FuzzRunSummary<Finding>
public typealias H2FuzzSummary = FuzzRunSummary<H2Finding>

/// A judged stream as both runs' evaluations carry it: nil when the target did what the oracle expects.
public protocol FuzzVerdict: Sendable {
    var classification: Classification? { get }
}

extension OrderedFuzzLoop where Judged: FuzzVerdict {
    /// Generates case after case and judges it (`jobs` at a time), keeping one finding per signature:
    /// the first case with a new signature is minimized into a finding (handed to `onFinding`, then
    /// announced in `progress`), later ones count as hits of it. A crash after which the target no
    /// longer answers ends the run.
    static func collectFindings<Found: FuzzFindingRecord>(
        settings: FuzzSettings, window: Int, generate: @escaping @Sendable (Int) -> GeneratedCase,
        evaluate: @escaping @Sendable (FuzzInput) -> Judged, executions: () -> Int, targetAnswers: (() -> Bool)?,
        minimize: (_ generated: GeneratedCase, _ signature: Signature, _ judged: Judged, _ foundAfter: Double) -> Found,
        onFinding: (Found) -> Void, progress: (FuzzProgress) -> Void
    ) -> FuzzRunSummary<Found> {
        let loop = OrderedFuzzLoop(settings: settings, window: window) { index in
            let generated = generate(index)
            return (generated, evaluate(generated.input))
        }
        let started = Date()
        var summary = FuzzRunSummary<Found>(started: started, elapsed: 0, cases: 0, executions: 0, findings: [], hits: [:],
                                            stoppedBecause: nil)
        var known: [Signature: String] = [:]
        var counts: [FindingClass: Int] = [:]
        let (handled, elapsed) = loop.run(waiting: { elapsed, handled in
            progress(FuzzProgress(elapsed: elapsed, cases: handled, executions: executions(), counts: counts))
        }) { generated, judged, elapsed, handled in
            guard let classification = judged.classification else { return true }
            let signature = Signature(classification, mutationPath: generated.mutationPath)
            if let id = known[signature] {
                summary.hits[id, default: 0] += 1
                return true
            }
            let finding = minimize(generated, signature, judged, elapsed)
            known[signature] = finding.id
            summary.hits[finding.id, default: 0] += 1
            summary.findings.append(finding)
            counts[finding.findingClass, default: 0] += 1
            onFinding(finding)
            progress(FuzzProgress(elapsed: elapsed, cases: handled, executions: executions(), counts: counts, newFinding: finding))
            if finding.findingClass == .crash, let targetAnswers, !targetAnswers() {
                summary.stoppedBecause = "the target stopped answering"
                return false
            }
            return true
        }
        summary.cases = handled
        summary.elapsed = elapsed
        summary.executions = executions()
        return summary
    }
}

extension Minimizer {
    /// Shrinks a found stream while its verdict keeps `signature`, then judges the result once more:
    /// when the confirmation shows another verdict, the original stream and verdict stand. Hangs get a
    /// tenth of the budget (every test waits for the timeout), a target that refused the connection none.
    static func confirmedMinimum<Verdict: FuzzVerdict>(
        of generated: GeneratedCase, signature: Signature, verdict: Verdict, budget: Int,
        units: @escaping ([UInt8]) -> [Range<Int>], judge: @escaping (FuzzInput) -> Verdict
    ) -> (input: FuzzInput, verdict: Verdict, tests: Int) {
        var budget = budget
        if signature.findingClass == .hang { budget = max(10, budget / 10) }
        let targetDead = signature.findingClass == .crash && signature.detail == "connect-failed"
        var minimizer = Minimizer(budget: targetDead ? 0 : budget, units: units) { candidate in
            signature.matches(judge(candidate).classification)
        }
        let minimized = minimizer.minimize(generated.input)
        if minimized != generated.input {
            let check = judge(minimized)
            if signature.matches(check.classification) { return (minimized, check, minimizer.tests) }
        }
        return (generated.input, verdict, minimizer.tests)
    }
}
