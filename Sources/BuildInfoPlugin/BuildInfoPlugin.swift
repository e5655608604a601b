import Foundation
import PackagePlugin

/// Generates the BuildInfo target's sources at build time: the corpus/ folder as Swift string
/// literals (so the binary needs no files beside it), and the git revision the Makefile stamped
/// into `.build-info/revision` (absent after a plain `swift build` that never ran make).
@main
struct BuildInfoPlugin: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        let generator = try context.tool(named: "BuildInfoGenerator").url
        let package = context.package.directoryURL
        let corpus = package.appending(path: "corpus")
        let corpusFiles = Self.files(under: corpus)
        let corpusSource = context.pluginWorkDirectoryURL.appending(path: "EmbeddedCorpus.swift")
        let stamp = package.appending(path: ".build-info/revision")
        let stamped = FileManager.default.fileExists(atPath: stamp.path)
        let revisionSource = context.pluginWorkDirectoryURL.appending(path: "StampedRevision.swift")
        return [
            .buildCommand(
                displayName: "Embedding the corpus (\(corpusFiles.count) files)", executable: generator,
                arguments: ["corpus", corpus.path, corpusSource.path] + corpusFiles.map { String($0.path.dropFirst(corpus.path.count + 1)) },
                inputFiles: corpusFiles, outputFiles: [corpusSource]),
            .buildCommand(
                displayName: "Stamping the git revision", executable: generator,
                arguments: ["revision", revisionSource.path] + (stamped ? [stamp.path] : []),
                inputFiles: stamped ? [stamp] : [], outputFiles: [revisionSource]),
        ]
    }

    /// Every file under the folder, hidden ones skipped, in a stable order.
    static func files(under folder: URL) -> [URL] {
        guard let walker = FileManager.default.enumerator(at: folder, includingPropertiesForKeys: [.isRegularFileKey],
                                                          options: [.skipsHiddenFiles]) else { return [] }
        var files: [URL] = []
        for case let url as URL in walker where (try? url.resourceValues(forKeys: [.isRegularFileKey]))?.isRegularFile == true {
            files.append(url.standardizedFileURL)
        }
        return files.sorted { $0.path < $1.path }
    }
}
