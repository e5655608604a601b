import Foundation

/// The reload section of `summary.md`: verdict, rates, outcome classes, the server's and the
/// kernel's counters, latency during and outside reloads, and the failed requests.
public enum ReloadMarkdownReport {
    public static func render(_ run: ReloadRun, maxListed: Int = 50) -> String {
        var out = "## Reload check: \(run.reloadKind.rawValue) against \(run.target)\n\n"
        out += "**\(run.verdict.passed ? "PASS" : "FAIL")**"
        out += run.verdict.reasons.isEmpty ? ": zero failed requests, zero forced kills.\n\n" : ": \(run.verdict.reasons.joined(separator: "; ")).\n\n"
        out += "| reloads | requests | duration | rate | failed | forced kills |\n|---:|---:|---:|---:|---:|---:|\n"
        out += "| \(run.timeline.events.count) | \(run.records.count) | \(String(format: "%.1f", run.durationSeconds)) s | "
        out += "\(Int(run.requestsPerSecond.rounded()))/s | \(run.verdict.failures.count) | \(run.forcedKills.map(String.init) ?? "n/a") |\n\n"
        out += "| outcome | requests |\n|---|---:|\n"
        for outcome in OutcomeClass.allCases { out += "| \(outcome.rawValue) | \(run.count(outcome)) |\n" }
        out += "\n"
        if let before = run.statsBefore, let after = run.statsAfter {
            out += "Server books: reloads +\(after.reloads - before.reloads), failed reloads +\(after.failedReloads - before.failedReloads), "
            out += "recycles +\(after.recycles - before.recycles), respawns +\(after.respawns - before.respawns), "
            out += "forced kills +\(after.forcedKills - before.forcedKills); generation \(before.generation) → \(after.generation).\n\n"
        }
        if let deltas = run.kernelDeltas {
            out += "Kernel (private network namespace): "
            out += KernelCounters.reported.map { "\($0) Δ \(deltas[$0] ?? 0)" }.joined(separator: ", ") + ".\n\n"
        } else {
            out += "Kernel counters: not available (\(run.kernelUnavailable ?? "no private network namespace")).\n\n"
        }
        if let tls = run.tls {
            out += tls.line + ". Resumption attempts that succeeded: during reloads \(run.resumptionDuringReloads.text), "
            out += "outside \(run.resumptionOutsideReloads.text); failed handshakes (tls_handshake): \(run.count(.tlsHandshake)).\n\n"
        }
        out += "Latency of ok requests: during reloads \(run.latencyDuring.text) (\(run.latencyDuring.count)); "
        out += "outside \(run.latencyOutside.text) (\(run.latencyOutside.count)).\n\n"
        if !run.verdict.retryAllowed.isEmpty {
            out += "Reused-connection closes a client may retry (RFC 9110 §9.2.2), not failing with --allow-idempotent-retry: "
            out += "\(run.verdict.retryAllowed.count).\n\n"
        }
        if let line = run.http2Line { out += line + ".\n\n" }
        if !run.verdict.failures.isEmpty {
            out += "| id | class | kind | connection age | reload | detail |\n|---:|---|---|---:|---:|---|\n"
            for failure in run.verdict.failures.prefix(maxListed) {
                out += "| \(failure.id) | \(failure.outcome.rawValue) | \(failure.kind.rawValue) \(failure.method) | "
                out += "\(String(format: "%.1f", failure.connectionAgeMilliseconds)) ms | \(failure.reload.map { "#\($0 + 1)" } ?? "none") | \(failure.detail) |\n"
            }
            if run.verdict.failures.count > maxListed { out += "\n… and \(run.verdict.failures.count - maxListed) more (report.json lists all).\n" }
        }
        return out
    }
}
