import ArgumentParser
import CathammerContract
import Foundation
@preconcurrency import Glibc
import Hammer

struct Fuzz: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Differential network fuzzing from the corpus: mutate, judge against the strict parser, minimize findings.",
        discussion: """
            Each case is a corpus case with byte, header, chunk and stream mutations, sent on a fresh \
            connection and half-closed. The strict parser decides what a strict server must answer; \
            a difference is a finding (crash, desync, framing, lenient, over-strict, hang). Every new \
            finding is minimized and written as a corpus case to --findings/<target>/<ID>.yaml with a \
            bash reproducer (<ID>.sh; HOST=… PORT=… aim it elsewhere). With no --target or --spawn the reference server is \
            fuzzed. Exit status: 0 nothing of the --fail-on classes, 1 such findings, 2 usage errors, \
            3 the target could not be started or reached. With --front (chain fuzzing) every discrepancy \
            class but normalization fails: 1 when anything was found (0 with --fail-on none); reports as for run chain \
            (json, junit, html, md, and sarif on request).
            """)

    @OptionGroup var server: TargetOptions

    @Option(help: "How long to fuzz: e.g. 90s, 10m, 1h (a plain number is seconds).")
    var duration = "60s"

    @Option(help: "Seed of the case sequence (default: drawn and printed); the same seed gives the same cases.")
    var seed: UInt64?

    @Option(help: "Connections at a time.")
    var jobs = 1

    @Option(help: "Stop after this many generated cases.")
    var maxCases: Int?

    @OptionGroup var report: ReportOptions

    @Option(help: "Where findings are written, one folder per target.")
    var findings = "fuzz/findings"

    @Option(help: "Finding classes that make the exit status 1, comma-separated, or none.")
    var failOn = FuzzFailOn([.desync, .crash])

    @OptionGroup var source: CorpusOptions

    @Option(help: "Only seeds from these categories (repeatable).")
    var category: [String] = []

    @Option(name: .customLong("protocol"), help: "h1: HTTP/1.1 cases and mutators, judged by the strict parser; h2: HTTP/2 cases (h2c with prior knowledge, or TLS with ALPN h2) with frame, HPACK and stream-state mutators, judged by the strict HTTP/2 layer.")
    var wireProtocol = "h1"

    @Option(help: "Seconds to wait for a response the strict parser says must come.")
    var timeout = 1.5

    @Option(help: "Seconds to wait, after the responses a strict server sends, for one too many (targets that close at EOF end it sooner).")
    var extraWait = 0.25

    @Option(help: "Executions each minimization may spend.")
    var minimizeBudget = 400

    @Flag(inversion: .prefixedNo, help: "Label findings with the reference server's answer (started on a free port when fuzzing another server).")
    var referenceCheck = true

    @Flag(help: "No progress (on a terminal a live line, otherwise a status line every 10 s and a line per finding), only the summary.")
    var quiet = false

    @Option(help: "Chain fuzzing: the front's command line with {port} and {origin}, started before the recording origin; the discrepancy classes of run chain are the oracle, findings go to --findings/chain-<front>/chain/<ID>.yaml.")
    var front: String?

    @Option(help: "With --front: the front's name in findings and reports (default: the command).")
    var frontName: String?

    func run() throws {
        guard let seconds = try? DurationText.seconds(duration), seconds > 0 else {
            throw UsageError(message: "--duration '\(duration)' is not a duration such as 90s, 10m or 1h")
        }
        guard jobs >= 1, jobs <= 64 else { throw UsageError(message: "--jobs must be between 1 and 64") }
        guard timeout > 0, extraWait > 0 else { throw UsageError(message: "--timeout and --extra-wait must be positive") }
        guard minimizeBudget >= 0 else { throw UsageError(message: "--minimize-budget must not be negative") }
        if let maxCases, maxCases < 1 { throw UsageError(message: "--max-cases must be at least 1") }
        if let front { return try fuzzChain(front: front, seconds: seconds) }
        let failClasses = Set(failOn.classes)
        let formats = try report.formats(offered: Self.formats)
        guard let chosenProtocol = WireProtocol(rawValue: wireProtocol) else {
            throw UsageError(message: "--protocol '\(wireProtocol)' is h1 or h2")
        }
        let loaded = try source.load()
        let selected = loaded.selecting(categories: category, ids: [], levels: [], protocols: [chosenProtocol])
        guard !selected.isEmpty else { throw UsageError(message: "no corpus case matches --category") }
        let runSeed = seed ?? UInt64.random(in: 1...UInt64(UInt32.max))

        let opened = try server.open(referenceLabel: "reference")
        let spawned = opened.spawned
        let (endpoint, label) = (opened.endpoint, opened.label)
        var referenceServer: SpawnedTarget?
        do {
            if referenceCheck && !server.isReference { referenceServer = try SpawnedTarget(command: try TargetOptions.referenceCommand()) }
        } catch let error as SpawnedTarget.Failure {
            spawned?.stop()
            FileHandle.standardError.write(Data("cathammer: \(error.description)\n".utf8))
            throw ExitCode(3)
        }
        defer {
            spawned?.stop()
            referenceServer?.stop()
        }
        // HTTP/2 fuzzing offers only h2 in every handshake (H2FuzzExecutor), and so does its probe.
        _ = try TLSOptions.probe(chosenProtocol == .h2 ? (try? endpoint.offering(alpn: ["h2"])) ?? endpoint : endpoint,
                                 timeout: max(timeout, 2))
        if chosenProtocol == .h2 {
            return try runH2(cases: selected, corpus: loaded, endpoint: endpoint, label: label, spawned: spawned,
                             referenceServer: referenceServer, runSeed: runSeed, seconds: seconds, formats: formats,
                             failClasses: failClasses)
        }
        let health = TargetHealth(endpoint: endpoint, rootPID: spawned?.pid)
        guard health.isAnswering() else {
            FileHandle.standardError.write(Data("cathammer: the target does not answer GET / at \(endpoint.authority)\n".utf8))
            throw ExitCode(3)
        }

        let executor = FuzzExecutor(endpoint: endpoint, timeout: timeout, quiet: extraWait)
        var seeds = selected.map(FuzzSeed.init)
        let echoes = FuzzSeed.echoPath(endpoint)
        if let echoes { seeds = seeds.map { $0.retargeted(to: echoes) } }
        let folderName = FolderName.slug(label)
        let settings = FuzzSettings(seed: runSeed, duration: seconds, maxCases: maxCases, jobs: jobs, minimizeBudget: minimizeBudget,
                                    idPrefix: "FUZZ-" + folderName.uppercased())
        let run = FuzzRun(generator: FuzzGenerator(seeds: seeds, runSeed: runSeed), executor: executor, health: health, settings: settings)
        if referenceCheck {
            let referenceRun = FuzzRun(
                generator: run.generator,
                executor: FuzzExecutor(endpoint: referenceServer.map { .loopback($0.port) } ?? endpoint, timeout: max(timeout, 2),
                                       quiet: max(extraWait, 0.5)),
                health: nil, settings: settings)
            run.referenceOutcome = { input in
                let evaluation = referenceRun.evaluate(input)
                return evaluation.classification == nil ? evaluation.observation.outcome : nil
            }
        }

        let findingsFolder = (findings as NSString).appendingPathComponent(folderName)
        print("fuzzing \(label) at \(endpoint.scheme)://\(endpoint.authority) from \(seeds.count) corpus cases, seed \(runSeed), for \(Self.format(seconds))"
              + (maxCases.map { " or \($0) cases" } ?? "") + (echoes.map { "; echo-capable at \($0)" } ?? ""))
        try runAndReport(label: label, overHTTP2: false, endpoint: endpoint, runSeed: runSeed, seconds: seconds, formats: formats,
                         failClasses: failClasses, findingsFolder: findingsFolder,
                         run: { run.run(onFinding: $0, progress: $1) }, sessions: { executor.sessions.all }) { finding in
            try FindingWriter.write(finding, folder: findingsFolder, targetName: label, runSeed: runSeed, endpoint: endpoint)
        }
    }

    /// `--protocol h2`: the HTTP/2 cases as seeds, frame/HPACK/stream-state mutators, the strict HTTP/2
    /// layer as the oracle; findings written as h2 corpus cases to --findings/h2-<target>/.
    func runH2(cases: [CorpusCase], corpus: Corpus, endpoint: Endpoint, label: String, spawned: SpawnedTarget?,
               referenceServer: SpawnedTarget?, runSeed: UInt64, seconds: Double, formats: [ReportFormat],
               failClasses: Set<FindingClass>) throws {
        let executor = try H2FuzzExecutor(endpoint: endpoint, timeout: timeout, quiet: min(extraWait, 0.25))
        guard let serverSettings = executor.serverSettings() else {
            FileHandle.standardError.write(Data("cathammer: the target does not answer the HTTP/2 preface with SETTINGS at \(endpoint.authority)\n".utf8))
            throw ExitCode(3)
        }
        let seeds = cases.compactMap { FuzzSeed(h2: $0, peer: serverSettings, authority: endpoint.authority) }
        guard !seeds.isEmpty else { throw UsageError(message: "no HTTP/2 corpus case with the standard opening matches --category") }
        let health = H2TargetHealth(executor: executor, rootPID: spawned?.pid)
        let folderName = "h2-" + FolderName.slug(label)
        let settings = FuzzSettings(seed: runSeed, duration: seconds, maxCases: maxCases, jobs: jobs, minimizeBudget: minimizeBudget,
                                    idPrefix: "FUZZ-" + folderName.uppercased())
        let run = H2FuzzRun(generator: H2FuzzGenerator(seeds: seeds, runSeed: runSeed), executor: executor, server: serverSettings,
                            health: health, settings: settings)
        if referenceCheck {
            let referenceExecutor = try H2FuzzExecutor(endpoint: referenceServer.map { .loopback($0.port) } ?? endpoint,
                                                       timeout: max(timeout, 2), quiet: max(extraWait, 0.3))
            if let referenceSettings = referenceExecutor.serverSettings() {
                let referenceRun = H2FuzzRun(generator: run.generator, executor: referenceExecutor, server: referenceSettings,
                                             health: nil, settings: settings)
                run.referenceOutcome = { input in
                    let evaluation = referenceRun.evaluate(input)
                    return evaluation.classification == nil ? evaluation.observation.outcome : nil
                }
            }
        }
        let quotes = H2FindingWriter.Quotes(corpus: corpus.cases)
        let findingsFolder = (findings as NSString).appendingPathComponent(folderName)
        print("fuzzing \(label) over HTTP/2 at \(endpoint.scheme)://\(endpoint.authority) from \(seeds.count) corpus cases, seed \(runSeed), for \(Self.format(seconds))"
              + (maxCases.map { " or \($0) cases" } ?? ""))
        try runAndReport(label: label, overHTTP2: true, endpoint: endpoint, runSeed: runSeed, seconds: seconds, formats: formats,
                         failClasses: failClasses, findingsFolder: findingsFolder,
                         run: { run.run(onFinding: $0, progress: $1) }, sessions: { [] }) { finding in
            try H2FindingWriter.write(finding, folder: findingsFolder, targetName: label, runSeed: runSeed, quotes: quotes,
                                      endpoint: endpoint)
        }
    }

    /// What both protocols do with a run: the progress line while it runs, the files of each new
    /// finding, the reports, the summary lines and the exit status (1 when a --fail-on class was found).
    func runAndReport<Found: FuzzFindingRecord>(
        label: String, overHTTP2: Bool, endpoint: Endpoint, runSeed: UInt64, seconds: Double, formats: [ReportFormat],
        failClasses: Set<FindingClass>, findingsFolder: String,
        run: (_ onFinding: (Found) -> Void, _ progress: @escaping @Sendable (FuzzProgress) -> Void) -> FuzzRunSummary<Found>,
        sessions: () -> [TLSSessionInfo], write: @escaping (Found) throws -> FindingWriter.Written
    ) throws {
        let terminal = TerminalOutput.standard(quiet: quiet)
        let progress = ProgressLine(total: maxCases, deadline: seconds, style: ProgressLine.Style(
            noun: "cases", failures: "findings", rateNoun: "execs", plainStatusEvery: 10), output: terminal)
        var files: [String: String] = [:]
        var writeErrors: [String] = []
        let summary = run({ finding in
            do {
                files[finding.id] = try write(finding).yamlPath
            } catch {
                writeErrors.append("\(finding.id): \(error)")
            }
        }, { update in
            if let finding = update.newFinding {
                progress.line("new \(terminal.paint(finding.findingClass.rawValue, failClasses.contains(finding.findingClass) ? .red : .yellow)) "
                              + "\(finding.id): \(finding.classification.explanation)", notable: true)
            }
            let counts = FindingClass.allCases.compactMap { kind in update.counts[kind].map { "\(kind.rawValue) \($0)" } }
            progress.update(done: update.cases, failures: update.counts.values.reduce(0, +), rateCount: update.executions,
                            detail: "\(update.executions) execs" + (counts.isEmpty ? "" : ", " + counts.joined(separator: ", ")))
        })
        progress.finish()

        let fuzzReport = FuzzReport(summary: summary, target: label, seed: runSeed, version: Cathammer.configuration.version,
                                    endpoint: endpoint, sessions: sessions(), files: files)
        let folder = try report.write(
            check: "fuzz", label: label, json: { try fuzzReport.encoded() }, junit: nil, markdown: { fuzzReport.renderMarkdown() },
            html: { fuzzReport.renderHTML() },
            sarif: { try FuzzSARIF.log(fuzzReport, failingClasses: failClasses, findingsFolder: findingsFolder).encoded() })

        let counts = FindingClass.allCases.map { "\($0.rawValue) \(summary.count($0))" }.joined(separator: ", ")
        print(String(format: "%d cases, %d executions in %.1f s (%.1f/s) against %@%@: %d findings (%@)", summary.cases,
                     summary.executions, summary.elapsed, summary.executionsPerSecond, label, overHTTP2 ? " over HTTP/2" : "",
                     summary.findings.count, counts))
        if let reason = summary.stoppedBecause { print("stopped early: \(reason)") }
        for finding in summary.findings {
            print("  \(finding.findingClass.rawValue) \(finding.id): \(finding.classification.explanation)")
        }
        for problem in writeErrors { FileHandle.standardError.write(Data("cathammer: cannot write finding \(problem)\n".utf8)) }
        if !summary.findings.isEmpty { print("findings: \(findingsFolder)") }
        print("reports: \(folder)" + (formats.contains(.html) ? " (open \(folder)/index.html)" : ""))
        if summary.findings.contains(where: { failClasses.contains($0.findingClass) }) { throw ExitCode(1) }
    }

    /// The report formats fuzz writes (no JUnit: a run is not a list of test cases).
    static let formats: [ReportFormat] = [.json, .html, .md, .sarif]

    static func format(_ seconds: Double) -> String {
        seconds >= 60 && seconds.truncatingRemainder(dividingBy: 60) == 0 ? "\(Int(seconds / 60)) min" : "\(seconds) s"
    }
}
