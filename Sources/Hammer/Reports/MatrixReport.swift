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
                run.cases[id] = (item["category"] as? String ?? "", item["level"] as? String ?? "", item["title"] as? String ?? "")
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

    public func markdown() -> String {
        var out = "# cathammer matrix\n\n| target | pass | warn | fail | error | skip | cases |\n|---|---:|---:|---:|---:|---:|---:|\n"
        for run in runs {
            func count(_ verdict: String) -> Int { run.verdicts.values.filter { $0 == verdict }.count }
            out += "| \(run.target) | \(count("PASS")) | \(count("WARN")) | \(count("FAIL")) | \(count("ERROR")) | \(count("SKIP")) | \(run.verdicts.count) |\n"
        }
        out += "\n| case | level | " + runs.map(\.target).joined(separator: " | ") + " |\n"
        out += "|---|---|" + runs.map { _ in "---|" }.joined() + "\n"
        for row in rows {
            out += "| \(row.id) | \(row.level) | " + runs.map { $0.verdicts[row.id] ?? "–" }.joined(separator: " | ") + " |\n"
        }
        return out
    }

    public func html() -> String {
        func escape(_ text: String) -> String {
            text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
                .replacingOccurrences(of: ">", with: "&gt;")
        }
        var out = """
            <!doctype html><html><head><meta charset="utf-8"><title>cathammer matrix</title><style>
            body{font:14px system-ui,sans-serif;margin:2em} table{border-collapse:collapse} td,th{border:1px solid #ddd;padding:3px 8px}
            .PASS{background:#d8f3dc}.WARN{background:#fff3bf}.FAIL{background:#ffc9c9}.ERROR{background:#e5dbff}.SKIP{background:#eee}
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
