/// `junit.xml` of a reload check: one testcase per outcome class (failing if any request is in it),
/// one for forced kills, and one per failed request so CI shows each with its id.
public enum ReloadJUnitReport {
    public static func render(_ run: ReloadRun) -> String {
        let escape = MarkupEscape.text
        var cases: [String] = []
        for outcome in OutcomeClass.allCases where outcome != .ok {
            let failing = run.verdict.failures.filter { $0.outcome == outcome }
            var item = "    <testcase classname=\"cathammer.reload.\(run.reloadKind.rawValue)\" name=\"no \(outcome.rawValue): \(escape(outcome.explanation))\">\n"
            if !failing.isEmpty {
                item += "      <failure message=\"\(failing.count) request(s) \(outcome.rawValue)\" type=\"\(outcome.rawValue)\"/>\n"
            }
            cases.append(item + "    </testcase>\n")
        }
        var kills = "    <testcase classname=\"cathammer.reload.\(run.reloadKind.rawValue)\" name=\"no forced kills\">\n"
        if let forced = run.forcedKills, forced > 0 { kills += "      <failure message=\"\(forced) forced kill(s)\" type=\"forced_kill\"/>\n" }
        if run.forcedKills == nil { kills += "      <skipped message=\"the target has no stats endpoint\"/>\n" }
        cases.append(kills + "    </testcase>\n")
        for failure in run.verdict.failures.prefix(1000) {
            let message = "\(failure.outcome.rawValue) (\(failure.kind.rawValue) \(failure.method)), connection age "
                + "\(String(format: "%.1f", failure.connectionAgeMilliseconds)) ms, reload \(failure.reload.map { "#\($0 + 1)" } ?? "none"): \(failure.detail)"
            cases.append("    <testcase classname=\"cathammer.reload.requests\" name=\"request \(failure.id)\">\n"
                + "      <failure message=\"\(escape(message))\" type=\"\(failure.outcome.rawValue)\"/>\n    </testcase>\n")
        }
        let failures = cases.filter { $0.contains("<failure") }.count
        var out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        out += "<testsuites name=\"cathammer reload-check\" tests=\"\(cases.count)\" failures=\"\(failures)\" errors=\"0\">\n"
        out += "  <testsuite name=\"reload \(run.reloadKind.rawValue)\" tests=\"\(cases.count)\" failures=\"\(failures)\" errors=\"0\" time=\"\(run.durationSeconds)\">\n"
        out += cases.joined()
        return out + "  </testsuite>\n</testsuites>\n"
    }
}
