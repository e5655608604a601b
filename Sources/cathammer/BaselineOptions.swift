import ArgumentParser
import Foundation
import Hammer

/// `--baseline`, `--update-baseline` and `--fail-on` of the corpus runs (`run corpus`, `run chain`):
/// known failures that do not fail a run, and what does.
struct BaselineOptions: ParsableArguments {
    @Option(help: "Known failures, one case id a line: they do not fail the run.")
    var baseline: String?

    @Flag(help: "Write the current failures to the --baseline file.")
    var updateBaseline = false

    @Option(help: "What fails the run: fail, or warn (warnings too).")
    var failOn = CorpusFailOn.fail

    func check() throws {
        if updateBaseline && baseline == nil { throw UsageError(message: "--update-baseline needs --baseline FILE") }
    }

    /// The known failures from the --baseline file; nil without one, or when the run writes it anew.
    func knownFailures() throws -> Baseline? {
        guard let baseline, !updateBaseline else { return nil }
        guard let data = FileManager.default.contents(atPath: baseline) else {
            throw UsageError(message: "--baseline: cannot read '\(baseline)'")
        }
        return Baseline(text: String(decoding: data, as: UTF8.self))
    }

    /// With --update-baseline: the run's failures (harness errors aside) become the --baseline file.
    func update(from run: CorpusRun, target: String) throws {
        guard updateBaseline, let baseline else { return }
        let failing = Set(run.results.filter { $0.isFailure && $0.worstVerdict != .error }.map(\.testCase.id))
        try Data(Baseline(knownFailures: failing).text(target: target).utf8).write(to: URL(fileURLWithPath: baseline))
    }

    /// The summary line of a run judged against a baseline; nil without one.
    static func comparisonLine(_ run: CorpusRun) -> String? {
        guard run.baseline != nil else { return nil }
        return "new failures: \(run.newFailures.count); fixed since the baseline: \(run.fixed.isEmpty ? "none" : run.fixed.joined(separator: ", "))"
    }

    /// Whether the run fails: new failures, or new warnings with --fail-on warn.
    func fails(_ run: CorpusRun) -> Bool { !run.newFailures.isEmpty || (failOn == .warn && !run.warnings.isEmpty) }
}
