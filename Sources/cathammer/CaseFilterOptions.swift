import ArgumentParser
import Hammer

/// `--category`, `--case` and `--level` of the corpus runs: which cases of the corpus run.
struct CaseFilterOptions: ParsableArguments {
    @Option(help: "Only these categories (repeatable).")
    var category: [String] = []

    @Option(name: .customLong("case"), help: "Only these case ids (repeatable).")
    var cases: [String] = []

    @Option(help: "Only these levels (repeatable).")
    var level: [CorpusLevel] = []

    /// The cases of `corpus` the filters and `protocols` (empty: all) let through.
    func select(from corpus: Corpus, protocols: [WireProtocol]) -> [CorpusCase] {
        corpus.selecting(categories: category, ids: cases, levels: level.map(\.rawValue), protocols: protocols)
    }
}
