import ArgumentParser
import Foundation
@preconcurrency import Glibc
import Hammer

struct Run: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the conformance corpus against a server.",
        subcommands: [RunCorpus.self, RunChain.self], defaultSubcommand: RunCorpus.self)
}

struct RunCorpus: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "corpus",
        abstract: "Send every corpus case byte-exact and judge the answers; write JSON, JUnit, HTML, Markdown and SARIF reports.",
        discussion: """
            With no --target or --spawn, the reference server (cathammer serve) is started on a free \
            loopback port and stopped afterwards. The cases come from the corpus built into this binary \
            (cathammer --version names it) unless --corpus names a folder. Exit status: 0 no new failure, 1 new failures \
            (or warnings with --fail-on warn), 2 usage or harness errors.
            """)

    @OptionGroup var server: TargetOptions

    @OptionGroup var source: CorpusOptions

    @OptionGroup var filter: CaseFilterOptions

    @Option(help: "Which cases by protocol: h1 (HTTP/1.1 bytes), h2 (HTTP/2 frames, h2c with prior knowledge), or all.")
    var `protocol` = ProtocolSelection.all

    @Option(help: "Seconds to wait for a response.")
    var timeout = 5.0

    @Option(help: "How each step's bytes are cut into writes.")
    var fragment = FragmentMode.none

    @Option(help: "Seed for --fragment random (the same seed gives the same cuts).")
    var seed: UInt64 = 0

    @Option(help: ArgumentHelp(
        "Run each case N times; a case whose outcome changes between runs is FLAKY, with every outcome seen.",
        discussion: "A FLAKY case one of whose runs failed counts as a failure for the exit status (and for --baseline); one that only moved between PASS and WARN counts as a warning."))
    var `repeat` = 1

    @Option(help: "Cases run at the same time, each on its own connection.")
    var jobs = 16

    @OptionGroup var report: ReportOptions

    @OptionGroup var known: BaselineOptions

    @Flag(help: "No progress (on a terminal a live line, otherwise a line per case), only the summary.")
    var quiet = false

    @Flag(inversion: .prefixedNo, help: "Also run the libcurl checks (category libcurl).")
    var libcurl = true

    @Option(help: "Path the libcurl upload checks POST to (it should accept any body).")
    var uploadPath = "/echo"

    @Option(help: ArgumentHelp(
        "What the target offers beyond HTTP, comma-separated (catserve-routes: 404 on unknown paths, 405 on PUT /).",
        discussion: "Cases that need something the target does not offer are skipped. The reference server, started when there is no --target or --spawn, offers catserve-routes."))
    var offers = CommaSeparated<CorpusCase.Requirement>([])

    func run() throws {
        let format = try report.formats(offered: ReportFormat.allCases)
        guard jobs >= 1, timeout > 0 else { throw UsageError(message: "--jobs and --timeout must be positive") }
        guard (1...100).contains(`repeat`) else { throw UsageError(message: "--repeat takes 1 to 100") }
        try known.check()

        let loaded = try source.load()
        let selected = filter.select(from: loaded, protocols: `protocol`.protocols)
        let withCurl = libcurl && (filter.category.isEmpty || filter.category.contains("libcurl")) && filter.cases.isEmpty
            && (filter.level.isEmpty || filter.level.contains(.must)) && `protocol` != .h2
        guard !selected.isEmpty || withCurl else { throw UsageError(message: "no case matches the selection") }

        let opened = try server.open(referenceLabel: "cathammer serve (reference server)")
        let spawned = opened.spawned
        let (endpoint, label) = (opened.endpoint, opened.label)
        defer { spawned?.stop() }
        var runner = CaseRunner(endpoint: endpoint, timeout: timeout)
        // The probe's handshake offers what the cases will offer: a run of HTTP/2 cases alone offers
        // only h2 (as every case does), so a TLS server that speaks HTTP/2 alone and refuses an
        // http/1.1-only offer (RFC 7301 §3.2, no_application_protocol) is not called unreachable.
        let onlyHTTP2 = !withCurl && selected.allSatisfy { $0.wireProtocol == .h2 }
        _ = try TLSOptions.probe(onlyHTTP2 ? runner.h2Endpoint : endpoint, timeout: timeout)

        runner.offers = server.isReference ? Set(CorpusCase.Requirement.allCases) : Set(offers.values)
        runner.fragment = fragment
        runner.seed = seed
        if selected.contains(where: { $0.wireProtocol == .h2 }) {
            // One probe: a target without HTTP/2 gets its HTTP/2 cases skipped with the reason.
            runner.h2Unavailable = runner.probeHTTP2()
            if let reason = runner.h2Unavailable, !quiet { print("HTTP/2 cases skipped: \(reason)") }
        }
        let terminal = TerminalOutput.standard(quiet: quiet)
        let progress = ProgressLine(total: selected.count + (withCurl ? CurlChecks.count : 0),
                                    style: ProgressLine.Style(noun: "cases", numbered: true), output: terminal)
        let completed: @Sendable (CaseResult) -> Void = { result in
            progress.item("\(terminal.paint(result.verdict)) \(result.testCase.id) (\(result.observed?.description ?? "nothing"))",
                          notable: result.verdict.isNotable, failure: result.isFailure)
        }
        var run = CorpusRun.execute(selected, runner: runner, jobs: jobs, target: label, repeatCount: `repeat`, progress: completed)
        if withCurl {
            let checks = CurlChecks.run(endpoint, timeout: timeout, echoPath: uploadPath)
            checks.forEach(completed)
            run.results += checks
        }
        progress.finish()
        if let knownFailures = try known.knownFailures() { run.baseline = knownFailures }
        spawned?.stop()

        let finished = run
        let folder = try report.write(
            check: nil, label: label,
            json: { try JSONReport(run: finished, version: Cathammer.configuration.version).encoded() },
            junit: { JUnitReport.render(finished) },
            markdown: { MarkdownReport.render(finished) },
            html: { HTMLReport.render(finished) },
            sarif: { try CorpusSARIF.log(finished, version: Cathammer.configuration.version, corpus: source.description).encoded() })
        try known.update(from: run, target: label)

        print("\(run.results.count) cases against \(label): \(run.count(.pass)) passed, \(run.count(.warn)) warned, "
              + "\(run.count(.fail)) failed, \(run.count(.error)) errors"
              + (run.count(.flaky) > 0 ? ", \(run.count(.flaky)) flaky" : "")
              + (run.count(.skip) > 0 ? ", \(run.count(.skip)) skipped" : "")
              + (run.repeatCount > 1 ? " (each case run \(run.repeatCount) times)" : ""))
        for failure in run.newFailures {
            let observed = failure.verdict == .flaky ? "outcomes \(failure.outcomesSeen.joined(separator: ", "))"
                : "observed \(failure.observed?.description ?? "nothing")"
            print("  \(failure.verdict.rawValue) \(failure.testCase.id): expected \(failure.testCase.pass.map(\.description).joined(separator: " | ")), "
                  + observed + (failure.notes.isEmpty ? "" : " (\(failure.notes.joined(separator: "; ")))"))
        }
        if let comparison = BaselineOptions.comparisonLine(run) { print(comparison) }
        print("reports: \(folder)" + (format.contains(.html) ? " (open \(folder)/index.html)" : ""))
        if known.fails(run) { throw ExitCode(1) }
    }

    static func timestamp() -> String {
        let formatter = DateFormatter()
        formatter.dateFormat = "yyyyMMdd-HHmmss"
        formatter.timeZone = TimeZone(identifier: "UTC")
        return formatter.string(from: Date())
    }
}

/// `run corpus --protocol`: which cases run.
enum ProtocolSelection: String, CaseIterable, ExpressibleByArgument {
    case h1, h2, all

    var protocols: [WireProtocol] {
        switch self {
        case .h1: return [.h1]
        case .h2: return [.h2]
        case .all: return []
        }
    }
}

/// `run corpus --fail-on`: what makes the exit status 1.
enum CorpusFailOn: String, CaseIterable, ExpressibleByArgument {
    /// New failures.
    case fail
    /// New failures and new warnings.
    case warn
}

struct CorpusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "corpus", abstract: "Work with the corpus files.", subcommands: [CorpusLint.self, CorpusExport.self])
}

struct CorpusLint: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lint", abstract: "Check every corpus file: schema, unique ids, escapes, RFC reference, outcomes.")

    @OptionGroup var source: CorpusOptions

    func run() throws {
        let (loaded, problems) = source.loadWithProblems()
        for problem in problems { print(problem) }
        let byCategory = Dictionary(grouping: loaded.cases, by: \.category).mapValues(\.count)
        print("\(loaded.cases.count) valid cases in \(byCategory.count) categories"
              + (byCategory.isEmpty ? "" : ": " + byCategory.keys.sorted().map { "\($0) \(byCategory[$0]!)" }.joined(separator: ", "))
              + "; \(problems.count) problem(s)")
        if !problems.isEmpty { throw ExitCode(1) }
    }
}
