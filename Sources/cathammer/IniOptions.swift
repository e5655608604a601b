import ArgumentParser
import Foundation
import PreforkServer

/// An ini file turned into `serve` arguments, remembering which line each came from so that every
/// error names the file, the line and the key.
struct IniOptions {
    let file: IniFile
    let arguments: [String]
    /// Flag name ("--processes") → the line and key that produced it.
    private let origins: [String: IniFile.Entry]

    /// Keys that make no sense inside the file.
    static let refusedKeys: Set<String> = ["ini", "help", "version", "check-config"]

    /// Repeatable keys whose command-line values replace the file's instead of adding to them (a
    /// flag overrides the file; `static-map` keeps adding, as it always did).
    static let replacedByFlags: Set<String> = ["--http", "--https", "--tls-sni"]

    /// The file's arguments without the repeatable keys that `commandLine` gives itself.
    func arguments(overriddenBy commandLine: [String]) -> [String] {
        let given = Set(commandLine.map { String($0.prefix { $0 != "=" }) }.filter { Self.replacedByFlags.contains($0) })
        guard !given.isEmpty else { return arguments }
        var kept: [String] = []
        var index = 0
        while index < arguments.count {
            if !given.contains(arguments[index]) { kept += arguments[index...(index + 1)] }
            index += 2
        }
        return kept
    }

    static func load(_ path: String) throws -> IniOptions {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw UsageError(message: "--ini: cannot read '\(path)'")
        }
        guard let text = String(data: data, encoding: .utf8) else { throw UsageError(message: "--ini: '\(path)' is not UTF-8 text") }
        let file: IniFile
        do {
            file = try IniFile(path: path, text: text)
        } catch {
            throw UsageError(message: error.description)
        }
        var arguments: [String] = []
        var origins: [String: IniFile.Entry] = [:]
        for entry in file.entries {
            guard !refusedKeys.contains(entry.key), !entry.key.hasPrefix("-") else {
                throw UsageError(message: "\(path):\(entry.line): key '\(entry.key)' is not allowed in an ini file")
            }
            let flag = entry.key.count == 1 ? "-\(entry.key)" : "--\(entry.key)"
            arguments += [flag, entry.value]
            if origins[flag] == nil { origins[flag] = entry }
        }
        return IniOptions(file: file, arguments: arguments, origins: origins)
    }

    /// Parses the file's arguments alone; errors name the line and key.
    func options() throws -> ServeOptions {
        do {
            return try ServeOptions.parse(arguments)
        } catch {
            throw attribute(ServeOptions.message(for: error))
        }
    }

    /// Runs `body`, rewriting a usage error about a flag into one about the file's line.
    func attributing<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as UsageError {
            throw attribute(error.message)
        }
    }

    private func attribute(_ message: String) -> UsageError {
        // The longest flag name that occurs in the message is the one it is about.
        let matches = origins.keys.filter { message.contains($0) }.sorted { $0.count > $1.count }
        if let flag = matches.first, let entry = origins[flag] {
            let unknown = message.contains("Unknown option")
            return UsageError(message: "\(file.path):\(entry.line): \(unknown ? "unknown key" : "bad value for") '\(entry.key)': \(message)")
        }
        return UsageError(message: "\(file.path): \(message)")
    }
}

extension ServeOptions {
    /// ArgumentParser's own message for a parse error, on one line.
    static func message(for error: Error) -> String {
        let line = fullMessage(for: error).split(separator: "\n").first.map(String.init) ?? "\(error)"
        return line.hasPrefix("Error: ") ? String(line.dropFirst("Error: ".count)) : line
    }
}
