import Foundation

// Writes the BuildInfo target's generated sources (run by BuildInfoPlugin at build time):
//   BuildInfoGenerator corpus ROOT OUTPUT.swift RELATIVE-PATH...   the corpus files as string literals
//   BuildInfoGenerator revision OUTPUT.swift [STAMP-FILE]          the stamped git revision, or nil

/// A Swift string literal holding exactly `text`: every character that a literal cannot hold as
/// itself (quote, backslash, control characters, CR above all) is written as an escape.
func literal(_ text: String) -> String {
    var out = "\""
    for scalar in text.unicodeScalars {
        switch scalar {
        case "\"": out += "\\\""
        case "\\": out += "\\\\"
        case "\n": out += "\\n"
        case "\t": out += "\\t"
        default:
            if scalar.value < 0x20 || scalar.value == 0x7F || (0x80..<0xA0).contains(scalar.value) {
                out += "\\u{\(String(scalar.value, radix: 16))}"
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
    }
    return out + "\""
}

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("BuildInfoGenerator: \(message)\n".utf8))
    exit(1)
}

/// Writes only when the text changed, so an unchanged input does not recompile the module.
func write(_ text: String, to path: String) {
    if let old = FileManager.default.contents(atPath: path), old == Data(text.utf8) { return }
    do {
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
    } catch {
        fail("cannot write \(path): \(error)")
    }
}

let arguments = Array(CommandLine.arguments.dropFirst())
switch arguments.first {
case "corpus" where arguments.count >= 3:
    let root = arguments[1]
    var source = "// Generated at build time by BuildInfoGenerator from the corpus/ folder. Do not edit.\n\n"
    source += "extension BundledCorpus {\n    static let embeddedFiles: [File] = [\n"
    for relative in arguments.dropFirst(3) {
        let path = (root as NSString).appendingPathComponent(relative)
        guard let data = FileManager.default.contents(atPath: path) else { fail("cannot read \(path)") }
        guard let text = String(data: data, encoding: .utf8) else { fail("\(path) is not UTF-8 (corpus files must be)") }
        source += "        File(path: \(literal(relative)), text: \(literal(text))),\n"
    }
    source += "    ]\n}\n"
    write(source, to: arguments[2])
case "revision" where arguments.count == 2 || arguments.count == 3:
    var revision: String?
    if arguments.count == 3 {
        guard let data = FileManager.default.contents(atPath: arguments[2]) else { fail("cannot read \(arguments[2])") }
        revision = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }
    let value = revision.flatMap { $0.isEmpty ? nil : literal($0) } ?? "nil"
    write("// Generated at build time by BuildInfoGenerator from .build-info/revision. Do not edit.\n\n"
          + "extension BuildRevision {\n    static let stamped: String? = \(value)\n}\n", to: arguments[1])
default:
    fail("usage: BuildInfoGenerator corpus ROOT OUTPUT RELATIVE-PATH... | revision OUTPUT [STAMP]")
}
