import ArgumentParser
import BuildInfo
import Foundation
import Hammer

/// Which corpus a command reads: `--corpus DIR`, or the one built into the binary (the source tree's
/// corpus/ folder at build time), so the commands work from any directory.
struct CorpusOptions: ParsableArguments {
    @Option(help: ArgumentHelp(
        "A corpus folder (<category>/<ID>.yaml) instead of the corpus built into this binary.",
        discussion: "Without it the built-in corpus is used (cathammer --version names it); `cathammer corpus export DIR` copies it out for editing.",
        valueName: "dir"))
    var corpus: String?

    /// The cases, or a usage error listing every problem of a broken corpus.
    func load() throws -> Corpus {
        let (loaded, problems) = loadWithProblems()
        guard problems.isEmpty else {
            for problem in problems { FileHandle.standardError.write(Data("\(problem)\n".utf8)) }
            throw UsageError(message: "the corpus has \(problems.count) problem(s); run `cathammer corpus lint`")
        }
        return loaded
    }

    func loadWithProblems() -> (corpus: Corpus, problems: [CorpusError]) {
        if let corpus { return Corpus.load(directory: corpus) }
        return Corpus.load(files: BuiltInCorpus.files, root: BuiltInCorpus.root)
    }

    /// The version of the corpus used: the built-in one's, or the folder's.
    func version() -> CorpusVersion {
        guard let corpus else { return BuiltInCorpus.version }
        return CorpusVersion(files: Corpus.read(directory: corpus).files)
    }

    /// The corpus and its version in one line, for reports: `built-in, 441 cases, sha256:…` or `DIR, …`.
    var description: String { "\(corpus ?? "built-in"), \(version())" }
}

/// The corpus compiled into the binary (BuildInfo), as Hammer's corpus files.
enum BuiltInCorpus {
    /// The root its case paths are given under: the folder it came from in the source tree, so a
    /// report's `corpus/<category>/<ID>.yaml` names the file in a checkout or an export.
    static let root = "corpus"

    static var files: [CorpusFile] { BundledCorpus.files.map { CorpusFile(path: $0.path, text: $0.text) } }

    static var version: CorpusVersion { CorpusVersion(files: files) }
}
