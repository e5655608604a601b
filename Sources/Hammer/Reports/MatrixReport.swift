import Foundation

/// Several runs side by side (like Http11Probe's leaderboard): one row per case, one column per
/// target, from the runs' `report.json` files.
public struct MatrixReport {
    public struct Run {
        public var target: String
        /// Case id → verdict.
        public var verdicts: [String: String]
        /// Case id → (category, level, title), from this run.
        public var cases: [String: (category: String, level: String, title: String)]
        /// Case id → what explains a failure: observed outcome(s), why, the RFC sentence, the risk.
        public var details: [String: Detail] = [:]
        /// Case id → the verdict that counts (the worst run of a FLAKY case).
        public var worst: [String: String] = [:]
    }

    public struct Detail {
        public var observed: String
        public var reason: String?
        public var rfc: String
        public var quote: String?
        public var risk: String?
    }

    public var runs: [Run]

    public struct LoadError: Error, CustomStringConvertible {
        public var description: String
    }

    /// Reads `report.json` in each folder (or the file itself).
    public init(paths: [String]) throws(LoadError) {
        runs = []
        for path in paths {
            var isDirectory: ObjCBool = false
            let file = FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && isDirectory.boolValue
                ? (path as NSString).appendingPathComponent("report.json") : path
            guard let data = FileManager.default.contents(atPath: file),
                  let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
                  let target = object["target"] as? String, let cases = object["cases"] as? [[String: Any]]
            else { throw LoadError(description: "\(file) is not a cathammer report.json") }
            var run = Run(target: target, verdicts: [:], cases: [:])
            for item in cases {
                guard let id = item["id"] as? String, let verdict = item["verdict"] as? String else { continue }
                run.verdicts[id] = verdict
                run.worst[id] = item["worst_verdict"] as? String ?? verdict
                run.cases[id] = (item["category"] as? String ?? "", item["level"] as? String ?? "", item["title"] as? String ?? "")
                let outcomes = (item["runs"] as? [[String: Any]] ?? []).compactMap { entry -> String? in
                    guard let observed = entry["observed"] as? String, let verdict = entry["verdict"] as? String else { return nil }
                    return "\(observed) (\(verdict))"
                }
                let seen = outcomes.reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } }
                run.details[id] = Detail(observed: verdict == "FLAKY" ? seen.joined(separator: " / ") : item["observed"] as? String ?? "nothing",
                                         reason: item["verdict_reason"] as? String, rfc: item["rfc"] as? String ?? "",
                                         quote: item["quote"] as? String, risk: item["risk"] as? String)
            }
            runs.append(run)
        }
    }

    /// Every case id seen in any run, by category then id.
    var rows: [(id: String, category: String, level: String, title: String)] {
        var seen: [String: (category: String, level: String, title: String)] = [:]
        for run in runs { for (id, info) in run.cases where seen[id] == nil { seen[id] = info } }
        return seen.map { ($0.key, $0.value.category, $0.value.level, $0.value.title) }
            .sorted { ($0.category, $0.id) < ($1.category, $1.id) }
    }

    func passCount(_ run: Run) -> Int { run.verdicts.values.filter { $0 == "PASS" }.count }

    /// Cases that count as failures: FAIL, ERROR, and FLAKY with a failing run.
    func failures(_ run: Run) -> [String] {
        run.verdicts.keys.filter { id in ["FAIL", "ERROR"].contains(run.worst[id] ?? run.verdicts[id] ?? "") }.sorted()
    }

    /// The leaderboard: one row per server, fewest failures first, with pass / warn / fail / flaky
    /// counts for each level; then each server's failures with the sentence each one breaks.
    public func leaderboard() -> String {
        var out = "| server | fail | flaky | warn | pass | error | skip | "
            + CorpusCase.levels.map { "\($0) p/w/f/fl" }.joined(separator: " | ") + " |\n"
        out += "|---|---:|---:|---:|---:|---:|---:|" + CorpusCase.levels.map { _ in "---|" }.joined() + "\n"
        for run in runs.sorted(by: { (failures($0).count, $0.target) < (failures($1).count, $1.target) }) {
            func count(_ verdict: String, level: String? = nil) -> Int {
                run.verdicts.filter { id, value in value == verdict && (level == nil || run.cases[id]?.level == level) }.count
            }
            out += "| \(run.target) | \(count("FAIL")) | \(count("FLAKY")) | \(count("WARN")) | \(count("PASS")) | \(count("ERROR")) | \(count("SKIP")) | "
            out += CorpusCase.levels.map { level in
                ["PASS", "WARN", "FAIL", "FLAKY"].map { String(count($0, level: level)) }.joined(separator: "/")
            }.joined(separator: " | ") + " |\n"
        }
        return out
    }

    /// Every failure of every server, with what was observed, why it is a failure, the RFC sentence
    /// and the risk.
    public func failuresExplained() -> String {
        var out = ""
        for run in runs.sorted(by: { $0.target < $1.target }) {
            let failing = failures(run)
            out += "\n### \(run.target): \(failing.count) failure\(failing.count == 1 ? "" : "s")\n\n"
            for id in failing {
                guard let detail = run.details[id] else { continue }
                let level = run.cases[id]?.level ?? ""
                out += "- **\(id)** (\(run.verdicts[id] ?? ""), \(level), \(detail.rfc)): observed `\(detail.observed)`"
                out += detail.reason.map { ". \($0)" } ?? ""
                out += "\n"
                if let quote = detail.quote { out += "  > “\(MarkdownReport.oneLine(quote))”\n" }
                if let risk = detail.risk { out += "  Risk: \(MarkdownReport.oneLine(risk))\n" }
            }
        }
        return out
    }

    public func markdown() -> String {
        var out = "# cathammer leaderboard\n\n" + leaderboard()
        out += "\nLevels: p/w/f/fl = pass / warn / fail / flaky. A FAIL is a broken MUST or a desync signal; a miss on a "
            + "SHOULD, MAY or POLICY case, or a safe refusal with another code, is at most a WARN.\n"
        out += "\n## Failures, explained\n" + failuresExplained()
        out += "\n## Every case\n\n| case | level | " + runs.map(\.target).joined(separator: " | ") + " |\n"
        out += "|---|---|" + runs.map { _ in "---|" }.joined() + "\n"
        for row in rows {
            out += "| \(row.id) | \(row.level) | " + runs.map { $0.verdicts[row.id] ?? "–" }.joined(separator: " | ") + " |\n"
        }
        return out
    }

    public func html() -> String {
        let escape = MarkupEscape.text
        var out = """
            <!doctype html><html><head><meta charset="utf-8"><title>cathammer matrix</title><style>
            body{font:14px system-ui,sans-serif;margin:2em} table{border-collapse:collapse} td,th{border:1px solid #ddd;padding:3px 8px}
            .PASS{background:#d8f3dc}.WARN{background:#fff3bf}.FAIL{background:#ffc9c9}.FLAKY{background:#f8bbd0}.ERROR{background:#e5dbff}.SKIP{background:#eee}
            </style></head><body><h1>cathammer matrix</h1><table><tr><th>case</th><th>level</th>
            """
        out += runs.map { "<th>\(escape($0.target))<br><small>\(passCount($0)) / \($0.verdicts.count) pass</small></th>" }.joined()
        out += "</tr>\n"
        for row in rows {
            out += "<tr><td title=\"\(escape(row.title))\">\(escape(row.id))</td><td>\(row.level)</td>"
            out += runs.map { run in
                let verdict = run.verdicts[row.id] ?? "–"
                return "<td class=\"\(verdict)\">\(verdict)</td>"
            }.joined()
            out += "</tr>\n"
        }
        return out + "</table></body></html>\n"
    }
}
