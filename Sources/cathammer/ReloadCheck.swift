import ArgumentParser
import CathammerContract
import Foundation
@preconcurrency import Glibc
import Hammer

struct ReloadCheck: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reload-check",
        abstract: "Reload a server again and again under load and prove that not one request is lost.",
        discussion: """
            With no --spawn or --target, the reference server is started on a free loopback port. \
            Every request carries X-Cathammer-Id and ends in one class: ok, refused, connect_timeout, \
            eof_fresh, eof_reused, truncated, write_error, 5xx, read_timeout; an HTTP/2 stream (--mix h2) the \
            server refused unprocessed is refused_stream, retry-safe (RFC 9113 §8.7): reported, not failing. Run as root where `unshare -n` \
            works, the server and the load run in a private network namespace and the kernel's OutRsts, \
            AttemptFails, ListenOverflows and ListenDrops are diffed around the run. Exit status: 0 zero \
            failed requests and zero forced kills, 1 anything else, 2 usage errors, 3 the target did not start.
            """)

    @Option(help: "hup, reexec, fifo, max-requests, kill-worker, worker-count, bad-config (reference server); with --reload-cmd or --reload-signal the kind is set by those.")
    var reload = ReloadKind.hup

    @Option(help: "Fire a reload this often (e.g. 200ms, 1s); a reload that takes longer delays the next.")
    var reloadEvery = "500ms"

    @Option(help: "How many reloads (for max-requests: recycles to wait for); 0 runs the load alone for --duration, a baseline.")
    var reloads = 10

    // --spawn is the name every command uses for "start this server"; --target-cmd stays as an alias.
    @Option(name: [.customLong("spawn"), .customLong("target-cmd")],
            help: "Start another server with this shell command ({port} is replaced) instead of the reference server. Alias: --target-cmd.")
    var spawn: String?

    @Option(help: "Test a server that already runs: HOST:PORT or https://HOST:PORT (reloads need --reload-cmd, or --reload-signal with --pid).")
    var target: String?

    @OptionGroup var tlsOptions: TLSOptions

    @Option(help: "Reload by running this shell command (e.g. 'nginx -s reload').")
    var reloadCmd: String?

    @Option(help: "Reload by sending this signal (HUP, USR2, …) to --pid or the started target.")
    var reloadSignal: String?

    @Option(help: "The process that receives --reload-signal (default: the started target).")
    var pid: Int32?

    @Option(help: "For servers without a stats endpoint: how long after a reload counts as during it.")
    var reloadWindow = "1s"

    @Option(help: "Upper bound of the run's load.")
    var duration = "60s"

    @Option(help: "Stop after this many requests.")
    var requests: Int?

    @Option(help: "Requests per second in total (open loop); without it the clients send as fast as they can.")
    var rate: Double?

    @Option(help: "Concurrent clients.")
    var concurrency = 16

    @Option(help: "Traffic kinds, comma-separated, handed to clients in turn.")
    var mix = CommaSeparated<TrafficKind>([.keepAlive, .fresh, .post, .keepAlive, .pipelined, .curl, .slowBody, .fresh])

    @Option(help: "The h2 kind: streams in flight per HTTP/2 connection (its clients share ceil(clients / this) connections).")
    var h2Streams = 8

    @Option(help: "GET paths, used in turn (repeatable). Default: /cats/1, /cats/7, /sleep?ms=10 for the reference server, / otherwise.")
    var path: [String] = []

    @Option(help: "Path for POST bodies (default /echo for the reference server, / otherwise).")
    var postPath: String?

    @Option(help: "Pause between requests on a keep-alive connection: 20ms, or a range 10ms-90ms.")
    var idleGap = "0ms"

    @Option(help: "Connect timeout.")
    var connectTimeout = "1s"

    @Option(help: "Read timeout.")
    var readTimeout = "10s"

    @Option(help: "Reference server: worker processes.")
    var workers = 2

    @Option(help: "Reference server, --reload max-requests: recycle each worker after this many requests.")
    var maxRequests = 10

    @Option(parsing: .unconditionalSingleValue, help: "Reference server: one more `serve` argument (repeatable), e.g. --server-arg=--accept=plain.")
    var serverArg: [String] = []

    @Flag(help: "Do not fail on reused-connection closes of idempotent requests a client may retry (RFC 9110 §9.2.2); they are still reported.")
    var allowIdempotentRetry = false

    @Option(help: "Private network namespace for kernel counters.")
    var netns = NamespaceOption.Setting.auto

    @Option(help: "The target's name in reports.")
    var name: String?

    @OptionGroup var report: ReportOptions

    @Flag(help: "No progress (on a terminal a live line, otherwise a line per reload), only the summary.")
    var quiet = false

    func plan() throws -> ReloadPlan {
        var flags = ReloadPlan.Flags()
        flags.reload = reload
        flags.reloadCommand = reloadCmd
        flags.reloadSignal = reloadSignal
        flags.spawn = spawn
        flags.target = target
        flags.pid = pid
        flags.workers = workers
        flags.maxRequests = maxRequests
        flags.serverArguments = serverArg
        flags.paths = path
        flags.postPath = postPath
        flags.name = name
        flags.tls = tlsOptions.tls
        do {
            return try ReloadPlan(flags)
        } catch {
            throw UsageError(message: error.description)
        }
    }

    func run() throws {
        let plan = try plan()
        let kind = plan.kind
        guard let every = try? DurationText.seconds(reloadEvery) else { throw UsageError(message: "--reload-every '\(reloadEvery)' is not a duration (200ms, 1s)") }
        guard let bound = try? DurationText.seconds(duration), bound > 0 else { throw UsageError(message: "--duration '\(duration)' is not a positive duration") }
        guard let window = try? DurationText.seconds(reloadWindow) else { throw UsageError(message: "--reload-window '\(reloadWindow)' is not a duration") }
        guard let gap = try? DurationText.millisecondRange(idleGap) else { throw UsageError(message: "--idle-gap '\(idleGap)' is not a duration or a range like 10ms-90ms") }
        guard let connectSeconds = try? DurationText.seconds(connectTimeout), connectSeconds > 0,
              let readSeconds = try? DurationText.seconds(readTimeout), readSeconds > 0 else {
            throw UsageError(message: "--connect-timeout and --read-timeout must be positive durations")
        }
        guard h2Streams >= 1, h2Streams <= 1000 else { throw UsageError(message: "--h2-streams must be 1...1000") }
        guard reloads >= 0, concurrency >= 1, concurrency <= 4096, workers >= 1, workers <= 512, maxRequests >= 1 else {
            throw UsageError(message: "--reloads must be 0 or more; --concurrency 1...4096; --workers 1...512; --max-requests 1 or more")
        }
        if let rate, !(rate > 0) { throw UsageError(message: "--rate must be positive") }
        if let requests, requests < 1 { throw UsageError(message: "--requests must be positive") }
        _ = try report.formats()
        var profile = LoadProfile()
        guard !mix.values.isEmpty else { throw UsageError(message: "--mix needs at least one traffic kind") }
        profile.kinds = mix.values
        profile.concurrency = concurrency
        profile.rate = rate
        profile.duration = bound
        profile.maxRequests = requests
        profile.h2StreamsPerConnection = h2Streams
        profile.paths = plan.paths
        profile.postPath = plan.postPath
        profile.idleGapMilliseconds = gap
        profile.connectTimeoutMilliseconds = Int32(connectSeconds * 1000)
        profile.readTimeoutMilliseconds = Int32(readSeconds * 1000)

        // A private network namespace: re-run this command inside one, where the counters are ours alone.
        var kernelUnavailable = try NamespaceOption.enter(netns, startsTarget: target == nil)

        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("cathammer-reload-\(getpid())")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        var statsPort: UInt16?
        var fifoPath: String?
        var iniPath: String?
        let goodIni = plan.goodIni
        let command: String
        if let spawn {
            command = spawn
        } else if target != nil {
            command = ""
        } else {
            statsPort = try SpawnedTarget.freePort()
            iniPath = scratch.appendingPathComponent("serve.ini").path
            try Data(goodIni.utf8).write(to: URL(fileURLWithPath: iniPath!))
            if kind == .fifo { fifoPath = scratch.appendingPathComponent("master.fifo").path }
            let arguments = plan.referenceArguments(iniPath: iniPath!, statsPort: statsPort!, fifoPath: fifoPath)
            command = ReloadPlan.shellCommand(executable: try ExecutablePath.resolve(), arguments: arguments)
        }

        var spawned: SpawnedTarget?
        let endpoint: Endpoint
        do {
            if let target {
                let address: TargetAddress
                do {
                    address = try TargetAddress(target)
                } catch {
                    throw UsageError(message: error.description)
                }
                endpoint = Endpoint(host: address.host, port: address.port,
                                    tls: try tlsOptions.context(host: address.host, scheme: address.scheme))
            } else {
                // The plan has checked that a reference server asked for TLS gets its certificate.
                let context = try tlsOptions.context(host: "127.0.0.1", scheme: nil)
                spawned = try SpawnedTarget(command: command)
                endpoint = Endpoint(host: "127.0.0.1", port: spawned!.port, tls: context)
            }
        } catch let error as SpawnedTarget.Failure {
            FileHandle.standardError.write(Data("cathammer: \(error.description)\n".utf8))
            throw ExitCode(3)
        }
        defer { spawned?.stop() }
        if let statsPort {
            let (_, ready) = ReferenceStats.waitFor(port: statsPort, timeout: 30) { $0.readyWorkers.count >= workers }
            guard ready else {
                FileHandle.standardError.write(Data("cathammer: the reference server's workers did not become ready\n".utf8))
                throw ExitCode(3)
            }
        }
        // Over TLS, a certificate that does not verify is said once, before the load (exit 3).
        if endpoint.isTLS { _ = try TLSOptions.probe(endpoint, timeout: connectSeconds) }
        let masterPID = pid ?? spawned?.pid ?? 0
        let driver = ReloadDriver(kind: kind, pid: masterPID, statsPort: statsPort)
        driver.fifoPath = fifoPath
        driver.iniPath = iniPath
        driver.goodIni = goodIni
        driver.command = reloadCmd
        driver.signal = plan.signal
        driver.window = window
        defer { driver.restore() }

        let label = plan.label
        let kernelBefore = NetworkNamespace.inside ? KernelCounters.read() : nil
        let statsBefore = statsPort.flatMap { ReferenceStats.fetch(port: $0) }
        let started = Date()
        let load = LoadGenerator(profile: profile, target: endpoint)
        var schedule = ReloadSchedule(reloads: reloads, every: every)
        schedule.tail = max(0.5, min(2, every))
        let terminal = TerminalOutput.standard(quiet: quiet)
        let progress = ProgressLine(total: reloads > 0 ? reloads : nil, deadline: bound,
                                    style: ProgressLine.Style(noun: "reloads", failures: "lost", rateNoun: "requests"), output: terminal)
        let fired = ReloadCounter()
        let allowRetry = allowIdempotentRetry
        let ticker = ProgressTicker {
            progress.update(done: fired.count, failures: load.log.count { $0.isFailure(allowIdempotentRetry: allowRetry) },
                            rateCount: load.log.count)
        }
        let timeline: ReloadTimeline
        do {
            defer {
                ticker.stop()
                progress.finish()
            }
            timeline = try ReloadSession.run(load: load, driver: driver, schedule: schedule) { event in
                fired.increment()
                progress.line("reload \(event.index + 1): \(event.settled ? "settled" : terminal.paint("NOT settled", .red)) in "
                              + "\(String(format: "%.0f", Double(event.endNanoseconds - event.startNanoseconds) / 1e6)) ms (\(event.note))",
                              notable: !event.settled)
            }
        } catch {
            FileHandle.standardError.write(Data("cathammer: reload failed: \(error.description)\n".utf8))
            throw ExitCode(3)
        }
        let elapsed = Double(MonotonicClock.now() - load.log.start) / 1e9
        // Settle: retiring workers finish; then the books are final.
        if let statsPort { _ = ReferenceStats.waitFor(port: statsPort, timeout: 5) { $0.workers.allSatisfy { $0.state == "ready" } } }
        let statsAfter = statsPort.flatMap { ReferenceStats.fetch(port: $0) }
        // Read before the target is stopped: what its shutdown does is not part of the run.
        var kernelDeltas: [String: Int]?
        if let kernelBefore, let kernelAfter = KernelCounters.read() {
            kernelDeltas = kernelBefore.delta(to: kernelAfter)
        } else if NetworkNamespace.inside {
            kernelUnavailable = "cannot read /proc/net/snmp"
        }
        spawned?.stop()
        let reloadCommand = plan.reloadDescription(masterPID: masterPID)
        let result = ReloadRun(
            target: label, targetCommand: command, reloadKind: kind, reloadCommand: reloadCommand, started: started,
            durationSeconds: elapsed, records: load.log.all, timeline: timeline, profile: profile,
            statsBefore: statsBefore, statsAfter: statsAfter, kernelDeltas: kernelDeltas,
            kernelUnavailable: kernelUnavailable, allowIdempotentRetry: allowIdempotentRetry, tlsContext: endpoint.tls)

        let folder = try report.write(
            check: "reload-\(kind.rawValue)", label: label,
            json: { try ReloadJSONReport(run: result, version: Cathammer.configuration.version).encoded() },
            junit: { ReloadJUnitReport.render(result) },
            markdown: { "# cathammer reload-check\n\n" + ReloadMarkdownReport.render(result) },
            html: { ReloadHTMLReport.render(result) })
        print(Self.summaryLine(result))
        if kind != .maxRequests && timeline.events.count < reloads {
            print("note: the load ended (--duration or --requests) after \(timeline.events.count) of \(reloads) reloads")
        }
        for failure in result.verdict.failures.prefix(20) {
            print("  FAILED request \(failure.id): \(failure.outcome.rawValue) (\(failure.kind.rawValue) \(failure.method)), "
                  + "connection age \(String(format: "%.1f", failure.connectionAgeMilliseconds)) ms, "
                  + "reload \(failure.reload.map { "#\($0 + 1)" } ?? "none"): \(failure.detail)")
        }
        if result.verdict.failures.count > 20 { print("  … \(result.verdict.failures.count - 20) more in report.json") }
        print("reports: \(folder)")
        if !result.verdict.passed { throw ExitCode(1) }
    }

    static func summaryLine(_ run: ReloadRun) -> String {
        var parts = ["\(run.verdict.passed ? "PASS" : "FAIL"): \(run.timeline.events.count) \(run.reloadKind.rawValue) reload(s) against \(run.target)",
                     "\(run.records.count) requests in \(String(format: "%.1f", run.durationSeconds)) s (\(Int(run.requestsPerSecond.rounded()))/s)",
                     "failed \(run.verdict.failures.count)"]
        let classes = OutcomeClass.allCases.filter { $0 != .ok && run.count($0) > 0 }.map { "\($0.rawValue) \(run.count($0))" }
        if !classes.isEmpty { parts.append(classes.joined(separator: ", ")) }
        if let kills = run.forcedKills { parts.append("forced kills \(kills)") }
        if let completed = run.completedReloads, let failedReloads = run.failedReloads, let recycles = run.recycles {
            parts.append("server: reloads +\(completed), failed reloads +\(failedReloads), recycles +\(recycles)")
        }
        if let deltas = run.kernelDeltas {
            parts.append("kernel Δ " + KernelCounters.reported.map { "\($0.split(separator: ":").last!) \(deltas[$0] ?? 0)" }.joined(separator: " "))
        } else {
            parts.append("kernel counters not available (\(run.kernelUnavailable ?? ""))")
        }
        if let tls = run.tls {
            parts.append("\(tls.version ?? "no TLS handshake") \(tls.cipher ?? ""), resumed during reloads \(run.resumptionDuringReloads.text), "
                         + "outside \(run.resumptionOutsideReloads.text)")
        }
        if let line = run.http2Line { parts.append(line) }
        parts.append("latency ok during reloads \(run.latencyDuring.text), outside \(run.latencyOutside.text)")
        if !run.verdict.retryAllowed.isEmpty { parts.append("retry-allowed (not failing) \(run.verdict.retryAllowed.count)") }
        return parts.joined(separator: "; ")
    }
}
