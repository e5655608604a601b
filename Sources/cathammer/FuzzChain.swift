import ArgumentParser
import Foundation
import Hammer

extension Fuzz {
    /// `fuzz --front`: mutated corpus cases through the front to the recording origin, one at a time.
    func fuzzChain(front: String, seconds: Double) throws {
        guard server.target == nil && server.spawn == nil else { throw UsageError(message: "--front fuzzes a chain: drop --target and --spawn") }
        guard front.contains("{port}"), front.contains("{origin}") else {
            throw UsageError(message: "--front must contain {port} (where the front listens) and {origin} (the origin it forwards to)")
        }
        let formats = try report.formats(offered: ReportFormat.allCases)
        let loaded = try source.load()
        let selected = loaded.selecting(categories: category, ids: [], levels: [], protocols: [.h1])
        guard !selected.isEmpty else { throw UsageError(message: "no corpus case matches --category") }
        let runSeed = seed ?? UInt64.random(in: 1...UInt64(UInt32.max))
        let origin: RecordingOrigin
        let frontProcess: SpawnedTarget
        do {
            origin = try RecordingOrigin(executable: try ExecutablePath.resolve())
        } catch {
            FileHandle.standardError.write(Data("cathammer: the recording origin did not start: \(error)\n".utf8))
            throw ExitCode(3)
        }
        defer { origin.stop() }
        do {
            frontProcess = try SpawnedTarget(command: front.replacingOccurrences(of: "{origin}", with: origin.address))
        } catch {
            FileHandle.standardError.write(Data("cathammer: the front did not start: \(error)\n".utf8))
            throw ExitCode(3)
        }
        defer { frontProcess.stop() }
        let label = frontName ?? front
        let folderName = "chain-" + FolderName.slug(label)
        let settings = FuzzSettings(seed: runSeed, duration: seconds, maxCases: maxCases, jobs: 1, minimizeBudget: minimizeBudget,
                                    idPrefix: "CHAIN-" + FolderName.slug(label).uppercased())
        var runner = ChainRunner(runner: CaseRunner(endpoint: .loopback(frontProcess.port), timeout: timeout, quiet: extraWait),
                                 originControlPort: origin.controlPort)
        runner.fenceTimeout = max(1, timeout)
        let seeds = selected.map(FuzzSeed.init).map { $0.retargeted(to: "/echo") }
        let fuzz = ChainFuzz(generator: FuzzGenerator(seeds: seeds, runSeed: runSeed), runner: runner, settings: settings)
        let findingsFolder = ((findings as NSString).appendingPathComponent(folderName) as NSString).appendingPathComponent("chain")
        print("chain fuzzing \(label) → recording origin from \(seeds.count) corpus cases, seed \(runSeed), for \(Self.format(seconds))"
              + (maxCases.map { " or \($0) cases" } ?? ""))
        var writeErrors: [String] = []
        var files: [String: String] = [:]
        var lastStatus = Date()
        let summary = fuzz.run(onFinding: { finding in
            do {
                files[finding.id] = try ChainFindingWriter.write(finding, folder: findingsFolder, front: label, frontCommand: front, runSeed: runSeed)
            } catch {
                writeErrors.append("\(finding.id): \(error)")
            }
            if !quiet { print("new \(finding.classes.map(\.rawValue).joined(separator: "+")) \(finding.id) (\(finding.minimized.bytes.count) bytes after \(finding.minimizationTests) minimization runs)") }
        }, progress: { cases, executions, findings in
            if !quiet && Date().timeIntervalSince(lastStatus) >= 10 {
                lastStatus = Date()
                print("  \(cases) cases, \(executions) executions, \(findings) findings")
            }
        })
        let hits = DiscrepancyClass.allCases.filter { !$0.informational }.map { "\($0.rawValue) \(summary.hits[$0] ?? 0)" }.joined(separator: ", ")
        print(String(format: "%d cases, %d executions in %.1f s (%.2f/s) through %@: %d findings (cases per class: %@)", summary.cases,
                     summary.executions, summary.elapsed, summary.elapsed > 0 ? Double(summary.executions) / summary.elapsed : 0,
                     label, summary.findings.count, hits))
        for finding in summary.findings {
            print("  \(finding.classes.map(\.rawValue).joined(separator: "+")) \(finding.id): "
                  + (finding.result.discrepancies.first { !$0.kind.informational }?.detail ?? ""))
        }
        let reproducers = Dictionary(uniqueKeysWithValues: summary.findings.map {
            ($0.id, ChainFindingWriter.reproducer(id: $0.id, folder: findingsFolder, frontCommand: front))
        })
        let fuzzReport = ChainFuzzReport(summary: summary, front: label, frontCommand: front, origin: "recording origin at \(origin.address)",
                                         seed: runSeed, version: Cathammer.configuration.version, files: files, reproducers: reproducers)
        let folder = try report.write(
            check: "chain-fuzz", label: label, json: { try fuzzReport.encoded() }, junit: { fuzzReport.renderJUnit() },
            markdown: { fuzzReport.renderMarkdown() }, html: { fuzzReport.renderHTML() },
            sarif: { try ChainFuzzSARIF.log(fuzzReport, findingsFolder: findingsFolder).encoded() })
        for problem in writeErrors { FileHandle.standardError.write(Data("cathammer: cannot write finding \(problem)\n".utf8)) }
        if !summary.findings.isEmpty { print("findings: \(findingsFolder)") }
        print("reports: \(folder)" + (formats.contains(.html) ? " (open \(folder)/index.html)" : ""))
        // Every class but normalization is a FAIL of run chain, so any finding fails the run; the
        // --fail-on classes are those of one server, and only `none` (collect, do not fail) applies.
        if !summary.findings.isEmpty && !failOn.classes.isEmpty { throw ExitCode(1) }
    }
}
