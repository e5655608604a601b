import Foundation
import HTTPWire

/// The files of a fuzzing run's report folder: `report.json` (`kind: fuzz` in the shared report
/// schema), `index.html` (every finding with its minimized bytes) and `summary.md`.
public struct FuzzReport: Encodable {
    public struct Entry: Encodable {
        var id: String
        var `class`: String
        var signature: String
        var reason: String
        var detail: String
        var explanation: String
        var mutationPath: String
        var seedCase: String
        var caseIndex: Int
        var foundAfterSeconds: Double
        var hits: Int
        var expected: String
        var observed: String
        var referenceOutcome: String?
        /// In the corpus escape notation, one string per write.
        var minimized: [String]
        var minimizedBase64: String
        var original: [String]
        var minimizationTests: Int
        var reproducer: String
        var file: String?
    }

    var version: String
    var target: String
    var seed: UInt64
    var started: String
    var durationSeconds: Double
    var cases: Int
    var executions: Int
    var executionsPerSecond: Double
    var stoppedBecause: String?
    var findingsByClass: [String: Int]
    /// Over TLS: what the run's connections negotiated and the record plan.
    var tls: TLSRunSummary?
    var findings: [Entry]

    /// The report of a run, HTTP/1.1's or HTTP/2's: the same files and schema for both.
    public init<Found: FuzzFindingRecord>(summary: FuzzRunSummary<Found>, target: String, seed: UInt64, version: String,
                                          endpoint: Endpoint, sessions: [TLSSessionInfo] = [], files: [String: String]) {
        self.version = version
        self.target = target
        self.seed = seed
        started = ISO8601DateFormatter().string(from: summary.started)
        durationSeconds = (summary.elapsed * 10).rounded() / 10
        cases = summary.cases
        executions = summary.executions
        executionsPerSecond = (summary.executionsPerSecond * 10).rounded() / 10
        stoppedBecause = summary.stoppedBecause
        findingsByClass = Dictionary(uniqueKeysWithValues: FindingClass.allCases.map { ($0.rawValue, summary.count($0)) })
        tls = TLSRunSummary(context: endpoint.tls, sessions: sessions, recordPlan: TLSRunSummary.byteExactRecordPlan)
        findings = summary.findings.map { finding in
            Entry(id: finding.id, class: finding.findingClass.rawValue, signature: finding.signature.description,
                  reason: finding.classification.reason, detail: finding.classification.detail,
                  explanation: finding.classification.explanation, mutationPath: finding.generated.mutationPath,
                  seedCase: finding.generated.seedID, caseIndex: finding.generated.index,
                  foundAfterSeconds: (finding.foundAfter * 10).rounded() / 10, hits: summary.hits[finding.id] ?? 1,
                  expected: finding.expectedSummary, observed: finding.observedSummary,
                  referenceOutcome: finding.referenceOutcome?.description,
                  minimized: finding.minimized.segments.map(ByteEscapes.encode),
                  minimizedBase64: Data(finding.minimized.bytes).base64EncodedString(),
                  original: finding.generated.input.segments.map(ByteEscapes.encode),
                  minimizationTests: finding.minimizationTests,
                  reproducer: finding.reproducer(endpoint: endpoint), file: files[finding.id])
        }
    }

    /// The run's own figures, under `fuzz` in report.json; the envelope carries the rest.
    enum CodingKeys: String, CodingKey {
        case seed, durationSeconds, cases, executions, executionsPerSecond, stoppedBecause, findingsByClass, tls, findings
    }

    /// What every cathammer report.json starts with (reports/schema/report.schema.json).
    struct Envelope: Encodable {
        var schema = ReportSchema.id
        var tool = "cathammer"
        var version: String
        var kind = "fuzz"
        var target: String
        var started: String
        var fuzz: FuzzReport
    }

    public func encoded() throws -> Data {
        try ReportSchema.encode(Envelope(version: version, target: target, started: started, fuzz: self))
    }

    var countsLine: String {
        FindingClass.allCases.map { "\($0.rawValue) \(findingsByClass[$0.rawValue] ?? 0)" }.joined(separator: ", ")
    }

    public func renderHTML() -> String {
        let h = MarkupEscape.text
        var out = """
            <!doctype html><html><head><meta charset="utf-8"><title>cathammer fuzz: \(h(target))</title>
            <style>
            body{font:14px system-ui,sans-serif;margin:2em;color:#222} table{border-collapse:collapse;width:100%}
            td,th{border-bottom:1px solid #ddd;padding:4px 8px;text-align:left;vertical-align:top}
            pre{background:#f6f6f6;padding:6px;white-space:pre-wrap;word-break:break-all;margin:2px 0}
            .crash,.desync{color:#b00020;font-weight:bold}.framing,.lenient{color:#a06000;font-weight:bold}
            .over-strict,.hang{color:#6a1b9a;font-weight:bold} details summary{cursor:pointer}
            </style></head><body>
            <h1>cathammer fuzz</h1><p>Target <code>\(h(target))</code>, seed \(seed), started \(h(started)),
            \(durationSeconds) s, \(cases) cases, \(executions) executions (\(executionsPerSecond)/s)\(stoppedBecause.map { ", stopped: " + h($0) } ?? "").</p>
            \(tls.map { "<p>\(h($0.line)).</p>" } ?? "")<p>Findings: \(h(countsLine)).</p>
            <table><tr><th>id</th><th>class</th><th>reason</th><th>minimized bytes (one block per write)</th><th>details</th></tr>

            """
        for entry in findings {
            out += "<tr><td><code>\(h(entry.id))</code></td><td class=\"\(entry.class)\">\(entry.class)</td>"
            out += "<td>\(h(entry.reason))<br>\(h(entry.detail))</td><td>"
            out += entry.minimized.map { "<pre>\(h($0))</pre>" }.joined() + "</td>"
            out += "<td><details><summary>\(h(entry.explanation))</summary>"
            out += "<p>Strict: \(h(entry.expected)). Observed: <code>\(h(entry.observed))</code>."
            out += entry.referenceOutcome.map { " Reference server: <code>\(h($0))</code>." } ?? ""
            out += "</p><p>From <code>\(h(entry.seedCase))</code> by <code>\(h(entry.mutationPath))</code> (case \(entry.caseIndex)), "
            out += "seen \(entry.hits)×, minimized in \(entry.minimizationTests) executions.</p>"
            out += "<p>Original:</p>" + entry.original.map { "<pre>\(h($0))</pre>" }.joined()
            out += "<p>Reproduce:</p><pre>\(h(entry.reproducer))</pre>"
            out += entry.file.map { "<p>Corpus case: <code>\(h($0))</code></p>" } ?? ""
            out += "</details></td></tr>\n"
        }
        return out + "</table></body></html>\n"
    }

    public func renderMarkdown() -> String {
        var lines = [
            "# cathammer fuzz: \(target)", "",
            "Seed \(seed), \(durationSeconds) s, \(cases) cases, \(executions) executions (\(executionsPerSecond)/s)"
                + (stoppedBecause.map { "; stopped: \($0)" } ?? "") + ".", "",
        ]
        if let tls { lines += [tls.line + ".", ""] }
        lines += ["| class | findings |", "|---|---|"]
        lines += FindingClass.allCases.map { "| \($0.rawValue) | \(findingsByClass[$0.rawValue] ?? 0) |" }
        lines += ["", "| id | class | reason | detail | minimized | seen |", "|---|---|---|---|---|---|"]
        for entry in findings {
            let bytes = entry.minimized.joined(separator: " ⏐ ").replacingOccurrences(of: "|", with: "\\|")
            lines.append("| \(entry.id) | \(entry.class) | \(entry.reason) | \(entry.detail) | `\(bytes)` | \(entry.hits) |")
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
