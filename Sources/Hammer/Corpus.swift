import Foundation

/// One file of a corpus: its path relative to the corpus folder (`host/HOST-DUPLICATE.yaml`) and its text.
public struct CorpusFile: Sendable, Equatable {
    public var path: String
    public var text: String

    public init(path: String, text: String) {
        self.path = path
        self.text = text
    }
}

/// All cases under a corpus folder, loaded and checked.
public struct Corpus: Sendable {
    public var cases: [CorpusCase]

    /// Loads every `<category>/<ID>.yaml` under a folder; returns the cases and every problem found
    /// (lint reports them all, the runner refuses to start while there is one).
    public static func load(directory: String) -> (corpus: Corpus, problems: [CorpusError]) {
        let (files, problems) = read(directory: directory)
        if files.isEmpty && !problems.isEmpty { return (Corpus(cases: []), problems) }
        let loaded = load(files: files, root: directory)
        return (loaded.corpus, problems + loaded.problems)
    }

    /// Loads the `<category>/<ID>.yaml` files among `files` (other files, such as README.md, are not
    /// cases); each case's path is `root/<category>/<ID>.yaml`.
    public static func load(files: [CorpusFile], root: String) -> (corpus: Corpus, problems: [CorpusError]) {
        var cases: [CorpusCase] = []
        var problems: [CorpusError] = []
        for file in files.sorted(by: { $0.path < $1.path }) where isCase(file.path) {
            do {
                cases.append(try CorpusCase.load(path: (root as NSString).appendingPathComponent(file.path), text: file.text))
            } catch {
                problems.append(error)
            }
        }
        var seen: [String: String] = [:]
        for item in cases {
            if let other = seen[item.id] {
                problems.append(CorpusError(path: item.path, message: "id \(item.id) is also used by \(other)"))
            }
            seen[item.id] = item.path
        }
        if cases.isEmpty && problems.isEmpty {
            problems.append(CorpusError(path: root, message: "no cases found"))
        }
        return (Corpus(cases: cases), problems)
    }

    /// A case file sits one folder deep: `<category>/<ID>.yaml`.
    static func isCase(_ relativePath: String) -> Bool {
        relativePath.hasSuffix(".yaml") && relativePath.split(separator: "/").count == 2
    }

    /// The case files of a folder (`<category>/*.yaml`), and what could not be read.
    public static func read(directory: String) -> (files: [CorpusFile], problems: [CorpusError]) {
        let manager = FileManager.default
        guard let categories = try? manager.contentsOfDirectory(atPath: directory) else {
            return ([], [CorpusError(path: directory, message: "cannot read the corpus folder")])
        }
        var files: [CorpusFile] = []
        var problems: [CorpusError] = []
        for category in categories.sorted() {
            let folder = (directory as NSString).appendingPathComponent(category)
            var isDirectory: ObjCBool = false
            guard manager.fileExists(atPath: folder, isDirectory: &isDirectory), isDirectory.boolValue else { continue }
            for name in ((try? manager.contentsOfDirectory(atPath: folder)) ?? []).sorted() where name.hasSuffix(".yaml") {
                let path = (folder as NSString).appendingPathComponent(name)
                guard let data = manager.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
                    problems.append(CorpusError(path: path, message: "cannot read as UTF-8"))
                    continue
                }
                files.append(CorpusFile(path: "\(category)/\(name)", text: text))
            }
        }
        return (files, problems)
    }

    /// Cases selected by category, id, level and protocol (empty filters select everything).
    public func selecting(categories: [String], ids: [String], levels: [String], protocols: [WireProtocol] = []) -> [CorpusCase] {
        cases.filter { item in
            (categories.isEmpty || categories.contains(item.category)) && (ids.isEmpty || ids.contains(item.id))
                && (levels.isEmpty || levels.contains(item.level)) && (protocols.isEmpty || protocols.contains(item.wireProtocol))
        }
    }
}
