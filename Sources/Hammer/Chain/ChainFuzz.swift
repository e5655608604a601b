import CathammerContract
import Foundation
import HTTPWire

/// A chain finding: a generated stream whose back hop showed failing discrepancy classes, minimized
/// while it keeps every one of them.
public struct ChainFinding: Sendable {
    public var id: String
    public var classes: [DiscrepancyClass]
    public var generated: GeneratedCase
    public var minimized: FuzzInput
    /// The minimized stream's run through the chain.
    public var result: ChainCaseResult
    public var minimizationTests: Int
    public var foundAfter: Double

    /// Classes and what each stands on (rejection reason, field name, kind of count).
    public var signature: String {
        Set(result.discrepancies.filter { !$0.kind.informational }.map { "\($0.kind.rawValue):\($0.key)" }).sorted().joined(separator: "+")
    }
}

public struct ChainFuzzSummary: Sendable {
    public var started = Date()
    public var elapsed: Double
    public var cases: Int
    public var executions: Int
    public var findings: [ChainFinding]
    /// Cases per failing class, before deduplication.
    public var hits: [DiscrepancyClass: Int]
}

/// `cathammer fuzz --front`: corpus cases mutated as `cathammer fuzz` mutates them, sent through the
/// chain one at a time (the origin's records are attributed by sequence), with the discrepancy
/// classes as the oracle. Cases are generated from the seed in order, so a fixed seed gives the
/// same cases.
public final class ChainFuzz: @unchecked Sendable {
    public let generator: FuzzGenerator
    public let runner: ChainRunner
    public let settings: FuzzSettings
    /// The unchanged seeds are what `run chain` sends already: start with the mutated cases.
    public var skipsSeeds = true
    private var executions = 0

    public init(generator: FuzzGenerator, runner: ChainRunner, settings: FuzzSettings) {
        self.generator = generator
        self.runner = runner
        self.settings = settings
    }

    /// One stream through the chain, as a throwaway case (each send a write, then a half-close).
    public func judge(_ input: FuzzInput, label: String) -> ChainCaseResult {
        executions += 1
        var steps = input.segments.map { CorpusCase.Step.send($0, bytewise: false) }
        steps.append(.halfClose)
        let testCase = CorpusCase(id: label, title: "chain fuzz case", category: "chain", level: "MAY", rfc: "RFC 9112 §6.3",
                                  references: [], why: "generated", steps: steps,
                                  sendTexts: input.segments.map { ByteEscapes.encode($0) }, canary: false,
                                  pass: [OutcomePattern("2xx")!], warn: [], path: "")
        return runner.run(testCase, index: executions)
    }

    public func run(onFinding: (ChainFinding) -> Void = { _ in }, progress: (Int, Int, Int) -> Void = { _, _, _ in }) -> ChainFuzzSummary {
        let clock = ContinuousClock.now
        func elapsed() -> Double {
            let duration = ContinuousClock.now - clock
            return Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
        }
        var summary = ChainFuzzSummary(started: Date(), elapsed: 0, cases: 0, executions: 0, findings: [], hits: [:])
        var known: Set<String> = []
        let first = skipsSeeds ? generator.seeds.count : 0
        var index = first
        while index - first < (settings.maxCases ?? Int.max) && elapsed() < settings.duration {
            let generated = generator.generate(index)
            index += 1
            let result = judge(generated.input, label: "CHAINFUZZ-\(index)")
            let classes = result.failingClasses
            for kind in classes { summary.hits[kind, default: 0] += 1 }
            progress(index - first, executions, summary.findings.count)
            guard !classes.isEmpty else { continue }
            // The same classes for the same reasons (rejection reason, field name, kind of count) is
            // the same finding, whichever mutations got there.
            let signature = Set(result.discrepancies.filter { !$0.kind.informational }.map { "\($0.kind.rawValue):\($0.key)" })
                .sorted().joined(separator: "+")
            guard known.insert(signature).inserted else { continue }
            let finding = minimize(generated, classes: classes, result: result, foundAfter: elapsed())
            // Several signatures can minimize to the same one: keep the first.
            guard known.insert(finding.signature).inserted || finding.signature == signature else { continue }
            summary.findings.append(finding)
            onFinding(finding)
        }
        summary.cases = index - first
        summary.executions = executions
        summary.elapsed = elapsed()
        return summary
    }

    /// Delta debugging over lines, bytes and write boundaries while every class stays; the result
    /// is confirmed by one more run.
    func minimize(_ generated: GeneratedCase, classes: [DiscrepancyClass], result: ChainCaseResult, foundAfter: Double) -> ChainFinding {
        let wanted = Set(classes)
        var minimizer = Minimizer(budget: settings.minimizeBudget) { [self] candidate in
            wanted.isSubset(of: Set(judge(candidate, label: "CHAINFUZZ-MIN").failingClasses))
        }
        var minimized = minimizer.minimize(generated.input)
        var final = result
        if minimized != generated.input {
            let check = judge(minimized, label: "CHAINFUZZ-CHECK")
            if wanted.isSubset(of: Set(check.failingClasses)) { final = check } else { minimized = generated.input }
        }
        let digest = SHA256Hex.of(minimized.bytes).prefix(8).uppercased()
        let id = "\(settings.idPrefix)-\(classes.map { $0.rawValue.uppercased() }.joined(separator: "-"))-\(digest)"
        return ChainFinding(id: id, classes: classes, generated: generated, minimized: minimized, result: final,
                            minimizationTests: minimizer.tests, foundAfter: foundAfter)
    }
}

/// Writes a chain finding as a corpus case (`<folder>/<ID>.yaml`, category = the folder's name) and a
/// reproducer (`<ID>.sh`: `cathammer run chain` with the front, on that case alone).
public enum ChainFindingWriter {
    public static func yaml(_ finding: ChainFinding, category: String, front: String, runSeed: UInt64, reproducer: String) -> String {
        let expectation = Oracle.expect(CorpusCase.fillHost(finding.minimized.bytes, host: "h"))
        var pass = Array(repeating: "2xx", count: expectation.requests.count)
        if let rejection = expectation.rejection { pass.append(String(rejection.status)) }
        pass.append("close")
        let generated = finding.generated
        let how = generated.mutations.isEmpty ? "unchanged" : "mutated by \(generated.mutations.joined(separator: ", "))"
        let details = finding.result.discrepancies.filter { !$0.kind.informational }.map(\.line).joined(separator: " ")
        let why = "Found by cathammer fuzz --front through \(front): \(finding.classes.map(\.rawValue).joined(separator: ", ")). \(details) "
            + "From corpus case \(generated.seedID), \(how) (run seed \(runSeed), case \(generated.index)); minimized in "
            + "\(finding.minimizationTests) executions" + (finding.minimized.cuts.isEmpty ? "." : "; sent in \(finding.minimized.cuts.count + 1) writes.")
        let rejection = expectation.rejection
        var lines = [
            "# cathammer chain fuzz finding (\(finding.signature))",
            "# reproduce: \(reproducer)",
            "id: \(finding.id)",
            "title: \(FindingWriter.quoted("chain: \(finding.classes.map(\.rawValue).joined(separator: ", ")) through \(front)"))",
            "category: \(category)",
            "level: \(rejection?.reason.level ?? "MUST")",
            "rfc: \(rejection?.rfcSection ?? "RFC 9112 §6.3")",
            "quote: \(FindingWriter.quoted(FindingQuote.must(forSection: rejection?.rfcSection ?? "RFC 9112 §9.3")))",
            "references: [\(FindingWriter.quoted("cathammer fuzz --front --seed \(runSeed)")), \(FindingWriter.quoted("seed case \(generated.seedID)"))]",
            "why: \(FindingWriter.quoted(why))",
            "steps:",
        ]
        for segment in finding.minimized.segments { lines.append("  - send: \(FindingWriter.quoted(ByteEscapes.encode(segment)))") }
        lines.append("  - half_close: true")
        lines.append("expect:")
        lines.append("  pass: [\(FindingWriter.quoted(pass.joined(separator: " ")))]")
        return lines.joined(separator: "\n") + "\n"
    }

    /// `cathammer run chain` through the same front on the finding's case alone.
    public static func reproducer(id: String, folder: String, frontCommand: String) -> String {
        let corpusRoot = (folder as NSString).deletingLastPathComponent
        return "cathammer run chain --front \(FindingWriter.shellQuoted(frontCommand)) --corpus \(FindingWriter.shellQuoted(corpusRoot)) --case \(id)"
    }

    /// Writes both files into `folder`; returns the YAML's path.
    public static func write(_ finding: ChainFinding, folder: String, front: String, frontCommand: String, runSeed: UInt64) throws -> String {
        let line = reproducer(id: finding.id, folder: folder, frontCommand: frontCommand)
        return try FindingWriter.writeFiles(id: finding.id, folder: folder,
                                            script: "#!/bin/sh\n# \(finding.signature) through \(front)\n\(line)\n") { category in
            yaml(finding, category: category, front: front, runSeed: runSeed, reproducer: line)
        }.yamlPath
    }
}

extension FindingWriter {
    /// A word for sh: single quotes, embedded ones closed and escaped.
    static func shellQuoted(_ text: String) -> String { "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'" }
}
