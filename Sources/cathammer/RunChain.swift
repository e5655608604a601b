import ArgumentParser
import Foundation
import Hammer

struct RunChain: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "chain",
        abstract: "Send the HTTP/1.1 corpus through a front proxy to the recording origin; judge the client hop and what reached the origin.",
        discussion: """
            The recording origin (cathammer serve --app record) is started on a free loopback port, then \
            the --front command, with {port} (where the front listens) and {origin} (127.0.0.1:PORT of the \
            origin) filled in. One case at a time: the origin's event sequence is read, the case is sent to \
            the front, a fence request follows through the front, and the origin's records between the two \
            are the case's. Discrepancy classes: forwarded-invalid, request-count, framing, injected-field \
            (each a FAIL) and normalization (information). Exit status: 0 no new failure, 1 new failures \
            (or warnings with --fail-on warn), 2 usage or harness errors, 3 the front or origin did not start.
            """)

    @Option(help: "The front's command line: {port} is where it listens, {origin} the origin's HOST:PORT (e.g. \"reports/chains/front.sh nginx {port} {origin}\").")
    var front: String

    @Option(help: "The front's name in reports (default: the command).")
    var name: String?

    @Option(help: "Another origin instead of the recording one: its command line with {port} (e.g. a lenient gunicorn). It keeps no records, so only the client hop is judged (responses counted, echo framing compared).")
    var origin: String?

    @Option(help: "The origin's name in reports (with --origin; default: the command).")
    var originName: String?

    @Option(help: ArgumentHelp(
        "What the target offers beyond HTTP, comma-separated (catserve-routes).",
        discussion: "The recording origin offers catserve-routes; with --origin nothing unless said."))
    var offers = CommaSeparated<CorpusCase.Requirement>([])

    @OptionGroup var source: CorpusOptions

    @OptionGroup var filter: CaseFilterOptions

    @Option(help: "Which cases by protocol: h1 (HTTP/1.1 bytes), h2 (HTTP/2 frames to the front, prior knowledge: the downgrade to the HTTP/1.1 origin), or all.")
    var `protocol` = ProtocolSelection.h1

    @Option(help: "Seconds to wait for a response.")
    var timeout = 5.0

    @Option(help: "Seconds to wait, after a complete response, for one more.")
    var quiet = 0.6

    @Option(help: "Seconds the fence request may take to reach the origin after a case.")
    var fenceTimeout = 3.0

    @OptionGroup var report: ReportOptions

    @OptionGroup var known: BaselineOptions

    @Flag(name: .customLong("quiet-progress"), help: "No progress, only the summary.")
    var quietProgress = false

    func run() throws {
        let format = try report.formats(offered: ReportFormat.allCases)
        guard timeout > 0, quiet > 0, fenceTimeout > 0 else { throw UsageError(message: "--timeout, --quiet and --fence-timeout must be positive") }
        guard front.contains("{port}") else { throw UsageError(message: "--front must contain {port}: where the front listens") }
        guard front.contains("{origin}") else { throw UsageError(message: "--front must contain {origin}: the origin's HOST:PORT it forwards to") }
        try known.check()
        let loaded = try source.load()
        let selected = filter.select(from: loaded, protocols: `protocol`.protocols)
        guard !selected.isEmpty else { throw UsageError(message: "no case matches the selection") }
        let knownFailures = try known.knownFailures()

        if let origin, !origin.contains("{port}") { throw UsageError(message: "--origin must contain {port}: where the origin listens") }
        let recording: RecordingOrigin?
        let other: SpawnedTarget?
        let originAddress: String
        do {
            if let origin {
                recording = nil
                let spawned = try SpawnedTarget(command: origin)
                other = spawned
                originAddress = "127.0.0.1:\(spawned.port)"
            } else {
                let started = try RecordingOrigin(executable: try ExecutablePath.resolve())
                recording = started
                other = nil
                originAddress = started.address
            }
        } catch {
            FileHandle.standardError.write(Data("cathammer: the origin did not start: \(error)\n".utf8))
            throw ExitCode(3)
        }
        defer {
            recording?.stop()
            other?.stop()
        }
        let frontProcess: SpawnedTarget
        do {
            frontProcess = try SpawnedTarget(command: front.replacingOccurrences(of: "{origin}", with: originAddress))
        } catch {
            FileHandle.standardError.write(Data("cathammer: the front did not start: \(error)\n".utf8))
            throw ExitCode(3)
        }
        defer { frontProcess.stop() }
        let label = name ?? front
        let originLabel = origin == nil ? "cathammer serve --app record" : originName ?? origin!

        var caseRunner = CaseRunner(endpoint: .loopback(frontProcess.port), timeout: timeout, quiet: quiet)
        caseRunner.offers = origin == nil ? Set(CorpusCase.Requirement.allCases) : Set(offers.values)
        if selected.contains(where: { $0.wireProtocol == .h2 }) {
            // One probe: a front that does not speak HTTP/2 on its port gets its HTTP/2 cases skipped with the reason.
            caseRunner.h2Unavailable = caseRunner.probeHTTP2()
            if let reason = caseRunner.h2Unavailable, !quietProgress { print("HTTP/2 cases skipped: \(reason)") }
        }
        var runner = ChainRunner(runner: caseRunner, originControlPort: recording?.controlPort)
        runner.fenceTimeout = fenceTimeout
        let terminal = TerminalOutput.standard(quiet: quietProgress)
        let progress = ProgressLine(total: selected.count, style: ProgressLine.Style(noun: "cases", numbered: true), output: terminal)
        var run = ChainRun.execute(selected, runner: runner, front: label, origin: originLabel) { item in
            let classes = item.failingClasses.map(\.rawValue).joined(separator: ",")
            progress.item("\(terminal.paint(item.result.verdict)) \(item.result.testCase.id) (\(item.result.observed?.description ?? "nothing"))"
                          + (classes.isEmpty ? "" : " back hop: \(classes)"),
                          notable: item.result.verdict.isNotable, failure: item.result.isFailure)
        }
        progress.finish()
        run.corpus.baseline = knownFailures
        frontProcess.stop()
        recording?.stop()
        other?.stop()

        let finished = run
        let folder = try report.write(
            check: "chain", label: label,
            json: { try ChainJSONReport(run: finished, version: Cathammer.configuration.version).encoded() },
            junit: { JUnitReport.render(finished.corpus) },
            markdown: { ChainMarkdownReport.render(finished) },
            html: { ChainHTMLReport.render(finished) },
            sarif: { try ChainSARIF.log(finished, version: Cathammer.configuration.version, corpus: source.description).encoded() })
        try known.update(from: run.corpus, target: label)
        let corpus = run.corpus
        let counts = run.classCounts
        print("\(corpus.results.count) cases through \(label): \(corpus.count(.pass)) passed, \(corpus.count(.warn)) warned, "
              + "\(corpus.count(.fail)) failed, \(corpus.count(.error)) errors" + (corpus.count(.skip) > 0 ? ", \(corpus.count(.skip)) skipped" : ""))
        print("back hop: " + DiscrepancyClass.allCases.map { "\($0.rawValue) \(counts[$0] ?? 0)" }.joined(separator: ", "))
        for failure in corpus.newFailures {
            print("  \(failure.verdict.rawValue) \(failure.testCase.id): \(failure.verdictReason ?? "observed \(failure.observed?.description ?? "nothing")")")
        }
        if let comparison = BaselineOptions.comparisonLine(corpus) { print(comparison) }
        print("reports: \(folder)" + (format.contains(.html) ? " (open \(folder)/index.html)" : ""))
        if known.fails(corpus) { throw ExitCode(1) }
    }
}
