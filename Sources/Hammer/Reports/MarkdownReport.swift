/// `summary.md`: the counts and every case that did not pass, for a CI job summary.
public enum MarkdownReport {
    public static func render(_ run: CorpusRun) -> String {
        var out = "# cathammer corpus run against \(run.target)\n\n"
        out += "| total | pass | warn | fail | error | skip |\n|---:|---:|---:|---:|---:|---:|\n"
        out += "| \(run.results.count) | \(run.count(.pass)) | \(run.count(.warn)) | \(run.count(.fail)) | \(run.count(.error)) | \(run.count(.skip)) |\n\n"
        if run.baseline != nil {
            out += "New failures (not in the baseline): \(run.newFailures.count)"
            out += run.fixed.isEmpty ? "\n\n" : "; fixed since the baseline: \(run.fixed.joined(separator: ", "))\n\n"
        }
        let notPassing = run.results.filter { $0.verdict != .pass }
        if notPassing.isEmpty { return out + "Every case passed.\n" }
        out += "| verdict | id | level | rfc | expected | observed |\n|---|---|---|---|---|---|\n"
        for result in notPassing {
            let item = result.testCase
            let known = run.baseline?.knownFailures.contains(item.id) ?? false
            out += "| \(result.verdict.rawValue)\(known ? " (known)" : "") | \(item.id) | \(item.level) | \(item.rfc) | "
            out += "\(item.pass.map(\.description).joined(separator: " / ")) | \(result.observed?.description ?? "–") |\n"
        }
        return out
    }
}
