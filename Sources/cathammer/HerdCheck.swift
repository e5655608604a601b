import ArgumentParser
import Foundation
@preconcurrency import Glibc
import Hammer
import PreforkServer

struct HerdCheck: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "herd-check",
        abstract: "Measure the thundering herd: wakeups per connection, EAGAIN, fairness and latency per accept mode.",
        discussion: """
            For the reference server: every --modes × --workers × load (serial; concurrency = workers/2, \
            = workers, = 2×workers), a fresh server each time, one request per new connection. Wakeups \
            per connection come from the workers' voluntary context switches (EAGAIN alone undercounts \
            the herd). With --spawn: what /proc shows from outside. As root where `unshare -n` \
            works, it runs in a private network namespace (where reuseport can get tcp_migrate_req = 1). \
            Exit status: 0 measured (every request answered), 1 requests failed, 2 usage errors, 3 the target did not start.
            """)

    @Option(help: "Accept modes, comma-separated.")
    var modes = CommaSeparated<AcceptMode>([.plain, .exclusive, .lock, .reuseport])

    @Option(help: "Worker counts, comma-separated.")
    var workers = "1,2,4,8"

    @Option(help: "Connections (one request each) per cell.")
    var connections = 1000

    // --spawn is the name every command uses for "start this server"; --target-cmd stays as an alias.
    @Option(name: [.customLong("spawn"), .customLong("target-cmd")],
            help: "Another server: a shell command ({port} is replaced); measured from outside. Alias: --target-cmd.")
    var spawn: String?

    @OptionGroup var tlsOptions: TLSOptions

    @Option(help: "With --spawn: client concurrencies, comma-separated.")
    var loads = "1,2,4,8"

    @Option(help: "The path requested.")
    var path: String?

    @Option(help: "Private network namespace.")
    var netns = NamespaceOption.Setting.auto

    @Option(help: "The target's name in reports.")
    var name: String?

    @OptionGroup var report: ReportOptions

    @Flag(help: "No progress (on a terminal a live line, otherwise a line per cell), only the summary.")
    var quiet = false

    static func numbers(_ text: String, _ flag: String, max: Int) throws -> [Int] {
        let values = text.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard !values.isEmpty, values.allSatisfy({ $0 != nil && $0! >= 1 && $0! <= max }) else {
            throw UsageError(message: "\(flag) '\(text)' is not a comma-separated list of numbers from 1 to \(max)")
        }
        return values.map { $0! }
    }

    func run() throws {
        let modeList = modes.values.map(\.rawValue)
        let workerCounts = try Self.numbers(workers, "--workers", max: 64)
        let loadList = try Self.numbers(loads, "--loads", max: 1024)
        guard connections >= 1 && connections <= 1_000_000 else { throw UsageError(message: "--connections must be 1...1000000") }
        _ = try report.formats()
        let tls = try tlsOptions.context(host: "127.0.0.1", scheme: nil, reference: spawn == nil)
        let unavailable = try NamespaceOption.enter(netns, startsTarget: true)
        let namespace = unavailable == nil ? "private network namespace (unshare -n)" : "host network (\(unavailable!))"
        let started = Date()
        var cells: [HerdCell] = []
        var skipped: [String: String] = [:]
        var sessions: [TLSSessionInfo] = []
        let terminal = TerminalOutput.standard(quiet: quiet)
        let cellsPerMode = workerCounts.map { HerdArithmetic.loads(workers: $0).count }.reduce(0, +)
        var total = spawn == nil ? modeList.count * cellsPerMode : loadList.count
        let progress = ProgressLine(total: total, style: ProgressLine.Style(noun: "cells"), output: terminal)
        defer { progress.finish() }
        func record(_ cell: HerdCell) {
            cells.append(cell)
            progress.item("\(cell.mode) workers=\(cell.workers) \(cell.load) (c=\(cell.concurrency)): \(String(format: "%.2f", cell.wakeupsPerConnection)) wakeups/conn, "
                  + (cell.listenerWakeupsPerConnection.map { String(format: "%.2f listener wakeups/conn, ", $0) } ?? "")
                  + (cell.eagainPerConnection.map { String(format: "%.2f EAGAIN/conn, ", $0) } ?? "")
                  + "busiest \(String(format: "%.2f", cell.busiestShare)), \(cell.latency.text), failed \(cell.failedRequests)",
                          notable: cell.failedRequests > 0, failure: cell.failedRequests > 0)
        }
        do {
            if let spawn {
                let target = try SpawnedTarget(command: spawn)
                defer { target.stop() }
                if let tls { _ = try TLSOptions.probe(Endpoint(host: "127.0.0.1", port: target.port, tls: tls), timeout: 5) }
                // Its workers may still be starting when the port accepts: wait until it serves and is at rest.
                let endpoint = Endpoint(host: "127.0.0.1", port: target.port, tls: tls)
                if let reason = TargetSettling.wait(root: target.pid, timeout: 30, answers: { (try? HTTPGet.fetch(endpoint, path: path ?? "/")) != nil }) {
                    throw SpawnedTarget.Failure(description: "--spawn: \(reason)")
                }
                for concurrency in loadList {
                    let tree = ProcessCounters.tree(of: target.pid)
                    let workerPIDs = Set(tree.dropFirst())
                    let before = tree.compactMap(ProcessCounters.read)
                    let sampler = ConnectionSampler(workers: Array(workerPIDs.isEmpty ? [target.pid] : workerPIDs))
                    sampler.start()
                    let records = HerdRun.load(Endpoint(host: "127.0.0.1", port: target.port, tls: tls), concurrency: concurrency,
                                               connections: connections, path: path ?? "/")
                    sessions += records.compactMap(\.tls)
                    let distribution = sampler.stop()
                    let after = tree.compactMap(ProcessCounters.read)
                    let deltas = HerdArithmetic.deltas(before: before, after: after, workers: workerPIDs.isEmpty ? [target.pid] : workerPIDs,
                                                       busiestShare: distribution.busiestShare)
                    record(HerdRun.cell(mode: "as configured", workers: max(1, workerPIDs.count), load: concurrency == 1 ? "serial" : "c=\(concurrency)",
                                        concurrency: concurrency, records: records, deltas: deltas, reference: false))
                }
            } else {
                for mode in modeList {
                    if mode == "reuseport", let reason = Self.prepareReusePort() {
                        skipped[mode] = reason
                        total -= cellsPerMode
                        progress.expect(total: total)
                        progress.line("reuseport: not measured: \(reason)", notable: true)
                        continue
                    }
                    for count in workerCounts {
                        let statsPort = try SpawnedTarget.freePort()
                        let command = "'\(try ExecutablePath.resolve())' serve --http 127.0.0.1:{port} -p \(count) --accept \(mode) --stats 127.0.0.1:\(statsPort)"
                        let server = try SpawnedTarget(command: command)
                        defer { server.stop() }
                        let (_, ready) = ReferenceStats.waitFor(port: statsPort, timeout: 30) { $0.readyWorkers.count == count }
                        guard ready else { throw SpawnedTarget.Failure(description: "\(count) \(mode) workers did not become ready") }
                        // READY workers may still be on their way into epoll_wait: measure from rest.
                        if let reason = TargetSettling.wait(root: server.pid, timeout: 30, answers: { true }) {
                            throw SpawnedTarget.Failure(description: "\(count) \(mode) workers: \(reason)")
                        }
                        for (label, concurrency) in HerdArithmetic.loads(workers: count) {
                            guard let before = ReferenceStats.fetch(port: statsPort) else { throw SpawnedTarget.Failure(description: "no stats") }
                            let records = HerdRun.load(.loopback(server.port), concurrency: concurrency, connections: connections,
                                                       path: path ?? "/cats/1")
                            guard let after = ReferenceStats.fetch(port: statsPort) else { throw SpawnedTarget.Failure(description: "no stats") }
                            record(HerdRun.cell(mode: mode, workers: count, load: label, concurrency: concurrency, records: records,
                                                deltas: HerdArithmetic.deltas(before: before.workers, after: after.workers), reference: true))
                        }
                    }
                }
            }
        } catch let error as SpawnedTarget.Failure {
            FileHandle.standardError.write(Data("cathammer: \(error.description)\n".utf8))
            throw ExitCode(3)
        }
        let label = name ?? (spawn ?? "cathammer serve (reference server)")
        let result = HerdRun(target: label, started: started, cells: cells, skipped: skipped, reference: spawn == nil, namespace: namespace,
                             tls: TLSRunSummary(context: tls, sessions: sessions))
        let folder = try report.write(
            check: "herd", label: label,
            json: { try HerdJSONReport(run: result, version: Cathammer.configuration.version).encoded() },
            junit: { HerdJUnitReport.render(result) },
            markdown: { "# cathammer herd-check\n\n" + HerdMarkdownReport.render(result) },
            html: { HerdHTMLReport.render(result) })
        let failed = cells.map(\.failedRequests).reduce(0, +)
        print("herd-check: \(cells.count) cells, \(cells.map(\.connections).reduce(0, +)) connections, \(failed) failed; reports: \(folder)")
        if failed > 0 { throw ExitCode(1) }
    }

    /// reuseport needs net.ipv4.tcp_migrate_req = 1. Inside our own namespace the setting is ours
    /// to make; on the host it is not changed. Returns why reuseport cannot be measured, or nil.
    static func prepareReusePort() -> String? {
        let path = "/proc/sys/net/ipv4/tcp_migrate_req"
        if let value = try? String(contentsOfFile: path, encoding: .utf8), value.trimmingCharacters(in: .whitespacesAndNewlines) == "1" { return nil }
        guard NetworkNamespace.inside else {
            return "net.ipv4.tcp_migrate_req is not 1 and the host's setting is not changed (run as root with unshare available to measure it in a private namespace)"
        }
        guard (try? Data("1\n".utf8).write(to: URL(fileURLWithPath: path))) != nil else {
            return "cannot set net.ipv4.tcp_migrate_req in the private namespace"
        }
        return nil
    }
}
