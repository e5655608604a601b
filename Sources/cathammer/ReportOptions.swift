import ArgumentParser
import Foundation
import Hammer

/// Where and in which formats run corpus, reload-check and herd-check write their reports.
struct ReportOptions: ParsableArguments {
    @Option(help: "Report folder (default reports/runs/<time>-<check>-<target>; for run corpus <time>-<target>).")
    var out: String?

    @Option(help: "Report formats, comma-separated.")
    var format = CommaSeparated(ReportFormat.allCases)

    func formats() throws -> CommaSeparated<ReportFormat> {
        guard !format.values.isEmpty else { throw UsageError(message: "--format needs at least one format") }
        return format
    }

    /// Writes the asked-for formats to `--out` or reports/runs/<time>-[<check>-]<label>; returns the folder.
    func write(check: String?, label: String, json: () throws -> Data, junit: () -> String, markdown: () -> String,
               html: () -> String) throws -> String {
        let formats = try formats()
        let folder = out ?? "reports/runs/\(RunCorpus.timestamp())-" + (check.map { "\($0)-" } ?? "") + FolderName.slug(label)
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let base = URL(fileURLWithPath: folder)
        if formats.contains(.json) { try json().write(to: base.appendingPathComponent(ReportFormat.json.fileName)) }
        if formats.contains(.junit) { try Data(junit().utf8).write(to: base.appendingPathComponent(ReportFormat.junit.fileName)) }
        if formats.contains(.md) { try Data(markdown().utf8).write(to: base.appendingPathComponent(ReportFormat.md.fileName)) }
        if formats.contains(.html) { try Data(html().utf8).write(to: base.appendingPathComponent(ReportFormat.html.fileName)) }
        return folder
    }
}
