import ArgumentParser
import Foundation
import Hammer

struct CorpusExport: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Copy the built-in corpus into a folder, to read or edit it and run it with --corpus.",
        discussion: "Writes <dir>/<category>/<ID>.yaml and README.md (the case schema). Existing files are never overwritten: the command stops with exit status 2 before writing anything.")

    @Argument(help: "The folder to write (created when missing).")
    var directory: String

    func run() throws {
        let manager = FileManager.default
        let files = BuiltInCorpus.files
        let existing = files.map { (directory as NSString).appendingPathComponent($0.path) }.filter { manager.fileExists(atPath: $0) }
        guard existing.isEmpty else {
            throw UsageError(message: "corpus export: \(existing.count) file(s) exist already, e.g. \(existing[0]); choose an empty folder")
        }
        for file in files {
            let path = (directory as NSString).appendingPathComponent(file.path)
            try manager.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try Data(file.text.utf8).write(to: URL(fileURLWithPath: path))
        }
        print("wrote the built-in corpus (\(BuiltInCorpus.version)) to \(directory): \(files.count) files")
    }
}
