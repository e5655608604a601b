import Foundation
import HTTP2Wire
import HTTPWire

/// Writes an HTTP/2 finding as an h2 corpus case (`<folder>/<ID>.yaml`: `protocol: h2`, the standard
/// opening, the minimized writes as `send` steps, the probe PING) and a bash reproducer (`<ID>.sh`, ReproducerScript).
/// The folder's name is the case's category, so it starts with `h2-`.
public enum H2FindingWriter {
    /// The RFC sentence a finding stands on: the corpus's own quote for the violated section when a
    /// MUST case of the corpus quotes it, else the general rule for its kind of error.
    public struct Quotes: Sendable {
        var bySection: [String: String] = [:]

        public init(corpus: [CorpusCase]) {
            for testCase in corpus where testCase.wireProtocol == .h2 && testCase.level == CorpusLevel.must.rawValue {
                if let quote = testCase.quote, bySection[testCase.rfc] == nil { bySection[testCase.rfc] = quote }
            }
        }

        /// Rules the strict layer enforces that the RFC words as SHOULD: a finding on them is not a broken MUST.
        static let shouldRules: [String: (String, String)] = [
            "host-authority-mismatch": ("RFC 9113 §8.3.1", "A server SHOULD treat a request as malformed if it contains a Host header field that identifies an entity that differs from the entity in the \":authority\" pseudo-header field."),
        ]

        /// (rfc, level, quote) for the finding's case.
        func citation(_ finding: H2Finding) -> (String, CorpusLevel, String?) {
            if finding.findingClass == .desync {
                return ("RFC 9113 §5.1.1", .must, "Streams initiated by a client MUST use odd-numbered stream identifiers; those initiated by the server MUST use even-numbered stream identifiers.")
            }
            guard let violation = finding.expectation.violation, finding.classification.reason != "valid" else {
                return ("RFC 9113 §8.1", .policy, nil)
            }
            if let should = Self.shouldRules[violation.reason] { return (should.0, .should, should.1) }
            let section = violation.rfcSection.hasPrefix("RFC") ? violation.rfcSection : "RFC 9113 " + violation.rfcSection
            if let quote = bySection[section] { return (section, .must, quote) }
            if violation.isConnectionError {
                return ("RFC 9113 §5.4.1", .must, "After sending the GOAWAY frame for an error condition, the endpoint MUST close the TCP connection.")
            }
            return ("RFC 9113 §8.1.1", .must, "Malformed requests or responses that are detected MUST be treated as a stream error (Section 5.4.2) of type PROTOCOL_ERROR.")
        }
    }

    /// The outcome a strict server gives, in the corpus notation.
    public static func passPatterns(_ finding: H2Finding) -> [String] {
        let expectation = finding.expectation
        // Requests completed before an error may be answered, and streams reset before it show their
        // RST_STREAM: the patterns name them, with and without.
        let answers = String(repeating: "2xx ", count: expectation.answered.count)
        let resets = Set((Array(expectation.streamErrors.values) + Array(expectation.laterResets.values)).map(\.code.name))
            .sorted().map { "RST_STREAM \($0) " }.joined()
        if let error = expectation.connectionError {
            return Array(Set([answers + resets, answers, resets, ""].map { $0 + "GOAWAY \(error.code.name)" })).sorted()
        }
        if let first = expectation.streamErrors.keys.min(), let violation = expectation.streamErrors[first] {
            let patterns = [answers + resets, answers + "GOAWAY \(violation.code.name)", "GOAWAY \(violation.code.name)"]
            return Array(Set(patterns.map { $0.trimmingCharacters(in: .whitespaces) })).sorted()
        }
        if let reference = finding.referenceOutcome { return [reference.description] }
        return ["PING_ACK"]
    }

    /// The `<ID>.sh` script (without its header) that replays the connection: the opening, each
    /// write, then the probe PING, 0.1 s apart (ReproducerScript).
    public static func reproducer(_ segments: [[UInt8]], endpoint: Endpoint) -> String {
        ReproducerScript.body(writes: writes(segments), endpoint: endpoint)
    }

    /// What the connection sends: the client preface with empty SETTINGS and the SETTINGS ACK, the
    /// finding's writes, the probe PING.
    public static func writes(_ segments: [[UInt8]]) -> [[UInt8]] {
        var opening = HTTP2ConnectionPreface.bytes
        HTTP2FrameEncoder.appendSettings([HTTP2Setting](), into: &opening)
        HTTP2FrameEncoder.appendSettingsAck(into: &opening)
        return [opening] + segments + [H2Oracle.probeBytes]
    }

    public static func yaml(_ finding: H2Finding, category: String, targetName: String, runSeed: UInt64, quotes: Quotes,
                            reproducer: String) -> String {
        let classification = finding.classification
        let generated = finding.generated
        let how = generated.mutations.isEmpty ? "unchanged" : "mutated by \(generated.mutations.joined(separator: ", "))"
        let why = "Found by cathammer fuzz --protocol h2 against \(targetName): \(classification.findingClass.rawValue) — \(classification.explanation). "
            + "Observed on the target: \(finding.observation.description). "
            + "From corpus case \(generated.seedID), \(how) (run seed \(runSeed), case \(generated.index)); "
            + "minimized in \(finding.minimizationTests) executions"
            + (finding.minimized.cuts.isEmpty ? "." : "; the bytes are sent in \(finding.minimized.cuts.count + 1) writes.")
            + " The last step is the fuzzer's probe PING: a server that acknowledges it read on past the error."
        let (rfc, level, quote) = quotes.citation(finding)
        var lines = [
            "# cathammer fuzz finding (\(finding.signature))",
            "# reproduce: \(reproducer)",
            "id: \(finding.id)",
            "title: \(FindingWriter.quoted("\(classification.findingClass.rawValue): \(classification.reason) (\(classification.detail))"))",
            "category: \(category)",
            "protocol: h2",
            "level: \(level.rawValue)",
            "rfc: \(rfc)",
        ]
        if let quote { lines.append("quote: \(FindingWriter.quoted(quote))") }
        lines += [
            "references: [\(FindingWriter.quoted("cathammer fuzz --protocol h2 --seed \(runSeed)")), \(FindingWriter.quoted("seed case \(generated.seedID)"))]",
            "why: \(FindingWriter.quoted(why))",
            "steps:",
        ]
        for segment in finding.minimized.segments {
            lines.append("  - send: \(FindingWriter.quoted(ByteEscapes.encode(segment)))")
        }
        lines.append("  - frame: {type: PING, opaque: '\(H2Hex.encode(Array(H2Oracle.probeBytes.dropFirst(9))))'}")
        lines.append("expect:")
        lines.append("  pass: [\(passPatterns(finding).map(FindingWriter.quoted).joined(separator: ", "))]")
        return lines.joined(separator: "\n") + "\n"
    }

    public static func write(_ finding: H2Finding, folder: String, targetName: String, runSeed: UInt64, quotes: Quotes,
                             endpoint: Endpoint) throws -> FindingWriter.Written {
        let line = ReproducerScript.invocation(id: finding.id, endpoint: endpoint)
        let script = ReproducerScript.file(comment: "\(finding.signature) against \(targetName)",
                                           writes: writes(finding.minimized.filledSegments(authority: endpoint.authority)), endpoint: endpoint)
        return try FindingWriter.writeFiles(id: finding.id, folder: folder, script: script) { category in
            yaml(finding, category: category, targetName: targetName, runSeed: runSeed, quotes: quotes, reproducer: line)
        }
    }
}
