import Foundation
import HTTPWire

/// Writes a finding as a corpus case (`<folder>/<ID>.yaml`, the schema of corpus/README.md, so
/// `cathammer corpus lint` and `cathammer run corpus` read it) and a bash reproducer
/// (`<ID>.sh`, ReproducerScript). Moving the file into `corpus/<category>/` needs only its `category` changed.
public enum FindingWriter {
    public struct Written: Sendable, Equatable {
        public var yamlPath: String
        public var reproducerPath: String
    }

    /// The outcome a strict server gives, in corpus notation: the reference server's answer when it
    /// was checked, else derived from the oracle (2xx for each accepted request).
    public static func passPattern(_ finding: Finding) -> String {
        if let reference = finding.referenceOutcome { return reference.description }
        let expectation = finding.expectation
        var parts = Array(repeating: "2xx", count: expectation.requests.count)
        if let rejection = expectation.rejection { parts.append(String(rejection.status)) }
        parts.append("close")
        return parts.joined(separator: " ")
    }

    /// The `<ID>.sh` script (without its header) that replays the writes to the run's server
    /// (ReproducerScript: bash's /dev/tcp, or openssl s_client over TLS).
    public static func reproducer(_ writes: [[UInt8]], endpoint: Endpoint) -> String {
        ReproducerScript.body(writes: writes, endpoint: endpoint)
    }

    static func quoted(_ text: String) -> String { "'" + text.replacingOccurrences(of: "'", with: "''") + "'" }

    public static func yaml(_ finding: Finding, category: String, targetName: String, runSeed: UInt64,
                            reproducer: String) -> String {
        let expectation = finding.expectation
        let rejection = expectation.rejection
        let classification = finding.classification
        let generated = finding.generated
        let how = generated.mutations.isEmpty ? "unchanged" : "mutated by \(generated.mutations.joined(separator: ", "))"
        let why = "Found by cathammer fuzz against \(targetName): \(classification.findingClass.rawValue) — \(classification.explanation). "
            + "Strict parser: \(FindingClassifier.expectationSummary(expectation)). "
            + "Observed on the target: \(finding.observation.outcome). "
            + "From corpus case \(generated.seedID), \(how) (run seed \(runSeed), case \(generated.index)); "
            + "minimized in \(finding.minimizationTests) executions"
            + (finding.minimized.cuts.isEmpty ? "." : "; the bytes are sent in \(finding.minimized.cuts.count + 1) writes.")
        var lines = [
            "# cathammer fuzz finding (\(finding.signature))",
            "# reproduce: \(reproducer)",
            "id: \(finding.id)",
            "title: \(quoted("\(classification.findingClass.rawValue): \(classification.reason) (\(classification.detail))"))",
            "category: \(category)",
            "level: \(rejection?.reason.level ?? "MUST")",
            "rfc: \(rejection?.rfcSection ?? "RFC 9112 §6.3")",
            "quote: \(quoted(FindingQuote.must(forSection: rejection?.rfcSection ?? "RFC 9112 §9.3")))",
            "references: [\(quoted("cathammer fuzz --seed \(runSeed)")), \(quoted("seed case \(generated.seedID)"))]",
            "why: \(quoted(why))",
            "steps:",
        ]
        for segment in finding.minimized.segments {
            lines.append("  - send: \(quoted(ByteEscapes.encode(segment)))")
        }
        lines.append("  - half_close: true")
        lines.append("expect:")
        lines.append("  pass: [\(quoted(passPattern(finding)))]")
        return lines.joined(separator: "\n") + "\n"
    }

    /// Writes both files into `folder` (created if needed); the folder's name is the category.
    public static func write(_ finding: Finding, folder: String, targetName: String, runSeed: UInt64,
                             endpoint: Endpoint) throws -> Written {
        let line = ReproducerScript.invocation(id: finding.id, endpoint: endpoint)
        let script = ReproducerScript.file(comment: "\(finding.signature) against \(targetName)",
                                           writes: finding.minimized.filledSegments(authority: endpoint.authority), endpoint: endpoint)
        return try writeFiles(id: finding.id, folder: folder, script: script) { category in
            yaml(finding, category: category, targetName: targetName, runSeed: runSeed, reproducer: line)
        }
    }

    /// Writes `<folder>/<id>.yaml`, the case `yaml` renders with the folder's name as its category, and
    /// the executable `<folder>/<id>.sh` holding `script`.
    public static func writeFiles(id: String, folder: String, script: String,
                                  yaml: (_ category: String) -> String) throws -> Written {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let category = (folder as NSString).lastPathComponent
        let yamlPath = (folder as NSString).appendingPathComponent("\(id).yaml")
        let shellPath = (folder as NSString).appendingPathComponent("\(id).sh")
        try Data(yaml(category).utf8).write(to: URL(fileURLWithPath: yamlPath))
        try Data(script.utf8).write(to: URL(fileURLWithPath: shellPath))
        chmod(shellPath, 0o755)
        return Written(yamlPath: yamlPath, reproducerPath: shellPath)
    }
}
