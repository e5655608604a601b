// The grammar of the pieces of a response, read leniently: lines, the status line, field lines
// and chunk size lines. Stateless, so the stream parser decides only where pieces start and end.

/// Stateless parsing of the pieces of a response head.
enum ResponseHeadSyntax {
    static let httpVersionPrefix = Array("HTTP/".utf8)

    struct StatusLine {
        var version: String
        var status: Int
        var reason: [UInt8]
    }

    enum FieldSection {
        case head, trailers
    }

    /// What a whitespace-preceded (obs-fold) line continues.
    private enum FoldTarget {
        case sectionStart
        case field(Int)
        case dropped
    }

    /// Content ranges of the LF-terminated lines in `block` (a CR before the LF excluded).
    static func lines(in block: ArraySlice<UInt8>, anomalies: inout [ResponseAnomaly]) -> [Range<Int>] {
        var lines: [Range<Int>] = []
        var lineStart = block.startIndex
        while let lineFeed = block[lineStart...].firstIndex(of: ASCII.lf) {
            var lineEnd = lineFeed
            if lineEnd > lineStart && block[lineEnd - 1] == ASCII.cr {
                lineEnd -= 1
            } else {
                anomalies.record(.bareLF)
            }
            if block[lineStart..<lineEnd].contains(ASCII.cr) {
                anomalies.record(.bareCR)
            }
            lines.append(lineStart..<lineEnd)
            lineStart = lineFeed + 1
        }
        return lines
    }

    /// status-line = HTTP-version SP status-code SP [ reason-phrase ] (RFC 9112 §4), read
    /// leniently: nil only when there is no "HTTP/" version followed by a numeric code.
    static func parseStatusLine(_ line: ArraySlice<UInt8>, anomalies: inout [ResponseAnomaly]) -> StatusLine? {
        guard line.starts(with: httpVersionPrefix),
              let versionEnd = line.firstIndex(where: ASCII.isWhitespace)
        else { return nil }
        let version = line[..<versionEnd]
        if !(version.elementsEqual("HTTP/1.1".utf8) || version.elementsEqual("HTTP/1.0".utf8)) {
            anomalies.record(.unknownVersion)
        }
        guard let codeStart = line[versionEnd...].firstIndex(where: { !ASCII.isWhitespace($0) }) else {
            return nil
        }
        if codeStart - versionEnd != 1 || line[versionEnd] != ASCII.space {
            anomalies.record(.statusLineWhitespace)
        }
        let codeEnd = line[codeStart...].firstIndex(where: ASCII.isWhitespace) ?? line.endIndex
        let code = line[codeStart..<codeEnd]
        guard code.count <= 9, code.allSatisfy(ASCII.isDigit) else { return nil }
        let status = code.reduce(0) { $0 * 10 + Int($1 - UInt8(ascii: "0")) }
        if code.count != 3 || !(100...599).contains(status) {
            anomalies.record(.invalidStatusCode)
        }
        var reason: ArraySlice<UInt8> = []
        if codeEnd == line.endIndex {
            anomalies.record(.statusLineWhitespace)  // the SP before an empty reason is required
        } else {
            if line[codeEnd] != ASCII.space {
                anomalies.record(.statusLineWhitespace)
            }
            reason = line[(codeEnd + 1)...]
        }
        return StatusLine(version: String(decoding: version, as: UTF8.self), status: status, reason: Array(reason))
    }

    /// Field lines (RFC 9112 §5), tolerating obs-fold, whitespace before the colon and lines that
    /// are not fields at all. Names are kept as received but for whitespace before the colon;
    /// values lose leading and trailing OWS, and obs-folds are joined with one SP.
    static func parseFields(
        _ lines: some Sequence<Range<Int>>,
        of block: ArraySlice<UInt8>,
        section: FieldSection,
        anomalies: inout [ResponseAnomaly]
    ) -> [HeaderField] {
        var fields: [HeaderField] = []
        var foldTarget = FoldTarget.sectionStart
        for range in lines {
            let line = block[range]
            guard let first = line.first else { continue }
            if ASCII.isWhitespace(first) {
                switch foldTarget {
                case .sectionStart:
                    // RFC 9112 §2.2: such lines are consumed without further processing.
                    anomalies.record(section == .head ? .whitespaceAfterStatusLine : .obsFold)
                    foldTarget = .dropped
                case .dropped:
                    anomalies.record(.obsFold)
                case .field(let index):
                    anomalies.record(.obsFold)
                    let continuation = trimmingWhitespace(line)
                    checkFieldValue(continuation, anomalies: &anomalies)
                    if !continuation.isEmpty {
                        if !fields[index].value.isEmpty {
                            fields[index].value.append(ASCII.space)
                        }
                        fields[index].value.append(contentsOf: continuation)
                    }
                }
                continue
            }
            guard let colon = line.firstIndex(of: ASCII.colon) else {
                anomalies.record(.missingColon)
                foldTarget = .dropped
                continue
            }
            var name = line[..<colon]
            if let last = name.last, ASCII.isWhitespace(last) {
                anomalies.record(.whitespaceBeforeColon)
                // RFC 9112 §5.1 has proxies strip it, so the field still counts for framing.
                while let last = name.last, ASCII.isWhitespace(last) { name.removeLast() }
            }
            if name.isEmpty || !name.allSatisfy(ByteClass.isToken) {
                anomalies.record(.invalidFieldName)
            }
            let value = trimmingWhitespace(line[(colon + 1)...])
            checkFieldValue(value, anomalies: &anomalies)
            fields.append(HeaderField(name: Array(name), value: Array(value)))
            foldTarget = .field(fields.count - 1)
        }
        return fields
    }

    /// CR is left to `lines(in:)`, which reports it as a bare CR.
    private static func checkFieldValue(_ value: ArraySlice<UInt8>, anomalies: inout [ResponseAnomaly]) {
        if value.contains(where: { ($0 < 0x20 && $0 != ASCII.tab && $0 != ASCII.cr) || $0 == 0x7F }) {
            anomalies.record(.invalidFieldValue)
        }
    }

    static func trimmingWhitespace(_ bytes: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        var slice = bytes
        while let first = slice.first, ASCII.isWhitespace(first) { slice.removeFirst() }
        while let last = slice.last, ASCII.isWhitespace(last) { slice.removeLast() }
        return slice
    }

    /// Elements of a comma-separated list (RFC 9110 §5.6.1), trimmed. Empty elements are kept so
    /// callers can decide whether they are acceptable. Unlike the request side's `ListSyntax`, a
    /// comma inside a quoted string splits too; kept so because the harness's verdicts rest on it.
    static func listElements(_ value: [UInt8]) -> [ArraySlice<UInt8>] {
        value[...].split(separator: ASCII.comma, omittingEmptySubsequences: false).map(trimmingWhitespace)
    }

    /// chunk-size [ chunk-ext ] (RFC 9112 §7.1); nil when the line is not one.
    static func parseChunkSize(_ line: ArraySlice<UInt8>, anomalies: inout [ResponseAnomaly]) -> Int? {
        if line.contains(ASCII.cr) {
            anomalies.record(.bareCR)
        }
        let digits = line.prefix { ByteClass.table[Int($0)].contains(.hexDigit) }
        let significant = digits.drop { $0 == UInt8(ascii: "0") }
        guard !digits.isEmpty, significant.count <= 15 else { return nil }
        let rest = line[digits.endIndex...]
        let afterWhitespace = rest.drop(while: ASCII.isWhitespace)
        if let first = afterWhitespace.first {
            guard first == ASCII.semicolon else { return nil }
        } else if !rest.isEmpty {
            anomalies.record(.chunkSizeWhitespace)
        }
        return significant.reduce(0) { $0 << 4 | ASCII.hexValue($1) }
    }
}

extension Array where Element == ResponseAnomaly {
    mutating func record(_ anomaly: ResponseAnomaly) {
        if !contains(anomaly) { append(anomaly) }
    }
}
