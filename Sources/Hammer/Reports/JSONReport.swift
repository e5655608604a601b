import Foundation
import HTTPWire

/// `report.json`: one run, stable case ids, everything needed to see why a case got its verdict.
/// Schema: reports/schema/report.schema.json.
public struct JSONReport: Encodable {
    public struct Summary: Encodable {
        var total: Int, pass: Int, warn: Int, fail: Int, flaky: Int, error: Int, skip: Int
        /// How many times each case ran (`--repeat`).
        var `repeat`: Int
        var newFailures: [String]
        var fixed: [String]
    }

    public struct Case: Encodable {
        var id: String
        var title: String
        var category: String
        var level: String
        var rfc: String
        var references: [String]
        var why: String
        var verdict: String
        var expectedPass: [String]
        var expectedWarn: [String]
        var observed: String?
        var statuses: [Int]
        var ending: String?
        var request: [String]
        /// The exact bytes sent and received.
        var requestBase64: String
        var responseBase64: String
        var responseExcerpt: String
        var bytesSent: Int
        var bytesReceived: Int
        var responseAnomalies: [String]
        var durationMs: Int
        var notes: [String]
        var knownFailure: Bool
        /// For FLAKY, the worst verdict among the runs (what the exit status counts).
        var worstVerdict: String
        var verdictReason: String?
        /// Every run in order: one entry, or `--repeat` entries.
        var runs: [RunEntry]
        /// The RFC sentence the strict answer rests on, and the risk in one line.
        var quote: String?
        var risk: String?
        var statusMatters: Bool
        var framing: Bool
        var decoding: Bool
        /// `h1` or `h2`.
        var `protocol`: String
        /// HTTP/2 cases: every frame sent and received, decoded, one line each.
        var framesSent: [String]?
        var framesReceived: [String]?
        /// The case's TLS connection, when it negotiated other parameters than the run's.
        var tls: TLSSessionInfo?
    }

    public struct RunEntry: Encodable {
        var verdict: String
        var observed: String
    }

    var schema = ReportSchema.id
    var tool = "cathammer"
    var version: String
    var kind = "corpus"
    var target: String
    var started: String
    var summary: Summary
    /// Over TLS: what the run's connections negotiated, the client's settings, resumptions.
    var tls: TLSRunSummary?
    var cases: [Case]

    public init(run: CorpusRun, version: String) {
        self.version = version
        target = run.target
        started = ISO8601DateFormatter().string(from: run.started)
        summary = Summary(total: run.results.count, pass: run.count(.pass), warn: run.count(.warn), fail: run.count(.fail),
                          flaky: run.count(.flaky), error: run.count(.error), skip: run.count(.skip), repeat: run.repeatCount, newFailures: run.newFailures.map(\.testCase.id),
                          fixed: run.fixed)
        let tls = run.tls
        self.tls = tls
        cases = run.results.map { result in
            let item = result.testCase
            return Case(
                id: item.id, title: item.title, category: item.category, level: item.level, rfc: item.rfc,
                references: item.references, why: item.why.trimmingCharacters(in: .whitespacesAndNewlines),
                verdict: result.verdict.rawValue, expectedPass: item.pass.map(\.description), expectedWarn: item.warn.map(\.description),
                observed: result.observed?.description, statuses: result.observed?.statuses ?? [],
                ending: result.observed?.ending.rawValue, request: item.sendTexts,
                requestBase64: Data(result.sent).base64EncodedString(), responseBase64: Data(result.received).base64EncodedString(),
                responseExcerpt: ByteEscapes.encode(result.received.prefix(2048)), bytesSent: result.sent.count,
                bytesReceived: result.received.count,
                responseAnomalies: Array(Set(result.responses.flatMap { $0.anomalies.map(\.rawValue) })).sorted(),
                durationMs: result.durationMilliseconds, notes: result.notes,
                knownFailure: run.baseline?.knownFailures.contains(item.id) ?? false,
                worstVerdict: result.worstVerdict.rawValue, verdictReason: result.verdictReason,
                runs: result.runs.map { RunEntry(verdict: $0.verdict.rawValue, observed: $0.observed) },
                quote: item.quote, risk: item.risk, statusMatters: item.statusMatters, framing: item.framing, decoding: item.decoding,
                protocol: item.wireProtocol.rawValue,
                framesSent: item.wireProtocol == .h2 ? result.framesSent : nil,
                framesReceived: item.wireProtocol == .h2 ? result.framesReceived : nil,
                tls: tls?.difference(result.tls, protocol: result.testCase.wireProtocol))
        }
    }

    public func encoded() throws -> Data {
        try ReportSchema.encode(self)
    }
}

/// The published schema every `report.json` follows (reports/schema/report.schema.json).
public enum ReportSchema {
    /// The schema's `$id`, written as each report's `schema` field.
    public static let id = "https://cathammer.invalid/schema/report-v1.json"

    /// Every kind of report.json is written the same way: snake_case keys, sorted, indented.
    static func encode(_ report: some Encodable) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.keyEncodingStrategy = .convertToSnakeCase
        return try encoder.encode(report)
    }
}
