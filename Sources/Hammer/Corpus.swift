import Foundation

/// All cases under a corpus folder, loaded and checked.
public struct Corpus: Sendable {
    public var cases: [CorpusCase]

    /// Loads every `<category>/<ID>.yaml`; returns the cases and every problem found (lint reports
    /// them all, the runner refuses to start while there is one).
    public static func load(directory: String) -> (corpus: Corpus, problems: [CorpusError]) {
        var cases: [CorpusCase] = []
        var problems: [CorpusError] = []
        let manager = FileManager.default
        guard let categories = try? manager.contentsOfDirectory(atPath: directory) else {
            return (Corpus(cases: []), [CorpusError(path: directory, message: "cannot read the corpus folder")])
        }
        for category in categories.sorted() {
            let folder = (directory as NSString).appendingPathComponent(category)
            var isDirectory: ObjCBool = false
            guard manager.fileExists(atPath: folder, isDirectory: &isDirectory), isDirectory.boolValue else { continue }
            for file in ((try? manager.contentsOfDirectory(atPath: folder)) ?? []).sorted() where file.hasSuffix(".yaml") {
                let path = (folder as NSString).appendingPathComponent(file)
                guard let data = manager.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
                    problems.append(CorpusError(path: path, message: "cannot read as UTF-8"))
                    continue
                }
                do {
                    cases.append(try CorpusCase.load(path: path, text: text))
                } catch {
                    problems.append(error)
                }
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
            problems.append(CorpusError(path: directory, message: "no cases found"))
        }
        return (Corpus(cases: cases), problems)
    }

    /// Cases selected by category, id, level and protocol (empty filters select everything).
    public func selecting(categories: [String], ids: [String], levels: [String], protocols: [WireProtocol] = []) -> [CorpusCase] {
        cases.filter { item in
            (categories.isEmpty || categories.contains(item.category)) && (ids.isEmpty || ids.contains(item.id))
                && (levels.isEmpty || levels.contains(item.level)) && (protocols.isEmpty || protocols.contains(item.wireProtocol))
        }
    }
}
