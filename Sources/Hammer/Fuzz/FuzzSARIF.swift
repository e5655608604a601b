import Foundation

/// `report.sarif` of a fuzzing run: one rule per finding class, one result per finding at the
/// corpus case written for it (`<findings>/<target>/<ID>.yaml`), with the minimized request bytes
/// and what the target and the strict parser did; a class the run fails on (`--fail-on`) is an
/// error, any other a warning.
public enum FuzzSARIF {
    public static func log(_ report: FuzzReport, failingClasses: Set<FindingClass>, findingsFolder: String,
                           workingDirectory: String = FileManager.default.currentDirectoryPath) -> SARIFLog {
        let rules = FindingClass.allCases.map { kind in
            SARIFLog.Rule(id: ruleID(kind), name: kind.rawValue, title: "Fuzzing finding: \(kind.meaning)", description: nil,
                          help: SARIFLog.Text("A mutated corpus case on which \(kind.meaning). The finding is minimized and written as a corpus case with a bash reproducer (bash's /dev/tcp, timeout, xxd)."),
                          helpURI: nil, level: failingClasses.contains(kind) ? .error : .warning,
                          properties: SARIFLog.Properties(tags: ["fuzz", kind.rawValue]))
        }
        let results = report.findings.compactMap { entry -> SARIFLog.Result? in
            guard let kind = FindingClass(rawValue: entry.class), let index = FindingClass.allCases.firstIndex(of: kind) else { return nil }
            let file = entry.file ?? (findingsFolder as NSString).appendingPathComponent("\(entry.id).yaml")
            var text = "\(kind.rawValue) \(entry.id) against \(report.target): \(entry.explanation) Strict: \(entry.expected); observed \(entry.observed)"
            if let reference = entry.referenceOutcome { text += "; the reference server: \(reference)" }
            let request = entry.minimized.joined(separator: "\n")
            var values: [String: SARIFLog.Properties.Value] = [
                "expected": .string(entry.expected), "observed": .string(entry.observed), "request": .strings(entry.minimized),
                "requestBase64": .string(entry.minimizedBase64), "original": .strings(entry.original), "reproducer": .string(entry.reproducer),
                "seedCase": .string(entry.seedCase), "mutationPath": .string(entry.mutationPath), "hits": .int(entry.hits),
            ]
            if let reference = entry.referenceOutcome { values["referenceOutcome"] = .string(reference) }
            return SARIFLog.Result(
                ruleID: ruleID(kind), ruleIndex: index, level: failingClasses.contains(kind) ? .error : .warning,
                message: SARIFLog.Text(text + ". Request: " + request, markdown: text + ".\n\nMinimized request (escaped, one line per write):\n\n```\n\(request)\n```"),
                location: SARIFLog.Location(.file(file, workingDirectory: workingDirectory)), fingerprint: entry.signature,
                properties: SARIFLog.Properties(values))
        }
        let properties = SARIFLog.Properties([
            "kind": .string("fuzz"), "target": .string(report.target), "seed": .string(String(report.seed)),
            "cases": .int(report.cases), "executions": .int(report.executions),
        ])
        let started = ISO8601DateFormatter().date(from: report.started) ?? Date()
        var notifications: [SARIFLog.Notification] = []
        if let reason = report.stoppedBecause { notifications.append(SARIFLog.Notification(level: .warning, message: "stopped early: \(reason)")) }
        return SARIFLog(run: SARIFLog.Run(
            version: report.version, category: "cathammer-fuzz/" + FolderName.slug(report.target), rules: rules, results: results,
            invocation: SARIFLog.Invocation(started: started, notifications: notifications), properties: properties))
    }

    static func ruleID(_ kind: FindingClass) -> String { "fuzz/\(kind.rawValue)" }
}
