import HTTPWire

/// `index.html`: self-contained (no external assets), one row per case, details on click: the
/// request bytes, expected and observed outcome, the response excerpt, the RFC section and why.
public enum HTMLReport {
    public static func render(_ run: CorpusRun) -> String {
        let html = MarkupEscape.text
        let tls = run.tls
        var out = """
            <!doctype html><html><head><meta charset="utf-8"><title>cathammer: \(html(run.target))</title>
            <style>
            body{font:14px system-ui,sans-serif;margin:2em;color:#222} table{border-collapse:collapse;width:100%}
            td,th{border-bottom:1px solid #ddd;padding:4px 8px;text-align:left;vertical-align:top}
            .PASS{color:#176f2c;font-weight:bold}.WARN{color:#a06000;font-weight:bold}.FAIL{color:#b00020;font-weight:bold}
            .FLAKY{color:#c2185b;font-weight:bold}.ERROR{color:#6a1b9a;font-weight:bold}.SKIP{color:#666;font-weight:bold} pre{background:#f6f6f6;padding:6px;white-space:pre-wrap;word-break:break-all}
            details summary{cursor:pointer} .why{font-size:90%;margin-top:4px} blockquote{margin:2px 0 2px 1em;color:#333;font-style:italic} .counts span{margin-right:1.5em}
            </style></head><body>
            <h1>cathammer corpus run</h1><p>Target <code>\(html(run.target))</code></p>\(tls.map { "<p class=\"tls\">\(html($0.line))</p>" } ?? "")
            <p class="counts"><span>total \(run.results.count)</span><span class="PASS">pass \(run.count(.pass))</span>
            <span class="WARN">warn \(run.count(.warn))</span><span class="FAIL">fail \(run.count(.fail))</span>
            <span class="FLAKY">flaky \(run.count(.flaky))</span><span class="ERROR">error \(run.count(.error))</span><span class="SKIP">skip \(run.count(.skip))</span></p>

            """
        // Summary by category and by level.
        func summaryTable(_ title: String, _ key: (CaseResult) -> String) -> String {
            let groups = Dictionary(grouping: run.results, by: key)
            var table = "<h2>By \(title)</h2><table><tr><th>\(title)</th>"
                + Verdict.allCases.map { "<th class=\"\($0.rawValue)\">\($0.rawValue)</th>" }.joined() + "</tr>"
            for name in groups.keys.sorted() {
                let rows = groups[name] ?? []
                table += "<tr><td>\(html(name))</td>"
                    + Verdict.allCases.map { verdict in "<td>\(rows.filter { $0.verdict == verdict }.count)</td>" }.joined() + "</tr>"
            }
            return table + "</table>"
        }
        out += summaryTable("category") { $0.testCase.category }
        out += summaryTable("level") { $0.testCase.level }
        out += """
            <h2>Cases</h2>
            <p><input id="filter" placeholder="filter: id, category, level, verdict…" size="40" oninput="filterRows()">
            <label><input type="checkbox" id="failing" onchange="filterRows()"> only cases that did not pass</label></p>
            <script>
            function filterRows() {
              const text = document.getElementById('filter').value.toLowerCase();
              const failing = document.getElementById('failing').checked;
              for (const row of document.querySelectorAll('tr.case')) {
                const matches = row.textContent.toLowerCase().includes(text);
                const notPassing = row.dataset.verdict !== 'PASS';
                row.style.display = matches && (!failing || notPassing) ? '' : 'none';
              }
            }
            </script>
            <table><tr><th>verdict</th><th>case</th><th>category</th><th>level</th><th>expected</th><th>observed</th></tr>

            """
        for result in run.results {
            let item = result.testCase
            let link = RFCLink.url(item.rfc)
            out += "<tr class=\"case\" data-verdict=\"\(result.verdict.rawValue)\"><td class=\"\(result.verdict.rawValue)\">\(result.verdict.rawValue)</td><td><details><summary><b>\(html(item.id))</b> \(html(item.title))</summary>"
            out += "<p>\(html(item.why))</p><p><a href=\"\(link)\">\(html(item.rfc))</a> \(html(item.references.joined(separator: ", ")))</p>"
            out += "<p>Sent:</p><pre>\(html(item.sendTexts.joined(separator: "\n")))</pre>"
            if item.wireProtocol == .h2 {
                out += "<p>Frames sent:</p><pre>\(html(result.framesSent.joined(separator: "\n")))</pre>"
                out += "<p>Frames received (\(result.received.count) bytes):</p><pre>\(html(result.framesReceived.joined(separator: "\n")))</pre>"
            } else {
                out += "<p>Received (\(result.received.count) bytes):</p><pre>\(html(ByteEscapes.encode(result.received.prefix(2048))))</pre>"
            }
            if !result.notes.isEmpty { out += "<p>\(html(result.notes.joined(separator: "; ")))</p>" }
            if let session = tls?.difference(result.tls, protocol: result.testCase.wireProtocol) { out += "<p>TLS of this case: \(html(session.parameters))</p>" }
            out += "</details></td><td>\(html(item.category))</td><td>\(html(item.level))</td>"
            out += "<td>\(html(item.pass.map(\.description).joined(separator: " / ")))"
            out += item.warn.isEmpty ? "" : "<br><small>warn: \(html(item.warn.map(\.description).joined(separator: " / ")))</small>"
            out += "</td><td>\(html(observedCell(result)))"
            out += explanation(result).map { "<div class=\"why\">\($0)</div>" } ?? ""
            out += "</td></tr>\n"
        }
        return out + "</table></body></html>\n"
    }

    /// What was observed; for FLAKY every outcome seen across the runs.
    static func observedCell(_ result: CaseResult) -> String {
        result.verdict == .flaky ? result.outcomesSeen.joined(separator: " / ") : result.observed?.description ?? "–"
    }

    /// Shown in the row itself for every verdict that is not a listed PASS: why it got that verdict,
    /// and for a FAIL the RFC sentence it breaks (quoted, with its section) and the risk, so a reader
    /// can check the FAIL without opening the RFC.
    static func explanation(_ result: CaseResult) -> String? {
        let item = result.testCase
        let escape = MarkupEscape.text
        var parts: [String] = []
        if let reason = result.verdictReason { parts.append(escape(reason)) }
        if result.verdict == .fail || (result.verdict == .flaky && result.isFailure) {
            if let quote = item.quote { parts.append("<blockquote>“\(escape(quote))”\(quote.contains("(RFC ") ? "" : " (\(escape(item.rfc)))")</blockquote>") }
            if let risk = item.risk { parts.append("<b>Risk:</b> \(escape(risk))") }
        }
        return parts.isEmpty ? nil : parts.joined(separator: "<br>")
    }}
