/// `junit.xml`: one testsuite per category, one testcase per case. FAIL and ERROR are failures and
/// errors; WARN passes with a system-out note; known failures from the baseline are skipped.
public enum JUnitReport {
    public static func render(_ run: CorpusRun) -> String {
        let escape = MarkupEscape.text
        var out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        let failing = run.results.filter { $0.verdict == .fail || ($0.verdict == .flaky && $0.worstVerdict == .fail) }.count
        let erring = run.results.filter { $0.verdict == .error || ($0.verdict == .flaky && $0.worstVerdict == .error) }.count
        out += "<testsuites name=\"cathammer corpus\" tests=\"\(run.results.count)\" failures=\"\(failing)\" errors=\"\(erring)\">\n"
        let byCategory = Dictionary(grouping: run.results, by: \.testCase.category)
        for category in byCategory.keys.sorted() {
            let results = byCategory[category] ?? []
            let failures = results.filter { $0.verdict == .fail || ($0.verdict == .flaky && $0.worstVerdict == .fail) }.count
            let errors = results.filter { $0.verdict == .error || ($0.verdict == .flaky && $0.worstVerdict == .error) }.count
            let seconds = Double(results.map(\.durationMilliseconds).reduce(0, +)) / 1000
            out += "  <testsuite name=\"\(escape(category))\" tests=\"\(results.count)\" failures=\"\(failures)\" errors=\"\(errors)\" time=\"\(seconds)\">\n"
            for result in results {
                let item = result.testCase
                let time = Double(result.durationMilliseconds) / 1000
                out += "    <testcase classname=\"cathammer.\(escape(category))\" name=\"\(escape(item.id)): \(escape(item.title))\" time=\"\(time)\">\n"
                let expected = "expected \(item.pass.map(\.description).joined(separator: " | "))"
                    + (item.warn.isEmpty ? "" : " (warn: \(item.warn.map(\.description).joined(separator: " | ")))")
                let observed = "observed \(result.observed?.description ?? "nothing")"
                let quoted = item.quote.map { "“\($0)”" }
                let detail = ([expected, observed, "\(item.level) \(item.rfc)"] + [result.verdictReason, quoted, item.risk.map { "risk: \($0)" }].compactMap { $0 }
                              + result.notes).joined(separator: "; ")
                let known = run.baseline?.knownFailures.contains(item.id) ?? false
                // FLAKY: a failure when one of its runs failed (or errored), else a passing test with a note.
                let flakyDetail = "FLAKY: outcomes \(result.outcomesSeen.joined(separator: ", ")); " + detail
                switch result.verdict {
                case .flaky where known && result.isFailure:
                    out += "      <skipped message=\"known failure (baseline): \(escape(flakyDetail))\"/>\n"
                case .flaky where result.worstVerdict == .error:
                    out += "      <error message=\"\(escape(flakyDetail))\" type=\"FLAKY\"/>\n"
                case .flaky where result.worstVerdict == .fail:
                    out += "      <failure message=\"\(escape(flakyDetail))\" type=\"FLAKY\"/>\n"
                case .flaky:
                    out += "      <system-out>\(escape(flakyDetail))</system-out>\n"
                case .fail where known:
                    out += "      <skipped message=\"known failure (baseline): \(escape(detail))\"/>\n"
                case .fail:
                    out += "      <failure message=\"\(escape(detail))\" type=\"\(escape(item.level))\"/>\n"
                case .error:
                    out += "      <error message=\"\(escape(detail))\"/>\n"
                case .skip:
                    out += "      <skipped message=\"\(escape(result.notes.joined(separator: "; ")))\"/>\n"
                case .warn:
                    out += "      <system-out>WARN: \(escape(detail))</system-out>\n"
                case .pass:
                    break
                }
                out += "    </testcase>\n"
            }
            out += "  </testsuite>\n"
        }
        return out + "</testsuites>\n"
    }
}
