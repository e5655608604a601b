import ArgumentParser
import Foundation
import Hammer

/// Where and in which formats run corpus, fuzz, reload-check and herd-check write their reports.
struct ReportOptions: ParsableArguments {
    @Option(help: "Report folder (default reports/runs/<time>-<check>-<target>; for run corpus <time>-<target>).")
    var out: String?

    @Option(help: ArgumentHelp(
        "Report formats, comma-separated.",
        discussion: "sarif (SARIF 2.1.0, for GitHub code scanning) is written by run corpus, run chain and fuzz when asked for; fuzz writes no junit (its default is json,html,md) except with --front."))
    var format = CommaSeparated(ReportFormat.defaults)

    /// The formats asked for, or the defaults among those the command offers; a format the command
    /// does not write is a usage error.
    func formats(offered: [ReportFormat] = ReportFormat.defaults) throws -> [ReportFormat] {
        let asked = format.values
        if asked == ReportFormat.defaults { return asked.filter(offered.contains) }
        guard !asked.isEmpty else { throw UsageError(message: "--format needs at least one format") }
        if let refused = asked.first(where: { !offered.contains($0) }) {
            throw UsageError(message: "--format \(refused.rawValue): this command writes \(offered.map(\.rawValue).joined(separator: ", "))")
        }
        return asked
    }

    /// Writes the asked-for formats to `--out` or reports/runs/<time>-[<check>-]<label>; returns the
    /// folder. A nil renderer is a format the command does not write.
    func write(check: String?, label: String, json: () throws -> Data, junit: (() -> String)?, markdown: () -> String,
               html: () -> String, sarif: (() throws -> Data)? = nil) throws -> String {
        let offered = ReportFormat.allCases.filter { ($0 != .junit || junit != nil) && ($0 != .sarif || sarif != nil) }
        let formats = try formats(offered: offered)
        let folder = out ?? "reports/runs/\(RunCorpus.timestamp())-" + (check.map { "\($0)-" } ?? "") + FolderName.slug(label)
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let base = URL(fileURLWithPath: folder)
        for format in formats {
            let data: Data
            switch format {
            case .json: data = try json()
            case .junit: data = Data(junit!().utf8)
            case .md: data = Data(markdown().utf8)
            case .html: data = Data(html().utf8)
            case .sarif: data = try sarif!()
            }
            try data.write(to: base.appendingPathComponent(format.fileName))
        }
        return folder
    }
}
