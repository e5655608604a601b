/// `summary.md`: the counts and every case that did not pass, for a CI job summary. Each FAIL is
/// followed by the RFC sentence it breaks (quoted, with its section) and the risk in one line.
public enum MarkdownReport {
    public static func render(_ run: CorpusRun) -> String {
        var out = "# cathammer corpus run against \(run.target)\n\n"
        if run.repeatCount > 1 { out += "Each case ran \(run.repeatCount) times; FLAKY: the outcome changed between runs.\n\n" }
        if let tls = run.tls {
            out += tls.line + ".\n\n"
            let differing = run.results.filter { tls.difference($0.tls, protocol: $0.testCase.wireProtocol) != nil }
            if !differing.isEmpty {
                out += "Cases whose connection negotiated other TLS parameters: "
                    + differing.map { "\($0.testCase.id) (\($0.tls!.parameters))" }.joined(separator: ", ") + ".\n\n"
            }
        }
        out += "| total | pass | warn | fail | flaky | error | skip |\n|---:|---:|---:|---:|---:|---:|---:|\n"
        out += "| \(run.results.count) | \(run.count(.pass)) | \(run.count(.warn)) | \(run.count(.fail)) | \(run.count(.flaky)) | "
        out += "\(run.count(.error)) | \(run.count(.skip)) |\n\n"
        if run.baseline != nil {
            out += "New failures (not in the baseline): \(run.newFailures.count)"
            out += run.fixed.isEmpty ? "\n\n" : "; fixed since the baseline: \(run.fixed.joined(separator: ", "))\n\n"
        }
        let notPassing = run.results.filter { $0.verdict != .pass }
        if notPassing.isEmpty { return out + "Every case passed.\n" }
        out += "| verdict | id | level | rfc | expected | observed | why this verdict |\n|---|---|---|---|---|---|---|\n"
        for result in notPassing {
            let item = result.testCase
            let known = run.baseline?.knownFailures.contains(item.id) ?? false
            let observed = result.verdict == .flaky ? result.outcomesSeen.joined(separator: " / ") : result.observed?.description ?? "–"
            out += "| \(result.verdict.rawValue)\(known ? " (known)" : "") | \(item.id) | \(item.level) | \(item.rfc) | "
            out += "\(cell(item.pass.map(\.description).joined(separator: " / "))) | \(cell(observed)) | \(cell(result.verdictReason ?? "")) |\n"
        }
        let failures = notPassing.filter(\.isFailure)
        if !failures.isEmpty {
            out += "\n## Why each failure is one\n\n"
            for result in failures {
                let item = result.testCase
                out += "- **\(item.id)** (\(item.level), \(item.rfc)): observed `\(result.verdict == .flaky ? result.outcomesSeen.joined(separator: " / ") : result.observed?.description ?? "nothing")`"
                out += result.verdictReason.map { ". \($0)" } ?? ""
                out += "\n"
                if let quote = item.quote { out += "  > “\(oneLine(quote))”" + (quote.contains("(RFC ") ? "" : " (\(item.rfc))") + "\n" }
                if let risk = item.risk { out += "  Risk: \(oneLine(risk))\n" }
            }
        }
        return out
    }

    static func oneLine(_ text: String) -> String {
        text.split(whereSeparator: \.isNewline).joined(separator: " ")
    }

    /// A table cell: one line, pipes escaped.
    static func cell(_ text: String) -> String {
        oneLine(text).replacingOccurrences(of: "|", with: "\\|")
    }
}
