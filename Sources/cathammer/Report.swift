import ArgumentParser
import Foundation
import Hammer

struct Report: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Build a side-by-side matrix (HTML and Markdown) from several corpus runs.")

    @Option(name: .customLong("matrix"), parsing: .upToNextOption, help: "Run folders (or report.json files) to compare.")
    var runs: [String] = []

    @Option(help: "Folder for matrix.html and matrix.md.")
    var out = "reports/matrix"

    func run() throws {
        guard runs.count >= 1 else { throw UsageError(message: "--matrix needs at least one run folder") }
        let matrix: MatrixReport
        do {
            matrix = try MatrixReport(paths: runs)
        } catch {
            throw UsageError(message: error.description)
        }
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        try Data(matrix.html().utf8).write(to: URL(fileURLWithPath: out).appendingPathComponent("matrix.html"))
        try Data(matrix.markdown().utf8).write(to: URL(fileURLWithPath: out).appendingPathComponent("matrix.md"))
        print("matrix of \(runs.count) run(s): \(out)/matrix.html, \(out)/matrix.md")
    }
}
