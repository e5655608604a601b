/// uWSGI-style ini configuration: `[cathammer]` holds `key = value` lines whose keys are the long
/// flag names of `cathammer serve` (`http = :8000`, `processes = 4`, `static-map = /s=dir` repeated).
public struct IniFile: Sendable, Equatable {
    public struct Entry: Sendable, Equatable {
        public var line: Int
        public var key: String
        public var value: String
    }

    public struct ParseError: Error, CustomStringConvertible, Equatable {
        public var path: String
        public var line: Int
        public var message: String
        public var description: String { "\(path):\(line): \(message)" }
    }

    public let path: String
    /// The entries of the wanted section, in file order.
    public let entries: [Entry]

    /// Parses `text` (the contents of `path`) and keeps the entries of `section`.
    public init(path: String, text: String, section: String = "cathammer") throws(ParseError) {
        self.path = path
        var current: String?
        var sawSection = false
        var entries: [Entry] = []
        for (index, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let lineNumber = index + 1
            let line = rawLine.trimmingWhitespace()
            if line.isEmpty || line.hasPrefix("#") || line.hasPrefix(";") { continue }
            if line.hasPrefix("[") {
                guard line.hasSuffix("]"), line.count > 2 else {
                    throw ParseError(path: path, line: lineNumber, message: "malformed section header '\(line)'")
                }
                current = String(line.dropFirst().dropLast()).trimmingWhitespace()
                if current == section { sawSection = true }
                continue
            }
            guard let equals = line.firstIndex(of: "=") else {
                throw ParseError(path: path, line: lineNumber, message: "expected 'key = value', found '\(line)'")
            }
            guard let current else {
                throw ParseError(path: path, line: lineNumber, message: "'\(line)' is outside any [section]")
            }
            guard current == section else { continue }
            let key = String(line[..<equals]).trimmingWhitespace()
            var value = String(line[line.index(after: equals)...]).trimmingWhitespace()
            if value.count >= 2, value.hasPrefix("\""), value.hasSuffix("\"") { value = String(value.dropFirst().dropLast()) }
            guard !key.isEmpty else { throw ParseError(path: path, line: lineNumber, message: "empty key") }
            entries.append(Entry(line: lineNumber, key: key, value: value))
        }
        guard sawSection else { throw ParseError(path: path, line: 1, message: "no [\(section)] section") }
        self.entries = entries
    }
}

extension StringProtocol {
    func trimmingWhitespace() -> String {
        var slice = Substring(self)
        while let first = slice.first, first == " " || first == "\t" || first == "\r" || first == "\n" { slice = slice.dropFirst() }
        while let last = slice.last, last == " " || last == "\t" || last == "\r" || last == "\n" { slice = slice.dropLast() }
        return String(slice)
    }
}
