import CathammerContract

/// Which corpus a binary or a run used, in one line: how many case files, and a hash of every
/// case file's path and text (README.md and other documents do not change a verdict, so they do
/// not change the version).
public struct CorpusVersion: Sendable, Equatable, CustomStringConvertible {
    public var cases: Int
    /// The first 12 hex digits of the SHA-256 over each case file's path and text, sorted by path.
    public var hash: String

    public init(files: [CorpusFile]) {
        let caseFiles = files.filter { Corpus.isCase($0.path) }.sorted { $0.path < $1.path }
        var bytes: [UInt8] = []
        for file in caseFiles {
            bytes += Array(file.path.utf8) + [0] + Array(file.text.utf8) + [0]
        }
        cases = caseFiles.count
        hash = String(SHA256Hex.of(bytes).prefix(12))
    }

    public var description: String { "\(cases) cases, sha256:\(hash)" }
}
