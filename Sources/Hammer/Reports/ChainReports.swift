import CathammerContract
import Foundation
import HTTPWire

/// `report.json` of `run chain`: the corpus report's fields for each case (client hop), plus what
/// the origin received for it and every discrepancy between the hops.
public struct ChainJSONReport: Encodable {
    /// The back hop: the front, the origin, and per case what the origin received.
    struct Chain: Encodable {
        var front: String
        var origin: String
        /// Cases per discrepancy class.
        var discrepancies: [String: Int]
        var cases: [ChainCase]
    }

    struct ChainCase: Encodable {
        var id: String
        var clientVerdict: String
        var clientReason: String?
        var discrepancies: [Discrepancy]
        var origin: Origin?
    }

    struct Origin: Encodable {
        var fence: String
        var fenceStatus: Int?
        var connections: [Connection]
    }

    struct Connection: Encodable {
        var id: Int
        var opened: Bool
        var peerClosed: Bool
        var closed: Bool
        var startOffset: Int
        var bytesBase64: String
        var bytesExcerpt: String
        var requests: [Request]
        var rejections: [OriginConnection.Rejection]
        var unfinishedBytes: Int
    }

    struct Request: Encodable {
        var start: Int
        var end: Int
        var method: String
        var target: String
        var version: String
        var framing: String
        var bodyLength: Int
        var bodySha256: String
        var fields: [String]
    }

    var schema = ReportSchema.id
    var tool = "cathammer"
    var version: String
    var kind = "chain"
    var target: String
    var started: String
    var summary: JSONReport.Summary
    /// Every case as `run corpus` reports it (final verdict: the worse of the two hops).
    var cases: [JSONReport.Case]
    var chain: Chain

    public init(run: ChainRun, version: String) {
        let corpus = JSONReport(run: run.corpus, version: version)
        self.version = version
        target = run.corpus.target
        started = corpus.started
        summary = corpus.summary
        cases = corpus.cases
        chain = Chain(
            front: run.front, origin: run.origin,
            discrepancies: Dictionary(uniqueKeysWithValues: DiscrepancyClass.allCases.map { ($0.rawValue, run.classCounts[$0] ?? 0) }),
            cases: run.cases.map { item in
                ChainCase(id: item.result.testCase.id, clientVerdict: item.clientVerdict.rawValue, clientReason: item.clientReason,
                          discrepancies: item.discrepancies, origin: item.window.map { Self.origin($0, fenceStatus: item.fenceStatus) })
            })
    }

    static func origin(_ window: OriginWindow, fenceStatus: Int?) -> Origin {
        Origin(fence: window.fence.text, fenceStatus: fenceStatus, connections: window.connections.map { connection in
            Connection(
                id: connection.id, opened: connection.opened, peerClosed: connection.peerClosed, closed: connection.closed,
                startOffset: connection.startOffset, bytesBase64: Data(connection.bytes).base64EncodedString(),
                bytesExcerpt: ByteEscapes.encode(connection.bytes.prefix(2048)),
                requests: connection.requests.map { request in
                    let view = request.view
                    return Request(start: request.start, end: request.end, method: view.method, target: view.target, version: view.version,
                                   framing: view.framing, bodyLength: view.bodyLength, bodySha256: view.bodySHA256,
                                   fields: view.headers.map { "\($0.name): \($0.value ?? "(base64) " + ($0.valueBase64 ?? ""))" })
                },
                rejections: connection.rejections, unfinishedBytes: connection.unfinishedBytes)
        })
    }

    public func encoded() throws -> Data { try ReportSchema.encode(self) }
}

/// `summary.md` of `run chain`: counts, discrepancies by class, every case with a failing class.
public enum ChainMarkdownReport {
    public static func render(_ run: ChainRun) -> String {
        let corpus = run.corpus
        var out = "# cathammer chain run: \(run.front) → \(run.origin)\n\n"
        out += "| total | pass | warn | fail | error | skip |\n|---:|---:|---:|---:|---:|---:|\n"
        out += "| \(corpus.results.count) | \(corpus.count(.pass)) | \(corpus.count(.warn)) | \(corpus.count(.fail)) | \(corpus.count(.error)) | \(corpus.count(.skip)) |\n\n"
        if corpus.baseline != nil {
            out += "New failures (not in the baseline): \(corpus.newFailures.count)"
            out += corpus.fixed.isEmpty ? "\n\n" : "; fixed since the baseline: \(corpus.fixed.joined(separator: ", "))\n\n"
        }
        let counts = run.classCounts
        out += "Discrepancies between the hops (cases per class; normalization is information only):\n\n"
        out += "| " + DiscrepancyClass.allCases.map(\.rawValue).joined(separator: " | ") + " |\n"
        out += "|" + DiscrepancyClass.allCases.map { _ in "---:" }.joined(separator: "|") + "|\n"
        out += "| " + DiscrepancyClass.allCases.map { String(counts[$0] ?? 0) }.joined(separator: " | ") + " |\n\n"
        let flagged = run.cases.filter { !$0.failingClasses.isEmpty }
        if !flagged.isEmpty {
            out += "## Back-hop findings\n\n"
            for item in flagged {
                out += "- **\(item.result.testCase.id)** (client hop \(item.clientVerdict.rawValue), observed `\(item.result.observed?.description ?? "nothing")`)\n"
                for discrepancy in item.discrepancies where !discrepancy.kind.informational {
                    out += "  - [\(discrepancy.kind.rawValue)] \(MarkdownReport.oneLine(discrepancy.detail))\n"
                }
            }
            out += "\n"
        }
        let clientFailures = run.cases.filter { $0.clientVerdict == .fail || $0.clientVerdict == .error }
        if !clientFailures.isEmpty {
            out += "## Client-hop failures\n\n| verdict | id | expected | observed | why |\n|---|---|---|---|---|\n"
            for item in clientFailures {
                out += "| \(item.clientVerdict.rawValue) | \(item.result.testCase.id) | \(MarkdownReport.cell(item.result.testCase.pass.map(\.description).joined(separator: " / "))) | "
                out += "\(MarkdownReport.cell(item.result.observed?.description ?? "–")) | \(MarkdownReport.cell(item.clientReason ?? "")) |\n"
            }
        }
        return out
    }
}

/// `index.html` of `run chain`: per case the three views side by side: the bytes the client sent,
/// the front's responses, and the bytes the origin received (request boundaries marked).
public enum ChainHTMLReport {
    public static func render(_ run: ChainRun) -> String {
        let html = MarkupEscape.text
        let corpus = run.corpus
        let counts = run.classCounts
        var out = """
            <!doctype html><html><head><meta charset="utf-8"><title>cathammer chain: \(html(run.front))</title>
            <style>
            body{font:14px system-ui,sans-serif;margin:2em;color:#222} table{border-collapse:collapse;width:100%}
            td,th{border-bottom:1px solid #ddd;padding:4px 8px;text-align:left;vertical-align:top}
            .PASS{color:#176f2c;font-weight:bold}.WARN{color:#a06000;font-weight:bold}.FAIL{color:#b00020;font-weight:bold}
            .FLAKY{color:#c2185b;font-weight:bold}.ERROR{color:#6a1b9a;font-weight:bold}.SKIP{color:#666;font-weight:bold}
            pre{background:#f6f6f6;padding:6px;white-space:pre-wrap;word-break:break-all;margin:0}
            .views{display:grid;grid-template-columns:1fr 1fr 1fr;gap:8px} .views h4{margin:4px 0}
            .boundary{color:#1a4f9c;font-weight:bold} .reject{color:#b00020;font-weight:bold} .unfinished{background:#ffe0b2}
            .cls{display:inline-block;border-radius:3px;padding:0 4px;margin-right:4px;background:#eee;font-size:90%}
            .cls.fail{background:#ffcdd2}
            </style></head><body>
            <h1>cathammer chain run</h1>
            <p>Front <code>\(html(run.front))</code> → origin <code>\(html(run.origin))</code></p>
            <p>total \(corpus.results.count) · <span class="PASS">pass \(corpus.count(.pass))</span> · <span class="WARN">warn \(corpus.count(.warn))</span> ·
            <span class="FAIL">fail \(corpus.count(.fail))</span> · <span class="ERROR">error \(corpus.count(.error))</span> · <span class="SKIP">skip \(corpus.count(.skip))</span></p>
            <table><tr>\(DiscrepancyClass.allCases.map { "<th>\($0.rawValue)</th>" }.joined())</tr>
            <tr>\(DiscrepancyClass.allCases.map { "<td>\(counts[$0] ?? 0)</td>" }.joined())</tr></table>
            <h2>Cases</h2><table><tr><th>verdict</th><th>case</th><th>client hop</th><th>back hop</th></tr>

            """
        for item in run.cases {
            let result = item.result
            let classes = Set(item.discrepancies.map(\.kind)).sorted()
                .map { "<span class=\"cls\($0.informational ? "" : " fail")\">\($0.rawValue)</span>" }.joined()
            out += "<tr><td class=\"\(result.verdict.rawValue)\">\(result.verdict.rawValue)</td><td><details><summary>\(html(result.testCase.id))</summary>"
            out += "<p>\(html(result.testCase.title)) (\(html(result.testCase.level)), \(html(result.testCase.rfc)))</p>"
            if let reason = result.verdictReason { out += "<p>\(html(reason))</p>" }
            out += "<ul>" + item.discrepancies.map { "<li>[\(html($0.kind.rawValue))] \(html($0.detail))</li>" }.joined() + "</ul>"
            out += "<div class=\"views\"><div><h4>client sent (\(result.sent.count) bytes)</h4><pre>\(html(ByteEscapes.encode(result.sent.prefix(8192))))</pre></div>"
            out += "<div><h4>front's responses (\(result.received.count) bytes, \(html(result.observed?.description ?? "nothing")))</h4><pre>\(html(ByteEscapes.encode(result.received.prefix(8192))))</pre></div>"
            out += "<div><h4>origin received" + (item.window.map { " (fence \(html($0.fence.text)))" } ?? "") + "</h4>\(originView(item.window))</div></div>"
            out += "</details></td><td class=\"\(item.clientVerdict.rawValue)\">\(item.clientVerdict.rawValue)</td><td>\(classes)</td></tr>\n"
        }
        return out + "</table></body></html>\n"
    }

    /// Each origin connection's bytes, cut at the request boundaries the strict parser found.
    static func originView(_ window: OriginWindow?) -> String {
        let html = MarkupEscape.text
        guard let window else { return "<pre>(not read)</pre>" }
        if window.connections.isEmpty { return "<pre>(nothing)</pre>" }
        var out = ""
        for connection in window.connections {
            out += "<pre><span class=\"boundary\">connection #\(connection.id)\(connection.opened ? " (new)" : " (reused)")</span>\n"
            var position = connection.startOffset
            let end = connection.startOffset + connection.bytes.count
            func slice(_ from: Int, _ to: Int) -> String {
                let lower = max(from, connection.startOffset) - connection.startOffset
                let upper = min(max(to, from), end) - connection.startOffset
                guard lower < upper else { return "" }
                return html(ByteEscapes.encode(connection.bytes[lower..<upper]))
            }
            for (number, request) in connection.requests.enumerated() {
                if request.start > position { out += slice(position, request.start) + "\n" }
                out += "<span class=\"boundary\">── request \(number + 1): \(html(request.view.method)) \(html(request.view.target)), body \(request.view.bodyLength) ──</span>\n"
                out += slice(max(request.start, position), request.end) + "\n"
                position = max(position, request.end)
            }
            for rejection in connection.rejections {
                out += slice(position, end) + "\n<span class=\"reject\">── refused: \(rejection.status) \(html(rejection.reason)) (\(html(rejection.rfcSection))) at byte \(rejection.offset) ──</span>\n"
                position = end
            }
            if position < end {
                let tail = slice(position, end)
                out += connection.unfinishedBytes > 0 ? "<span class=\"unfinished\">\(tail)</span> (unfinished)\n" : tail + "\n"
            }
            out += "</pre>"
        }
        return out
    }
}
