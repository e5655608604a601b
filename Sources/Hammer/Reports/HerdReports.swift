import Foundation

/// `report.json` of a herd check (`kind: herd`).
public struct HerdJSONReport: Encodable {
    struct Body: Encodable {
        var reference: Bool
        var namespace: String
        var skipped: [String: String]
        var cells: [HerdCell]
        var tls: TLSRunSummary?
    }

    var schema = ReportSchema.id
    var tool = "cathammer"
    var version: String
    var kind = "herd"
    var target: String
    var started: String
    var herd: Body

    public init(run: HerdRun, version: String) {
        self.version = version
        target = run.target
        started = ISO8601DateFormatter().string(from: run.started)
        herd = Body(reference: run.reference, namespace: run.namespace, skipped: run.skipped, cells: run.cells, tls: run.tls)
    }

    public func encoded() throws -> Data {
        try ReportSchema.encode(self)
    }
}

/// The herd section of `summary.md` (and reports/herd.md): one row per cell.
public enum HerdMarkdownReport {
    public static func render(_ run: HerdRun) -> String {
        var out = "## Herd check: \(run.target)\n\n"
        out += run.reference
            ? "Wakeups per connection are the workers' voluntary context switches (read live from /proc by the master) per accepted connection; listener = epoll_wait returns with the listener ready per connection (workers woken in user space); epoll = all epoll_wait returns per connection; EAGAIN = empty accepts per connection; busiest = the busiest worker's share of accepts. Each connection carries one request.\n\n"
            : "Seen from outside: wakeups per connection are the worker processes' voluntary context switches (/proc/PID/status) per request; busiest = the busiest worker's share of the client connections seen in its /proc/PID/fd, sampled every millisecond.\n\n"
        out += "Network: \(run.namespace).\n\n"
        if let tls = run.tls { out += tls.line + "; every connection a full handshake.\n\n" }
        out += "| mode | workers | load | connections | failed | wakeups/conn | listener/conn | epoll/conn | EAGAIN/conn | busiest share | p50 | p99 | max |\n"
        out += "|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n"
        func ms(_ us: UInt64) -> String { String(format: "%.2f ms", Double(us) / 1000) }
        func optional(_ value: Double?) -> String { value.map { String(format: "%.2f", $0) } ?? "–" }
        for cell in run.cells {
            out += "| \(cell.mode) | \(cell.workers) | \(cell.load) (\(cell.concurrency)) | \(cell.connections) | \(cell.failedRequests) | "
            out += "\(String(format: "%.2f", cell.wakeupsPerConnection)) | \(optional(cell.listenerWakeupsPerConnection)) | \(optional(cell.epollWakeupsPerConnection)) | "
            out += "\(optional(cell.eagainPerConnection)) | \(String(format: "%.2f", cell.busiestShare)) | "
            out += "\(ms(cell.latency.p50Microseconds)) | \(ms(cell.latency.p99Microseconds)) | \(ms(cell.latency.maxMicroseconds)) |\n"
        }
        for (mode, reason) in run.skipped.sorted(by: { $0.key < $1.key }) { out += "\nNot measured: \(mode): \(reason)\n" }
        return out
    }
}

/// `junit.xml` of a herd check: one testcase per cell; a cell fails only if requests failed
/// (the figures are measurements, not verdicts).
public enum HerdJUnitReport {
    public static func render(_ run: HerdRun) -> String {
        let failures = run.cells.filter { $0.failedRequests > 0 }.count
        var out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"cathammer herd-check\" tests=\"\(run.cells.count)\" failures=\"\(failures)\" errors=\"0\">\n"
        out += "  <testsuite name=\"herd\" tests=\"\(run.cells.count)\" failures=\"\(failures)\" errors=\"0\">\n"
        for cell in run.cells {
            let name = "\(cell.mode) workers=\(cell.workers) \(cell.load)"
            out += "    <testcase classname=\"cathammer.herd.\(MarkupEscape.text(cell.mode))\" name=\"\(MarkupEscape.text(name))\">\n"
            if cell.failedRequests > 0 { out += "      <failure message=\"\(cell.failedRequests) of \(cell.connections) requests failed\"/>\n" }
            out += "      <system-out>wakeups/conn \(String(format: "%.2f", cell.wakeupsPerConnection)), busiest share \(String(format: "%.2f", cell.busiestShare)), \(MarkupEscape.text(cell.latency.text))</system-out>\n"
            out += "    </testcase>\n"
        }
        return out + "  </testsuite>\n</testsuites>\n"
    }
}

/// `index.html` of a herd check: wakeups per connection by mode (one group per worker count at each
/// load), the busiest worker's share, and the table.
public enum HerdHTMLReport {
    static let colors = ["#d00000", "#1f6feb", "#2da44e", "#8250df", "#f4a300", "#57606a"]

    public static func render(_ run: HerdRun) -> String {
        let html = MarkupEscape.text
        var out = """
            <!doctype html><html><head><meta charset="utf-8"><title>cathammer herd-check: \(html(run.target))</title>
            <style>body{font:14px system-ui,sans-serif;margin:2em;color:#222} table{border-collapse:collapse}
            td,th{border-bottom:1px solid #ddd;padding:4px 8px;text-align:right} td:first-child,th:first-child{text-align:left}</style>
            </head><body><h1>cathammer herd-check</h1><p>Target <code>\(html(run.target))</code>; network: \(html(run.namespace))</p>\(run.tls.map { "<p>\(html($0.line))</p>" } ?? "")

            """
        var modes: [String] = []
        for cell in run.cells where !modes.contains(cell.mode) { modes.append(cell.mode) }
        var loads: [String] = []
        for cell in run.cells.sorted(by: { $0.concurrency < $1.concurrency }) where !loads.contains(cell.load) { loads.append(cell.load) }
        let canonical = ["serial", "c=W/2", "c=W", "c=2W"]
        loads.sort { (canonical.firstIndex(of: $0) ?? canonical.count) < (canonical.firstIndex(of: $1) ?? canonical.count) }
        for load in loads {
            let groups = Array(Set(run.cells.filter { $0.load == load }.map(\.workers))).sorted()
            guard !groups.isEmpty else { continue }
            let series = modes.enumerated().map { index, mode in
                SVGChart.Series(name: mode, color: colors[index % colors.count], values: groups.map { workers in
                    run.cells.first { $0.mode == mode && $0.workers == workers && $0.load == load }?.wakeupsPerConnection ?? 0
                })
            }
            out += "<h2>Wakeups per connection, load \(html(load))</h2>"
            out += SVGChart.groupedBars(title: "wakeups per connection by mode", groups: groups.map { "\($0) worker(s)" },
                                        series: series, unit: "wakeups/connection", logScale: false)
            let shares = modes.enumerated().map { index, mode in
                SVGChart.Series(name: mode, color: colors[index % colors.count], values: groups.map { workers in
                    run.cells.first { $0.mode == mode && $0.workers == workers && $0.load == load }?.busiestShare ?? 0
                })
            }
            out += SVGChart.groupedBars(title: "busiest worker's share, load \(load)", groups: groups.map { "\($0) worker(s)" },
                                        series: shares, unit: "share", logScale: false)
        }
        out += "<h2>All cells</h2><table><tr><th>mode</th><th>workers</th><th>load</th><th>connections</th><th>failed</th><th>wakeups/conn</th>"
        out += "<th>listener/conn</th><th>epoll/conn</th><th>EAGAIN/conn</th><th>busiest share</th><th>p50 ms</th><th>p99 ms</th><th>max ms</th></tr>"
        func ms(_ us: UInt64) -> String { String(format: "%.2f", Double(us) / 1000) }
        for cell in run.cells {
            out += "<tr><td>\(html(cell.mode))</td><td>\(cell.workers)</td><td>\(html(cell.load)) (\(cell.concurrency))</td><td>\(cell.connections)</td>"
            out += "<td>\(cell.failedRequests)</td><td>\(String(format: "%.2f", cell.wakeupsPerConnection))</td>"
            out += "<td>\(cell.listenerWakeupsPerConnection.map { String(format: "%.2f", $0) } ?? "–")</td>"
            out += "<td>\(cell.epollWakeupsPerConnection.map { String(format: "%.2f", $0) } ?? "–")</td>"
            out += "<td>\(cell.eagainPerConnection.map { String(format: "%.2f", $0) } ?? "–")</td>"
            out += "<td>\(String(format: "%.2f", cell.busiestShare))</td><td>\(ms(cell.latency.p50Microseconds))</td>"
            out += "<td>\(ms(cell.latency.p99Microseconds))</td><td>\(ms(cell.latency.maxMicroseconds))</td></tr>"
        }
        out += "</table>"
        for (mode, reason) in run.skipped.sorted(by: { $0.key < $1.key }) { out += "<p>Not measured: \(html(mode)): \(html(reason))</p>" }
        return out + "</body></html>\n"
    }
}
