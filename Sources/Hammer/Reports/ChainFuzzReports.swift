import CathammerContract
import Foundation
import HTTPWire

/// The report folder of `cathammer fuzz --front`: `report.json` (`kind: chain-fuzz` in the shared
/// report schema), `index.html` (every finding with the three views: the bytes the client sent, the
/// front's responses, the bytes the origin received), `junit.xml` (one test per failing discrepancy
/// class, failed by its findings), `summary.md`, and on request `report.sarif` (ChainFuzzSARIF).
public struct ChainFuzzReport: Encodable {
    public struct Entry: Encodable {
        var id: String
        /// The failing discrepancy classes the minimized stream keeps.
        var classes: [String]
        var signature: String
        /// Every discrepancy of the minimized stream's run, normalization included.
        var discrepancies: [Discrepancy]
        var seedCase: String
        var mutationPath: String
        var caseIndex: Int
        var foundAfterSeconds: Double
        var minimizationTests: Int
        /// In the corpus escape notation, one string per write.
        var minimized: [String]
        var minimizedBase64: String
        var original: [String]
        /// What the client got back from the front.
        var clientObserved: String
        var clientResponseBase64: String
        /// What the origin received for the minimized stream (nil: its records could not be read).
        var origin: ChainJSONReport.Origin?
        var reproducer: String
        var file: String?
    }

    var version: String
    var target: String
    var started: String
    var front: String
    var frontCommand: String
    var origin: String
    var seed: UInt64
    var durationSeconds: Double
    var cases: Int
    var executions: Int
    var executionsPerSecond: Double
    /// Generated cases that showed each failing class, before deduplication.
    var casesByClass: [String: Int]
    /// Findings per failing class (a finding with two classes counts for both).
    var findingsByClass: [String: Int]
    var findings: [Entry]
    /// The findings as found, for the views that need their bytes (the HTML, SARIF); not encoded.
    let found: [ChainFinding]

    /// `files`: finding id → the corpus case written for it; `reproducers`: finding id → its line.
    public init(summary: ChainFuzzSummary, front: String, frontCommand: String, origin: String, seed: UInt64, version: String,
                files: [String: String], reproducers: [String: String]) {
        self.version = version
        target = front
        self.front = front
        self.frontCommand = frontCommand
        self.origin = origin
        self.seed = seed
        started = ISO8601DateFormatter().string(from: summary.started)
        durationSeconds = (summary.elapsed * 10).rounded() / 10
        cases = summary.cases
        executions = summary.executions
        executionsPerSecond = summary.elapsed > 0 ? (Double(summary.executions) / summary.elapsed * 10).rounded() / 10 : 0
        let failing = DiscrepancyClass.allCases.filter { !$0.informational }
        casesByClass = Dictionary(uniqueKeysWithValues: failing.map { ($0.rawValue, summary.hits[$0] ?? 0) })
        findingsByClass = Dictionary(uniqueKeysWithValues: failing.map { kind in
            (kind.rawValue, summary.findings.filter { $0.classes.contains(kind) }.count)
        })
        found = summary.findings
        findings = summary.findings.map { finding in
            let result = finding.result
            return Entry(
                id: finding.id, classes: finding.classes.map(\.rawValue), signature: finding.signature, discrepancies: result.discrepancies,
                seedCase: finding.generated.seedID, mutationPath: finding.generated.mutationPath, caseIndex: finding.generated.index,
                foundAfterSeconds: (finding.foundAfter * 10).rounded() / 10, minimizationTests: finding.minimizationTests,
                minimized: finding.minimized.segments.map(ByteEscapes.encode),
                minimizedBase64: Data(finding.minimized.bytes).base64EncodedString(),
                original: finding.generated.input.segments.map(ByteEscapes.encode),
                clientObserved: result.result.observed?.description ?? "nothing",
                clientResponseBase64: Data(result.result.received).base64EncodedString(),
                origin: result.window.map { ChainJSONReport.origin($0, fenceStatus: result.fenceStatus) },
                reproducer: reproducers[finding.id] ?? "", file: files[finding.id])
        }
    }

    /// The run's own figures, under `chain_fuzz` in report.json; the envelope carries the rest.
    enum CodingKeys: String, CodingKey {
        case front, frontCommand, origin, seed, durationSeconds, cases, executions, executionsPerSecond, casesByClass, findingsByClass, findings
    }

    /// What every cathammer report.json starts with (reports/schema/report.schema.json).
    struct Envelope: Encodable {
        var schema = ReportSchema.id
        var tool = "cathammer"
        var version: String
        var kind = "chain-fuzz"
        var target: String
        var started: String
        var chainFuzz: ChainFuzzReport
    }

    public func encoded() throws -> Data {
        try ReportSchema.encode(Envelope(version: version, target: target, started: started, chainFuzz: self))
    }

    var failingClasses: [DiscrepancyClass] { DiscrepancyClass.allCases.filter { !$0.informational } }

    var runLine: String {
        "seed \(seed), \(durationSeconds) s, \(cases) cases, \(executions) executions (\(executionsPerSecond)/s)"
    }

    public func renderMarkdown() -> String {
        var lines = [
            "# cathammer chain fuzzing through \(front)", "",
            "Front `\(frontCommand)` before the \(origin); \(runLine).", "",
            "| class | cases that showed it | findings |", "|---|---:|---:|",
        ]
        lines += failingClasses.map { "| \($0.rawValue) | \(casesByClass[$0.rawValue] ?? 0) | \(findingsByClass[$0.rawValue] ?? 0) |" }
        lines.append("")
        if findings.isEmpty { return (lines + ["No finding: no case showed a failing discrepancy class."]).joined(separator: "\n") + "\n" }
        lines += ["| finding | classes | what the origin shows | minimized | minimization runs | found after |", "|---|---|---|---|---:|---:|"]
        for entry in findings {
            let detail = entry.discrepancies.filter { !$0.kind.informational }
                .map { MarkdownReport.cell($0.line) }.joined(separator: "<br>")
            let bytes = entry.minimized.joined(separator: " ⏐ ").replacingOccurrences(of: "|", with: "\\|")
            lines.append("| \(entry.id) | \(entry.classes.joined(separator: ", ")) | \(detail) | `\(bytes)` | \(entry.minimizationTests) | "
                         + "\(Int(entry.foundAfterSeconds.rounded())) s |")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// One testcase per failing class: a class with findings fails, listing them.
    public func renderJUnit() -> String {
        let escape = MarkupEscape.text
        let failures = failingClasses.filter { (findingsByClass[$0.rawValue] ?? 0) > 0 }.count
        var out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        out += "<testsuites name=\"cathammer chain fuzz\" tests=\"\(failingClasses.count)\" failures=\"\(failures)\" errors=\"0\">\n"
        out += "  <testsuite name=\"chain-fuzz \(escape(front))\" tests=\"\(failingClasses.count)\" failures=\"\(failures)\" errors=\"0\" time=\"\(durationSeconds)\">\n"
        out += "    <properties><property name=\"seed\" value=\"\(seed)\"/><property name=\"front\" value=\"\(escape(frontCommand))\"/>"
        out += "<property name=\"cases\" value=\"\(cases)\"/><property name=\"executions\" value=\"\(executions)\"/></properties>\n"
        for kind in failingClasses {
            let found = findings.filter { $0.classes.contains(kind.rawValue) }
            out += "    <testcase classname=\"cathammer.chain-fuzz.\(escape(FolderName.slug(front)))\" name=\"\(kind.rawValue)\" time=\"\(durationSeconds)\">\n"
            if !found.isEmpty {
                let message = "\(found.count) finding(s) of class \(kind.rawValue) through \(front): " + found.map(\.id).joined(separator: ", ")
                out += "      <failure message=\"\(escape(message))\" type=\"\(kind.rawValue)\">"
                for entry in found {
                    let details = entry.discrepancies.filter { $0.kind == kind }.map(\.line).joined(separator: "; ")
                    out += escape("\(entry.id): \(details)\n  sent: \(entry.minimized.joined(separator: " | "))\n  reproduce: \(entry.reproducer)\n")
                }
                out += "</failure>\n"
            }
            out += "      <system-out>\(casesByClass[kind.rawValue] ?? 0) of \(cases) generated cases showed it</system-out>\n"
            out += "    </testcase>\n"
        }
        return out + "  </testsuite>\n</testsuites>\n"
    }

    public func renderHTML() -> String {
        let h = MarkupEscape.text
        var out = """
            <!doctype html><html><head><meta charset="utf-8"><title>cathammer chain fuzz: \(h(front))</title>
            <style>
            body{font:14px system-ui,sans-serif;margin:2em;color:#222} table{border-collapse:collapse;width:100%}
            td,th{border-bottom:1px solid #ddd;padding:4px 8px;text-align:left;vertical-align:top}
            pre{background:#f6f6f6;padding:6px;white-space:pre-wrap;word-break:break-all;margin:0}
            .views{display:grid;grid-template-columns:1fr 1fr 1fr;gap:8px} .views h4{margin:4px 0}
            .boundary{color:#1a4f9c;font-weight:bold} .reject{color:#b00020;font-weight:bold} .unfinished{background:#ffe0b2}
            .cls{display:inline-block;border-radius:3px;padding:0 4px;margin-right:4px;background:#ffcdd2;font-size:90%}
            </style></head><body>
            <h1>cathammer chain fuzz</h1>
            <p>Front <code>\(h(frontCommand))</code> (\(h(front))) → \(h(origin)); \(h(runLine)), started \(h(started)).</p>
            <table><tr><th>class</th>\(failingClasses.map { "<th>\($0.rawValue)</th>" }.joined())</tr>
            <tr><td>cases</td>\(failingClasses.map { "<td>\(casesByClass[$0.rawValue] ?? 0)</td>" }.joined())</tr>
            <tr><td>findings</td>\(failingClasses.map { "<td>\(findingsByClass[$0.rawValue] ?? 0)</td>" }.joined())</tr></table>
            <h2>Findings</h2>

            """
        if findings.isEmpty { out += "<p>No finding: no case showed a failing discrepancy class.</p>\n" }
        for (entry, finding) in zip(findings, found) {
            let result = finding.result.result
            out += "<h3><code>\(h(entry.id))</code> " + entry.classes.map { "<span class=\"cls\">\(h($0))</span>" }.joined() + "</h3>\n"
            out += "<ul>" + entry.discrepancies.map { "<li>[\(h($0.kind.rawValue))] \(h($0.detail)) (\(h($0.basis)))</li>" }.joined() + "</ul>\n"
            out += "<p>From <code>\(h(entry.seedCase))</code> by <code>\(h(entry.mutationPath))</code> (case \(entry.caseIndex)), found after "
                + "\(entry.foundAfterSeconds) s, minimized in \(entry.minimizationTests) executions"
                + (entry.file.map { "; corpus case <code>\(h($0))</code>" } ?? "") + ".</p>\n"
            out += "<div class=\"views\"><div><h4>client sent (\(result.sent.count) bytes, one block per write)</h4>"
                + entry.minimized.map { "<pre>\(h($0))</pre>" }.joined() + "</div>"
            out += "<div><h4>front's responses (\(result.received.count) bytes, \(h(entry.clientObserved)))</h4><pre>\(h(ByteEscapes.encode(result.received.prefix(8192))))</pre></div>"
            out += "<div><h4>origin received" + (finding.result.window.map { " (fence \(h($0.fence.text)))" } ?? "") + "</h4>"
                + ChainHTMLReport.originView(finding.result.window) + "</div></div>\n"
            out += "<details><summary>original case and reproducer</summary>" + entry.original.map { "<pre>\(h($0))</pre>" }.joined()
                + "<p>Reproduce:</p><pre>\(h(entry.reproducer))</pre></details>\n"
        }
        return out + "</body></html>\n"
    }
}

/// `report.sarif` of a chain fuzzing run: one rule per failing discrepancy class, one result (an
/// error: every such class is a FAIL of `run chain`) per finding and class, at the corpus case written
/// for it, with both hops' bytes (ChainSARIF's evidence) and the `run chain` reproducer.
public enum ChainFuzzSARIF {
    public static func log(_ report: ChainFuzzReport, findingsFolder: String,
                           workingDirectory: String = FileManager.default.currentDirectoryPath) -> SARIFLog {
        let classes = report.failingClasses
        let rules = classes.map { kind in
            SARIFLog.Rule(id: ruleID(kind), name: kind.rawValue, title: "Chain fuzzing finding: \(kind.rawValue)", description: nil,
                          help: SARIFLog.Text("A mutated corpus case sent through the front on which the hops disagree as \(kind.rawValue) "
                                              + "(see the discrepancy classes of run chain). The finding is minimized and written as a chain corpus "
                                              + "case with a `cathammer run chain` reproducer."),
                          helpURI: nil, level: .error, properties: SARIFLog.Properties(tags: ["chain", "fuzz", kind.rawValue]))
        }
        var results: [SARIFLog.Result] = []
        for (entry, finding) in zip(report.findings, report.found) {
            let file = entry.file ?? (findingsFolder as NSString).appendingPathComponent("\(entry.id).yaml")
            let sent = entry.minimized.joined(separator: "\n")
            for kind in finding.classes {
                guard let index = classes.firstIndex(of: kind) else { continue }
                let details = finding.result.discrepancies.filter { $0.kind == kind }
                let text = "[\(kind.rawValue)] \(entry.id) through \(report.front): "
                    + details.map { "\(MarkdownReport.oneLine($0.detail)) (stands on \($0.basis))" }.joined(separator: "; ")
                var values = ChainSARIF.evidence(finding.result)
                values["request"] = .strings(entry.minimized)
                values["original"] = .strings(entry.original)
                values["reproducer"] = .string(entry.reproducer)
                values["seedCase"] = .string(entry.seedCase)
                values["mutationPath"] = .string(entry.mutationPath)
                values["class"] = .string(kind.rawValue)
                values["basis"] = .strings(details.map(\.basis))
                results.append(SARIFLog.Result(
                    ruleID: ruleID(kind), ruleIndex: index, level: .error,
                    message: SARIFLog.Text(text + ". Client sent: " + sent,
                                           markdown: text + ".\n\nClient sent (escaped, one line per write):\n\n```\n\(sent)\n```\n\nOrigin received (escaped):\n\n```\n"
                                               + ChainSARIF.originText(finding.result) + "\n```"),
                    location: SARIFLog.Location(.file(file, workingDirectory: workingDirectory)),
                    fingerprint: "\(entry.signature)/\(kind.rawValue)", properties: SARIFLog.Properties(values)))
            }
        }
        let properties = SARIFLog.Properties([
            "kind": .string("chain-fuzz"), "front": .string(report.front), "frontCommand": .string(report.frontCommand),
            "origin": .string(report.origin), "seed": .string(String(report.seed)), "cases": .int(report.cases),
            "executions": .int(report.executions),
        ])
        let started = ISO8601DateFormatter().date(from: report.started) ?? Date()
        return SARIFLog(run: SARIFLog.Run(
            version: report.version, category: "cathammer-chain-fuzz/" + FolderName.slug(report.front), rules: rules, results: results,
            invocation: SARIFLog.Invocation(started: started, notifications: []), properties: properties))
    }

    static func ruleID(_ kind: DiscrepancyClass) -> String { "chain-fuzz/\(kind.rawValue)" }
}
