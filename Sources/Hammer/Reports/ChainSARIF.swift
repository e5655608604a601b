import Foundation
import HTTPWire

/// `report.sarif` of a chain run: one rule per case that ran (as `run corpus` describes it), and one
/// result per finding: each back-hop discrepancy that fails the case (level error, its class and
/// what it stands on), plus the client hop's own FAIL (error) or WARN (warning). Every result
/// carries the client's bytes and the origin's view of the case (its bytes per connection, the
/// requests it framed, its rejections, the fence), so a reader of a code-scanning alert sees both
/// hops. Normalization is information only and is not a result. With a baseline, the results of a
/// known failure are `unchanged` and suppressed as accepted, the others `new`.
public enum ChainSARIF {
    public static func log(_ run: ChainRun, version: String, corpus: String,
                           workingDirectory: String = FileManager.default.currentDirectoryPath) -> SARIFLog {
        var ruleIndex: [String: Int] = [:]
        var rules: [SARIFLog.Rule] = []
        for item in run.cases where ruleIndex[item.result.testCase.id] == nil {
            ruleIndex[item.result.testCase.id] = rules.count
            rules.append(CorpusSARIF.rule(item.result.testCase))
        }
        var results: [SARIFLog.Result] = []
        var notifications: [SARIFLog.Notification] = []
        let target = "\(run.front) → \(run.origin)"
        for item in run.cases {
            let testCase = item.result.testCase
            if item.result.verdict == .error {
                notifications.append(SARIFLog.Notification(
                    level: .error, message: "\(testCase.id): the harness could not run the case through the chain (\(item.result.notes.joined(separator: "; ")))"))
                continue
            }
            let known = run.corpus.baseline?.knownFailures.contains(testCase.id) ?? false
            let common = evidence(item)
            func result(level: SARIFLog.Level, finding: String, fingerprint: String, text: String, extra: [String: SARIFLog.Properties.Value]) -> SARIFLog.Result {
                let message = "\(finding) \(testCase.id) through \(target): \(text). \(testCase.level), \(testCase.rfc)"
                let sent = testCase.sendTexts.joined(separator: "\n")
                return SARIFLog.Result(
                    ruleID: testCase.id, ruleIndex: ruleIndex[testCase.id]!, level: level,
                    message: SARIFLog.Text(message + " Client sent: " + sent,
                                           markdown: message + "\n\nClient sent (escaped):\n\n```\n\(sent)\n```\n\nOrigin received (escaped):\n\n```\n"
                                               + originText(item) + "\n```"),
                    location: SARIFLog.Location(.file(CorpusSARIF.casePath(testCase), workingDirectory: workingDirectory)),
                    fingerprint: fingerprint,
                    baselineState: run.corpus.baseline == nil ? nil : (known ? .unchanged : .new),
                    accepted: known ? "a known failure of \(run.front), listed in the run's baseline" : nil,
                    properties: SARIFLog.Properties(common.merging(extra) { _, new in new }))
            }
            if let level = CorpusSARIF.level(verdict: item.clientVerdict) {
                let observed = item.result.observed?.description ?? "nothing"
                results.append(result(
                    level: level, finding: "client hop \(item.clientVerdict.rawValue)", fingerprint: "\(testCase.id)/client-hop",
                    text: "expected \(testCase.pass.map(\.description).joined(separator: " | ")), observed \(observed)"
                        + (item.clientReason.map { ". \($0)" } ?? ""),
                    extra: ["hop": .string("client"), "verdict": .string(item.clientVerdict.rawValue), "observed": .string(observed),
                            "expected": .strings(testCase.pass.map(\.description))]))
            }
            var seen: [String: Int] = [:]
            for discrepancy in item.discrepancies where !discrepancy.kind.informational {
                // Two discrepancies of one class keep apart by their key (a field name, a reason), else by order.
                let key = discrepancy.key.isEmpty ? discrepancy.kind.rawValue : "\(discrepancy.kind.rawValue)/\(discrepancy.key)"
                seen[key, default: 0] += 1
                let fingerprint = "\(testCase.id)/\(key)" + (seen[key]! > 1 ? "#\(seen[key]!)" : "")
                results.append(result(
                    level: .error, finding: "[\(discrepancy.kind.rawValue)]", fingerprint: fingerprint,
                    text: "\(MarkdownReport.oneLine(discrepancy.detail)) (stands on \(discrepancy.basis))",
                    extra: ["hop": .string("origin"), "class": .string(discrepancy.kind.rawValue), "basis": .string(discrepancy.basis),
                            "detail": .string(discrepancy.detail)]))
            }
        }
        let properties = SARIFLog.Properties([
            "kind": .string("chain"), "front": .string(run.front), "origin": .string(run.origin), "corpus": .string(corpus),
        ])
        return SARIFLog(run: SARIFLog.Run(
            version: version, category: "cathammer-chain/" + FolderName.slug(run.front), rules: rules, results: results,
            invocation: SARIFLog.Invocation(started: run.corpus.started, notifications: notifications), properties: properties))
    }

    /// Both hops' bytes, for every result of the case.
    static func evidence(_ item: ChainCaseResult) -> [String: SARIFLog.Properties.Value] {
        var values: [String: SARIFLog.Properties.Value] = [
            "request": .strings(item.result.testCase.sendTexts),
            "clientBytesBase64": .string(Data(item.result.sent).base64EncodedString()),
            "responseExcerpt": .string(ByteEscapes.encode(item.result.received.prefix(2048))),
        ]
        guard let window = item.window else { return values }
        values["originFence"] = .string(window.fence.text)
        values["originBytes"] = .strings(window.connections.map { "#\($0.id): " + ByteEscapes.encode($0.bytes.prefix(2048)) })
        values["originBytesBase64"] = .strings(window.connections.map { Data($0.bytes).base64EncodedString() })
        values["originRequests"] = .strings(window.connections.flatMap { connection in
            connection.requests.map { "#\(connection.id) [\($0.start)..<\($0.end)] \($0.view.method) \($0.view.target) \($0.view.version) (\($0.view.framing), \($0.view.bodyLength) body bytes)" }
        })
        values["originRejections"] = .strings(window.connections.flatMap { connection in
            connection.rejections.map { "#\(connection.id) at \($0.offset): \($0.status) \($0.reason) (\($0.rfcSection))" }
        })
        return values
    }

    static func originText(_ item: ChainCaseResult) -> String {
        guard let window = item.window else { return "(not read)" }
        let text = window.connections.map { "#\($0.id): " + ByteEscapes.encode($0.bytes.prefix(2048)) }.joined(separator: "\n")
        return text.isEmpty ? "(nothing)" : text
    }
}
