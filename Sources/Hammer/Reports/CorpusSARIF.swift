import Foundation
import HTTPWire

/// `report.sarif` of a corpus run: one rule per case that ran (its title, the RFC sentence and
/// `why` as help, the RFC section as help link), one result per FAIL (level error) and WARN
/// (warning) with the request bytes and the observed outcome, at the case's corpus file. A FLAKY
/// case is an error when one of its runs failed, else a warning; a case the harness could not run
/// (ERROR) is a notification of the run, not a finding about the target. With a baseline, known
/// failures are `unchanged` and suppressed as accepted, the others `new`.
public enum CorpusSARIF {
    public static func log(_ run: CorpusRun, version: String, corpus: String,
                           workingDirectory: String = FileManager.default.currentDirectoryPath) -> SARIFLog {
        var ruleIndex: [String: Int] = [:]
        var rules: [SARIFLog.Rule] = []
        for result in run.results where ruleIndex[result.testCase.id] == nil {
            ruleIndex[result.testCase.id] = rules.count
            rules.append(rule(result.testCase))
        }
        var results: [SARIFLog.Result] = []
        var notifications: [SARIFLog.Notification] = []
        for result in run.results {
            let item = result.testCase
            if result.verdict == .error {
                notifications.append(SARIFLog.Notification(
                    level: .error, message: "\(item.id): the harness could not run the case (\(observed(result)); \(result.notes.joined(separator: "; ")))"))
                continue
            }
            guard let level = level(result) else { continue }
            let known = run.baseline?.knownFailures.contains(item.id) ?? false
            results.append(SARIFLog.Result(
                ruleID: item.id, ruleIndex: ruleIndex[item.id]!, level: level, message: message(result, target: run.target),
                location: SARIFLog.Location(.file(casePath(item), workingDirectory: workingDirectory)), fingerprint: item.id,
                baselineState: run.baseline == nil ? nil : (known ? .unchanged : .new),
                accepted: known ? "a known failure of \(run.target), listed in the run's baseline" : nil,
                properties: SARIFLog.Properties([
                    "verdict": .string(result.verdict.rawValue),
                    "expected": .strings(item.pass.map(\.description)),
                    "observed": .string(observed(result)),
                    "request": .strings(item.sendTexts),
                    "requestBase64": .string(Data(result.sent).base64EncodedString()),
                    "responseExcerpt": .string(ByteEscapes.encode(result.received.prefix(2048))),
                ])))
        }
        let properties = SARIFLog.Properties([
            "kind": .string("corpus"), "target": .string(run.target), "corpus": .string(corpus), "repeat": .int(run.repeatCount),
        ])
        return SARIFLog(run: SARIFLog.Run(
            version: version, category: "cathammer-corpus/" + FolderName.slug(run.target), rules: rules, results: results,
            invocation: SARIFLog.Invocation(started: run.started, notifications: notifications), properties: properties))
    }

    /// error for a failure (FAIL, or FLAKY with a failing run), warning for WARN and a FLAKY case
    /// that only moved between PASS and WARN; nil for what is not a finding.
    static func level(_ result: CaseResult) -> SARIFLog.Level? {
        switch result.verdict {
        case .fail: return .error
        case .warn: return .warning
        case .flaky: return result.isFailure ? .error : .warning
        case .pass, .skip, .error: return nil
        }
    }

    /// The level of one verdict on its own (a chain run's client hop, which runs once).
    static func level(verdict: Verdict) -> SARIFLog.Level? {
        switch verdict {
        case .fail, .flaky: return .error
        case .warn: return .warning
        case .pass, .skip, .error: return nil
        }
    }

    static func rule(_ item: CorpusCase) -> SARIFLog.Rule {
        let link = RFCLink.url(item.rfc)
        let quote = item.quote.map { MarkdownReport.oneLine($0) }
        let why = MarkdownReport.oneLine(item.why)
        var text = why + "\n\n\(item.level), \(item.rfc) (\(link))"
        var markdown = why + "\n\n**\(item.level)**, [\(item.rfc)](\(link))"
        if let quote {
            text += ": “\(quote)”"
            markdown += ":\n\n> \(quote)"
        }
        if let risk = item.risk {
            text += "\n\nRisk: \(risk)"
            markdown += "\n\nRisk: \(risk)"
        }
        return SARIFLog.Rule(
            id: item.id, name: item.id, title: item.title, description: quote ?? why, help: SARIFLog.Text(text, markdown: markdown),
            helpURI: link, level: item.level == CorpusLevel.must.rawValue ? .error : .warning,
            properties: SARIFLog.Properties(tags: [item.category, item.level]))
    }

    static func message(_ result: CaseResult, target: String) -> SARIFLog.Text {
        let item = result.testCase
        var text = "\(result.verdict.rawValue) \(item.id) against \(target): expected \(item.pass.map(\.description).joined(separator: " | ")), "
            + "observed \(observed(result))"
        if let reason = result.verdictReason { text += ". \(reason)" }
        if !result.notes.isEmpty { text += " (\(result.notes.joined(separator: "; ")))" }
        text += ". \(item.level), \(item.rfc)" + (item.quote.map { ": “\(MarkdownReport.oneLine($0))”" } ?? "")
        let request = item.sendTexts.joined(separator: "\n")
        return SARIFLog.Text(text + " Request: " + request, markdown: text + "\n\nRequest (escaped):\n\n```\n\(request)\n```")
    }

    static func observed(_ result: CaseResult) -> String {
        result.verdict == .flaky ? result.outcomesSeen.joined(separator: " / ") : result.observed?.description ?? "nothing"
    }

    /// The case's file; the libcurl checks, built into cathammer, are named `libcurl/<ID>`.
    static func casePath(_ item: CorpusCase) -> String {
        item.path.hasSuffix(".yaml") ? item.path : "\(item.path)/\(item.id)"
    }
}
