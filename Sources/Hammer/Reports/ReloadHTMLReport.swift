import Foundation

/// `index.html` of a reload check: self-contained, with inline SVG charts (requests over time with
/// the reloads and failures marked; latency during vs outside reloads), the counters and every
/// failed request.
public enum ReloadHTMLReport {
    public static func render(_ run: ReloadRun) -> String {
        let html = MarkupEscape.text
        let verdict = run.verdict.passed ? "PASS" : "FAIL"
        var out = """
            <!doctype html><html><head><meta charset="utf-8"><title>cathammer reload-check: \(html(run.target))</title>
            <style>
            body{font:14px system-ui,sans-serif;margin:2em;color:#222} table{border-collapse:collapse}
            td,th{border-bottom:1px solid #ddd;padding:4px 8px;text-align:left;vertical-align:top}
            .PASS{color:#176f2c;font-weight:bold}.FAIL{color:#b00020;font-weight:bold} td.n{text-align:right}
            </style></head><body>
            <h1>cathammer reload-check</h1>
            <p>Target <code>\(html(run.target))</code>, reload <code>\(html(run.reloadCommand))</code></p>
            <p class="\(verdict)">\(verdict)\(run.verdict.reasons.isEmpty ? ": zero failed requests, zero forced kills" : ": " + html(run.verdict.reasons.joined(separator: "; ")))</p>
            <table><tr><th>reloads</th><th>requests</th><th>duration</th><th>rate</th><th>failed</th><th>forced kills</th></tr>
            <tr><td class="n">\(run.timeline.events.count)</td><td class="n">\(run.records.count)</td>
            <td class="n">\(String(format: "%.1f", run.durationSeconds)) s</td><td class="n">\(Int(run.requestsPerSecond.rounded()))/s</td>
            <td class="n">\(run.verdict.failures.count)</td><td class="n">\(run.forcedKills.map(String.init) ?? "n/a")</td></tr></table>

            """
        let step = 0.1
        let buckets = run.buckets(milliseconds: Int(step * 1000))
        out += "<h2>Requests over time</h2>"
        out += SVGChart.timeSeries(
            title: "requests per 100 ms", step: step,
            line: .init(name: "answered", color: "#1f6feb", values: buckets.map { Double($0.ok) }),
            bars: .init(name: "failed", color: "#d00000", values: buckets.map { Double($0.failed) }),
            bands: run.timeline.events.map {
                .init(from: Double($0.startNanoseconds) / 1e9, to: Double($0.endNanoseconds) / 1e9, label: "reload \($0.index + 1): \($0.note)")
            })
        let during = run.latencyDuring, outside = run.latencyOutside
        func values(_ summary: LatencySummary) -> [Double] {
            [summary.p50Microseconds, summary.p90Microseconds, summary.p99Microseconds, summary.p999Microseconds, summary.maxMicroseconds]
                .map { Double($0) / 1000 }
        }
        out += "<h2>Latency of answered requests</h2>"
        out += SVGChart.groupedBars(title: "latency (ms)", groups: ["p50", "p90", "p99", "p99.9", "max"], series: [
            .init(name: "during a reload (\(during.count))", color: "#f4a300", values: values(during)),
            .init(name: "outside reloads (\(outside.count))", color: "#1f6feb", values: values(outside)),
        ], unit: "ms")
        out += "<h2>Outcome classes</h2><table><tr><th>class</th><th>requests</th><th>meaning</th></tr>"
        for outcome in OutcomeClass.allCases {
            out += "<tr><td>\(outcome.rawValue)</td><td class=\"n\">\(run.count(outcome))</td><td>\(html(outcome.explanation))</td></tr>"
        }
        out += "</table>"
        out += "<h2>Counters</h2><p>"
        if let before = run.statsBefore, let after = run.statsAfter {
            out += "Server: reloads +\(after.reloads - before.reloads), failed reloads +\(after.failedReloads - before.failedReloads), "
                + "recycles +\(after.recycles - before.recycles), respawns +\(after.respawns - before.respawns), "
                + "forced kills +\(after.forcedKills - before.forcedKills); generation \(before.generation) → \(after.generation).<br>"
        }
        if let deltas = run.kernelDeltas {
            out += "Kernel, private network namespace: " + KernelCounters.reported.map { "\($0) Δ \(deltas[$0] ?? 0)" }.joined(separator: ", ")
        } else {
            out += "Kernel counters not available: \(html(run.kernelUnavailable ?? ""))"
        }
        out += "</p>"
        if let tls = run.tls {
            out += "<h2>TLS</h2><p>\(html(tls.line))</p><table><tr><th>resumption attempts</th><th>resumed</th></tr>"
            out += "<tr><td>during reloads</td><td>\(run.resumptionDuringReloads.text)</td></tr>"
            out += "<tr><td>outside reloads</td><td>\(run.resumptionOutsideReloads.text)</td></tr></table>"
            out += "<p>Failed handshakes (tls_handshake): \(run.count(.tlsHandshake))</p>"
        }
        out += "<h2>Reloads</h2><table><tr><th>#</th><th>at</th><th>took</th><th>settled</th><th>note</th></tr>"
        for event in run.timeline.events {
            out += "<tr><td>\(event.index + 1)</td><td class=\"n\">\(String(format: "%.3f", Double(event.startNanoseconds) / 1e9)) s</td>"
            out += "<td class=\"n\">\(String(format: "%.0f", Double(event.endNanoseconds - event.startNanoseconds) / 1e6)) ms</td>"
            out += "<td>\(event.settled ? "yes" : "no")</td><td>\(html(event.note))</td></tr>"
        }
        out += "</table>"
        if !run.verdict.failures.isEmpty {
            out += "<h2>Failed requests</h2><table><tr><th>id</th><th>class</th><th>kind</th><th>at</th><th>connection age</th><th>reload</th><th>detail</th></tr>"
            for failure in run.verdict.failures.prefix(2000) {
                out += "<tr><td>\(failure.id)</td><td>\(failure.outcome.rawValue)</td><td>\(failure.kind.rawValue) \(failure.method)</td>"
                out += "<td class=\"n\">\(String(format: "%.3f", failure.startMilliseconds / 1000)) s</td>"
                out += "<td class=\"n\">\(String(format: "%.1f", failure.connectionAgeMilliseconds)) ms</td>"
                out += "<td>\(failure.reload.map { "#\($0 + 1)" } ?? "none")</td><td>\(html(failure.detail))</td></tr>"
            }
            out += "</table>"
        }
        if let line = run.http2Line { out += "<p>\(MarkupEscape.text(line)).</p>" }
        if !run.verdict.retryAllowed.isEmpty {
            out += "<p>\(run.verdict.retryAllowed.count) reused-connection close(s) of idempotent requests a client may retry (RFC 9110 §9.2.2): not failing with --allow-idempotent-retry.</p>"
        }
        return out + "</body></html>\n"
    }
}
