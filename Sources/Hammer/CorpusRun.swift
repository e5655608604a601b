import Foundation
import Synchronization

/// A whole run: the selected cases against one target, `jobs` connections at a time.
public struct CorpusRun: Sendable {
    public var target: String
    public var started: Date
    public var results: [CaseResult]
    public var baseline: Baseline?

    /// How many times each case ran (`--repeat`); a case whose outcome changed is FLAKY.
    public var repeatCount = 1

    /// The run's client TLS context (nil over cleartext): what the reports' TLS summary describes.
    public var tlsContext: TLSClientContext?

    /// What the run's TLS connections negotiated and how many resumed (nil over cleartext).
    public var tls: TLSRunSummary? {
        TLSRunSummary(context: tlsContext, sessions: results.compactMap(\.tls), recordPlan: TLSRunSummary.byteExactRecordPlan)
    }

    /// Runs every case `repeatCount` times in a row on one worker (a skipped case runs once).
    public static func execute(_ cases: [CorpusCase], runner: CaseRunner, jobs: Int, target: String, repeatCount: Int = 1,
                               progress: @escaping @Sendable (CaseResult) -> Void = { _ in }) -> CorpusRun {
        let started = Date()
        let next = Atomic<Int>(0)
        let results = Mutex<[Int: CaseResult]>([:])
        let group = DispatchGroup()
        for _ in 0..<max(1, min(jobs, cases.count)) {
            group.enter()
            Thread {
                while true {
                    let index = next.wrappingAdd(1, ordering: .relaxed).oldValue
                    guard index < cases.count else { break }
                    let first = runner.run(cases[index])
                    var all = [first]
                    while first.verdict != .skip && all.count < repeatCount { all.append(runner.run(cases[index])) }
                    let result = CaseResult.combining(all)
                    results.withLock { $0[index] = result }
                    progress(result)
                }
                group.leave()
            }.start()
        }
        group.wait()
        let ordered = results.withLock { all in cases.indices.compactMap { all[$0] } }
        var run = CorpusRun(target: target, started: started, results: ordered, baseline: nil)
        run.repeatCount = max(1, repeatCount)
        // A run of HTTP/2 cases alone made every handshake offering h2 alone: that is the offer reported.
        run.tlsContext = cases.allSatisfy { $0.wireProtocol == .h2 } ? runner.h2Endpoint.tls : runner.endpoint.tls
        return run
    }

    public func count(_ verdict: Verdict) -> Int { results.filter { $0.verdict == verdict }.count }

    /// Failures not accepted by the baseline (all of them when there is none): FAIL, ERROR, and a
    /// FLAKY case one of whose runs failed or errored (a failure that only shows sometimes is still
    /// a failure; a FLAKY case that only moved between PASS and WARN counts as a warning).
    public var newFailures: [CaseResult] {
        results.filter { result in
            result.isFailure && !(baseline?.knownFailures.contains(result.testCase.id) ?? false)
        }
    }

    /// Cases that count as warnings for `--fail-on warn`: WARN, and FLAKY between PASS and WARN.
    public var warnings: [CaseResult] {
        results.filter { $0.verdict == .warn || ($0.verdict == .flaky && !$0.isFailure) }
    }

    /// Known failures that pass now.
    public var fixed: [String] {
        guard let baseline else { return [] }
        let failing = Set(results.filter(\.isFailure).map(\.testCase.id))
        let ran = Set(results.map(\.testCase.id))
        return baseline.knownFailures.filter { ran.contains($0) && !failing.contains($0) }.sorted()
    }
}

extension CaseResult {
    /// FAIL, ERROR, or FLAKY with a failing or erroring run.
    public var isFailure: Bool { [.fail, .error].contains(worstVerdict) }
}

/// Known failures of a target: one case id a line (`#` comments), so CI can gate on new ones only.
public struct Baseline: Sendable, Equatable {
    public var knownFailures: Set<String>

    public init(knownFailures: Set<String>) { self.knownFailures = knownFailures }

    public init(text: String) {
        knownFailures = Set(text.split(separator: "\n").compactMap { line in
            let id = line.prefix { $0 != "#" }.trimmingCharacters(in: .whitespaces)
            return id.isEmpty ? nil : id
        })
    }

    public func text(target: String) -> String {
        "# cathammer baseline: known failures of \(target), one case id a line\n"
            + knownFailures.sorted().joined(separator: "\n") + "\n"
    }
}
