// Splits the byte stream a server sent on one connection into responses.
//
// The harness detects request smuggling by counting responses, so the split must be exact and must
// follow RFC 9112 §6.3 even for malformed input: nothing here throws. Deviations are recorded as
// `ResponseAnomaly` values and parsing continues with the framing a conforming client would use.
//
// Every decision depends only on the bytes, never on how they were chunked: lines are judged once
// their LF has arrived, limits are checked against fixed stream offsets, and a CR is only judged
// once the byte after it is known.

/// Incremental parser for the responses on one HTTP/1.1 connection.
public struct ResponseStreamParser: Sendable {
    /// Method of the n-th request sent on the connection; later responses are framed as for GET.
    public let requestMethods: [String]
    /// Limit for a head (status line and fields, including leading empty lines), a trailer
    /// section and a chunk size line.
    public let maxHeadBytes: Int

    /// Completed responses in stream order, interim 1xx included.
    public private(set) var responses: [ResponseMessage] = []
    /// Bytes after a 101 or a 2xx to CONNECT, where the connection stopped speaking HTTP/1.1.
    public private(set) var tunnelBytes: [UInt8] = []
    /// Bytes after the last response that do not start another response.
    public private(set) var trailingGarbage: [UInt8] = []
    /// Set by `finish()`; later input is ignored.
    public private(set) var isFinished = false

    /// Bytes received but not part of a completed response (a message in progress, tunnel bytes,
    /// trailing garbage).
    public var pendingBytes: Int { receivedCount - completedEnd }
    public var receivedCount: Int { bufferBase + buffer.count }

    /// Received bytes from `bufferBase` on; everything before `cursor` has been dealt with.
    private var buffer: [UInt8] = []
    private var bufferBase = 0
    private var cursor = 0
    private var completedEnd = 0
    private var state = State.head
    /// The response whose head has been parsed and whose body is being read.
    private var message = ResponseMessage()
    private var scan = LineScan(at: 0)
    private var finalResponseCount = 0
    private var previousFinalAskedToClose = false

    public init(requestMethods: [String] = [], maxHeadBytes: Int = 256 * 1024) {
        self.requestMethods = requestMethods
        self.maxHeadBytes = max(1, maxHeadBytes)
    }

    /// Parses `bytes` as the continuation of the stream; the outcome does not depend on the split.
    public mutating func feed(_ bytes: some Collection<UInt8>) {
        guard !isFinished, !bytes.isEmpty else { return }
        buffer.append(contentsOf: bytes)
        while step() {}
        discardConsumedBytes()
    }

    /// Signals EOF: ends a close-delimited body, or marks the message in progress truncated, or
    /// classifies the leftover bytes as trailing garbage.
    public mutating func finish() {
        guard !isFinished else { return }
        switch state {
        case .head:
            finishInHead()
        case .fixedBody, .chunkSizeLine, .chunkData, .chunkDataEnd, .trailerSection:
            message.record(.truncated)
            cursor = receivedCount
            completeMessage(complete: false)
        case .closeDelimitedBody:
            completeMessage(complete: true)
        case .tunnel, .garbage, .finished:
            break
        }
        if !trailingGarbage.isEmpty, !responses.isEmpty {
            responses[responses.count - 1].record(.trailingGarbage)
        }
        state = .finished
        isFinished = true
        let total = receivedCount
        buffer = []
        bufferBase = total
        cursor = total
    }
}

// MARK: - State machine

extension ResponseStreamParser {
    private enum State: Sendable {
        case head
        case fixedBody(remaining: Int)
        case closeDelimitedBody
        case chunkSizeLine
        case chunkData(remaining: Int)
        /// The CRLF that must follow chunk data.
        case chunkDataEnd
        case trailerSection
        case tunnel
        case garbage
        case finished
    }

    /// Progress through a block of lines, kept across feeds so no byte is searched twice.
    private struct LineScan: Sendable {
        var lineStart: Int
        var searchFrom: Int
        /// Head only: where the first non-empty line starts, once it is complete.
        var contentStart: Int?

        init(at offset: Int) {
            lineStart = offset
            searchFrom = offset
            contentStart = nil
        }
    }

    /// Advances once; false when more bytes are needed.
    private mutating func step() -> Bool {
        switch state {
        case .head:
            return parseHead()
        case .fixedBody(let remaining):
            let taken = takeBody(upTo: remaining)
            if taken == remaining {
                completeMessage(complete: true)
                return true
            }
            state = .fixedBody(remaining: remaining - taken)
            return false
        case .closeDelimitedBody:
            _ = takeBody(upTo: .max)
            return false
        case .chunkSizeLine:
            return parseChunkSizeLine()
        case .chunkData(let remaining):
            let taken = takeBody(upTo: remaining)
            if taken == remaining {
                state = .chunkDataEnd
                return true
            }
            state = .chunkData(remaining: remaining - taken)
            return false
        case .chunkDataEnd:
            return parseChunkDataEnd()
        case .trailerSection:
            return parseTrailerSection()
        case .tunnel:
            tunnelBytes.append(contentsOf: bytes(cursor..<receivedCount))
            cursor = receivedCount
            return false
        case .garbage:
            trailingGarbage.append(contentsOf: bytes(cursor..<receivedCount))
            cursor = receivedCount
            return false
        case .finished:
            return false
        }
    }

    // MARK: Head

    private mutating func parseHead() -> Bool {
        let limit = offsetLimit(from: cursor)
        let searchEnd = min(receivedCount, limit)
        while let lineFeed = indexOfLineFeed(from: scan.searchFrom, before: searchEnd) {
            let lineStart = scan.lineStart
            let lineEnd = endOfLineContent(lineStart: lineStart, lineFeed: lineFeed)
            scan.lineStart = lineFeed + 1
            scan.searchFrom = lineFeed + 1
            if let contentStart = scan.contentStart {
                if lineEnd == lineStart {
                    completeHead(contentStart: contentStart, end: lineFeed + 1)
                    return true
                }
            } else if lineEnd > lineStart {
                scan.contentStart = lineStart
                // Judged as soon as it is complete: an unparseable first line decides what the
                // rest of the stream is, so there is no point waiting for the end of the head.
                let firstLine = bytes(lineStart..<lineEnd)
                if isGarbage(startingWith: firstLine) {
                    state = .garbage
                    return true
                }
                var ignored: [ResponseAnomaly] = []
                if ResponseHeadSyntax.parseStatusLine(firstLine, anomalies: &ignored) == nil {
                    startUnparseableBlob(at: lineStart, reason: .invalidStatusLine)
                    return true
                }
            }
        }
        scan.searchFrom = searchEnd
        guard searchEnd == limit else { return false }
        let contentStart = scan.contentStart ?? scan.lineStart
        if isGarbage(startingWith: bytes(contentStart..<limit)) {
            state = .garbage
        } else {
            startUnparseableBlob(at: contentStart, reason: .headTooLarge)
        }
        return true
    }

    /// Bytes that cannot begin a status line are a response only at the very start of the stream
    /// (the "missing status line" blob); after a response they are leftovers of a desync.
    private func isGarbage(startingWith firstLine: ArraySlice<UInt8>) -> Bool {
        !responses.isEmpty && !firstLine.starts(with: ResponseHeadSyntax.httpVersionPrefix)
    }

    private mutating func completeHead(contentStart: Int, end: Int) {
        let (block, lines, anomalies) = headLines(contentStart: contentStart, end: end)
        guard var head = makeHead(
            statusLine: block[lines[0]], fieldLines: lines.dropFirst().dropLast(), block: block, anomalies: anomalies
        ) else {
            startUnparseableBlob(at: contentStart, reason: .invalidStatusLine)
            return
        }
        head.byteRange = cursor..<end
        cursor = end
        message = head
        switch head.framing {
        case .none, .tunnel, .contentLength(0):
            completeMessage(complete: true)
        case .contentLength(let length):
            state = .fixedBody(remaining: length)
        case .chunked:
            state = .chunkSizeLine
            scan = LineScan(at: cursor)
        case .closeDelimited:
            state = .closeDelimitedBody
        }
    }

    /// The complete lines from the message start to `end`, without the leading empty lines; those
    /// are still split so that a bare LF among them is noticed.
    private func headLines(
        contentStart: Int, end: Int
    ) -> (block: ArraySlice<UInt8>, lines: [Range<Int>], anomalies: [ResponseAnomaly]) {
        var anomalies: [ResponseAnomaly] = contentStart > cursor ? [.leadingEmptyLines] : []
        let block = bytes(cursor..<end)
        let lines = ResponseHeadSyntax.lines(in: block, anomalies: &anomalies)
        let firstContentIndex = contentStart - bufferBase
        return (block, Array(lines.drop { $0.lowerBound < firstContentIndex }), anomalies)
    }

    /// Parses the status line and fields and applies the framing rules; nil if the status line
    /// is unparseable.
    private mutating func makeHead(
        statusLine: ArraySlice<UInt8>,
        fieldLines: some Sequence<Range<Int>>,
        block: ArraySlice<UInt8>,
        anomalies: [ResponseAnomaly]
    ) -> ResponseMessage? {
        var head = ResponseMessage(anomalies: anomalies)
        guard let parsed = ResponseHeadSyntax.parseStatusLine(statusLine, anomalies: &head.anomalies) else {
            return nil
        }
        head.version = parsed.version
        head.status = parsed.status
        head.reason = parsed.reason
        head.isInterim = (100...199).contains(parsed.status) && parsed.status != 101
        head.fields = ResponseHeadSyntax.parseFields(
            fieldLines, of: block, section: .head, anomalies: &head.anomalies
        )
        let requestMethod = noteResponseStart(&head)
        head.applyFramingRules(requestMethod: requestMethod)
        return head
    }

    /// Records the anomalies that depend on earlier responses; returns the request method the
    /// response answers.
    private mutating func noteResponseStart(_ response: inout ResponseMessage) -> String {
        if previousFinalAskedToClose {
            response.record(.responseAfterConnectionClose)
        }
        let method = requestMethods.indices.contains(finalResponseCount) ? requestMethods[finalResponseCount] : nil
        // Interim responses precede the final one for the same request, so they consume nothing.
        if !response.isInterim {
            if method == nil && !requestMethods.isEmpty {
                response.record(.unsolicitedResponse)
            }
            finalResponseCount += 1
        }
        return method ?? "GET"
    }

    /// Once the status line is lost, no framing can be trusted: everything up to EOF is one blob.
    private mutating func startUnparseableBlob(at contentStart: Int, reason: ResponseAnomaly) {
        var blob = ResponseMessage(framing: .closeDelimited, byteRange: cursor..<cursor)
        if contentStart > cursor {
            blob.record(.leadingEmptyLines)
        }
        blob.record(reason)
        _ = noteResponseStart(&blob)
        message = blob
        cursor = contentStart
        state = .closeDelimitedBody
    }

    private mutating func finishInHead() {
        let end = receivedCount
        guard cursor < end else { return }
        if let contentStart = scan.contentStart {
            // The status line was valid but the empty line never came: keep what arrived.
            let (block, lines, anomalies) = headLines(contentStart: contentStart, end: scan.lineStart)
            if var head = makeHead(
                statusLine: block[lines[0]], fieldLines: lines.dropFirst(), block: block, anomalies: anomalies
            ) {
                finishTruncated(head: &head)
            }
            return
        }
        var partialLine = bytes(scan.lineStart..<end)
        if partialLine.last == ResponseBytes.cr {
            partialLine.removeLast()
        }
        if partialLine.isEmpty || isGarbage(startingWith: partialLine) {
            state = .garbage
            _ = step()
            return
        }
        let anomalies: [ResponseAnomaly] = scan.lineStart > cursor ? [.leadingEmptyLines] : []
        if var head = makeHead(
            statusLine: partialLine, fieldLines: [Range<Int>](), block: [], anomalies: anomalies
        ) {
            finishTruncated(head: &head)
        } else {
            startUnparseableBlob(at: scan.lineStart, reason: .invalidStatusLine)
            _ = step()
            completeMessage(complete: true)
        }
    }

    private mutating func finishTruncated(head: inout ResponseMessage) {
        head.record(.truncated)
        head.byteRange = cursor..<cursor
        message = head
        cursor = receivedCount
        completeMessage(complete: false)
    }

    private mutating func completeMessage(complete: Bool) {
        message.complete = complete
        message.byteRange = message.byteRange.lowerBound..<cursor
        responses.append(message)
        completedEnd = cursor
        if !message.isInterim {
            previousFinalAskedToClose = message.connectionClose
        }
        state = message.framing == .tunnel ? .tunnel : .head
        scan = LineScan(at: cursor)
        message = ResponseMessage()
    }

    // MARK: Bodies

    private mutating func takeBody(upTo limit: Int) -> Int {
        let count = min(limit, receivedCount - cursor)
        message.body.append(contentsOf: bytes(cursor..<cursor + count))
        cursor += count
        return count
    }

    private mutating func parseChunkSizeLine() -> Bool {
        let limit = offsetLimit(from: cursor)
        let searchEnd = min(receivedCount, limit)
        guard let lineFeed = indexOfLineFeed(from: scan.searchFrom, before: searchEnd) else {
            scan.searchFrom = searchEnd
            guard searchEnd == limit else { return false }
            abandonChunkedFraming()
            return true
        }
        let lineEnd = endOfLineContent(lineStart: cursor, lineFeed: lineFeed)
        if lineEnd == lineFeed {
            message.record(.bareLF)
        }
        guard let size = ResponseHeadSyntax.parseChunkSize(bytes(cursor..<lineEnd), anomalies: &message.anomalies)
        else {
            abandonChunkedFraming()
            return true
        }
        cursor = lineFeed + 1
        if size == 0 {
            state = .trailerSection
            scan = LineScan(at: cursor)
        } else {
            state = .chunkData(remaining: size)
        }
        return true
    }

    private mutating func parseChunkDataEnd() -> Bool {
        guard cursor < receivedCount else { return false }
        switch byte(at: cursor) {
        case ResponseBytes.lf:
            message.record(.bareLF)
            cursor += 1
        case ResponseBytes.cr:
            guard cursor + 1 < receivedCount else { return false }
            guard byte(at: cursor + 1) == ResponseBytes.lf else {
                abandonChunkedFraming()
                return true
            }
            cursor += 2
        default:
            abandonChunkedFraming()
            return true
        }
        state = .chunkSizeLine
        scan = LineScan(at: cursor)
        return true
    }

    /// RFC 9112 §6.3 rule 5 spirit: with the framing lost, read until close. The offending bytes
    /// stay in the stream and become body.
    private mutating func abandonChunkedFraming() {
        message.record(.invalidChunk)
        message.framing = .closeDelimited
        state = .closeDelimitedBody
    }

    private mutating func parseTrailerSection() -> Bool {
        let limit = offsetLimit(from: cursor)
        let searchEnd = min(receivedCount, limit)
        while let lineFeed = indexOfLineFeed(from: scan.searchFrom, before: searchEnd) {
            let lineStart = scan.lineStart
            scan.lineStart = lineFeed + 1
            scan.searchFrom = lineFeed + 1
            guard endOfLineContent(lineStart: lineStart, lineFeed: lineFeed) == lineStart else { continue }
            let block = bytes(cursor..<lineFeed + 1)
            var lines = ResponseHeadSyntax.lines(in: block, anomalies: &message.anomalies)
            lines.removeLast()
            message.trailers = ResponseHeadSyntax.parseFields(
                lines, of: block, section: .trailers, anomalies: &message.anomalies
            )
            cursor = lineFeed + 1
            completeMessage(complete: true)
            return true
        }
        scan.searchFrom = searchEnd
        guard searchEnd == limit else { return false }
        message.record(.trailerSectionTooLarge)
        message.framing = .closeDelimited
        state = .closeDelimitedBody
        return true
    }

    // MARK: Buffer access (all offsets are stream offsets)

    private func byte(at offset: Int) -> UInt8 {
        buffer[offset - bufferBase]
    }

    private func bytes(_ range: Range<Int>) -> ArraySlice<UInt8> {
        buffer[(range.lowerBound - bufferBase)..<(range.upperBound - bufferBase)]
    }

    private func indexOfLineFeed(from start: Int, before end: Int) -> Int? {
        guard start < end else { return nil }
        return bytes(start..<end).firstIndex(of: ResponseBytes.lf).map { $0 + bufferBase }
    }

    /// The end of a line's content: before the CR of a CRLF, or at a bare LF.
    private func endOfLineContent(lineStart: Int, lineFeed: Int) -> Int {
        lineFeed > lineStart && byte(at: lineFeed - 1) == ResponseBytes.cr ? lineFeed - 1 : lineFeed
    }

    private func offsetLimit(from start: Int) -> Int {
        let (limit, overflow) = start.addingReportingOverflow(maxHeadBytes)
        return overflow ? .max : limit
    }

    private mutating func discardConsumedBytes() {
        let consumed = cursor - bufferBase
        if consumed == buffer.count {
            buffer.removeAll(keepingCapacity: buffer.capacity <= 1 << 20)
        } else if consumed >= 1 << 16, consumed * 2 >= buffer.count {
            buffer.removeFirst(consumed)
        } else {
            return
        }
        bufferBase = cursor
    }
}

// MARK: - Framing (RFC 9112 §6.3)

extension ResponseMessage {
    /// Applies the §6.3 rules in order. Anomalies about the framing fields are noted even when an
    /// earlier rule decides, because the harness reports what the server sent.
    mutating func applyFramingRules(requestMethod: String) {
        let transferEncodingFields = fields.filter { $0.hasName("transfer-encoding") }
        let contentLengthFields = fields.filter { $0.hasName("content-length") }
        let hasTransferEncoding = !transferEncodingFields.isEmpty
        let hasContentLength = !contentLengthFields.isEmpty
        let isConnectSuccess = requestMethod == "CONNECT" && (200...299).contains(status)

        if hasTransferEncoding && hasContentLength {
            record(.contentLengthWithTransferEncoding)
        }
        if (100...199).contains(status) || status == 204 || isConnectSuccess {
            if hasTransferEncoding { record(.forbiddenTransferEncoding) }
            if hasContentLength { record(.forbiddenContentLength) }
        }
        if hasTransferEncoding && version == "HTTP/1.0" {
            record(.transferEncodingInHTTP10)
        }
        let codings = ResponseHeadSyntax.transferCodings(transferEncodingFields, anomalies: &anomalies)
        let contentLength = ResponseHeadSyntax.contentLength(contentLengthFields, anomalies: &anomalies)

        if status == 101 {
            framing = .tunnel
        } else if requestMethod == "HEAD" || (100...199).contains(status) || status == 204 || status == 304 {
            framing = .none
        } else if isConnectSuccess {
            framing = .tunnel
        } else if hasTransferEncoding {
            if codings.last == "chunked" {
                framing = .chunked
            } else {
                record(.transferEncodingNotChunked)
                framing = .closeDelimited
            }
        } else if let contentLength {
            framing = .contentLength(contentLength)
        } else {
            framing = .closeDelimited  // no Content-Length, or an invalid one (rule 5)
        }
    }
}

extension Array where Element == ResponseAnomaly {
    mutating func record(_ anomaly: ResponseAnomaly) {
        if !contains(anomaly) { append(anomaly) }
    }
}

// MARK: - Syntax

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
        while let lineFeed = block[lineStart...].firstIndex(of: ResponseBytes.lf) {
            var lineEnd = lineFeed
            if lineEnd > lineStart && block[lineEnd - 1] == ResponseBytes.cr {
                lineEnd -= 1
            } else {
                anomalies.record(.bareLF)
            }
            if block[lineStart..<lineEnd].contains(ResponseBytes.cr) {
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
              let versionEnd = line.firstIndex(where: ResponseBytes.isWhitespace)
        else { return nil }
        let version = line[..<versionEnd]
        if !(version.elementsEqual("HTTP/1.1".utf8) || version.elementsEqual("HTTP/1.0".utf8)) {
            anomalies.record(.unknownVersion)
        }
        guard let codeStart = line[versionEnd...].firstIndex(where: { !ResponseBytes.isWhitespace($0) }) else {
            return nil
        }
        if codeStart - versionEnd != 1 || line[versionEnd] != ResponseBytes.space {
            anomalies.record(.statusLineWhitespace)
        }
        let codeEnd = line[codeStart...].firstIndex(where: ResponseBytes.isWhitespace) ?? line.endIndex
        let code = line[codeStart..<codeEnd]
        guard code.count <= 9, code.allSatisfy(ResponseBytes.isDigit) else { return nil }
        let status = code.reduce(0) { $0 * 10 + Int($1 - UInt8(ascii: "0")) }
        if code.count != 3 || !(100...599).contains(status) {
            anomalies.record(.invalidStatusCode)
        }
        var reason: ArraySlice<UInt8> = []
        if codeEnd == line.endIndex {
            anomalies.record(.statusLineWhitespace)  // the SP before an empty reason is required
        } else {
            if line[codeEnd] != ResponseBytes.space {
                anomalies.record(.statusLineWhitespace)
            }
            reason = line[(codeEnd + 1)...]
        }
        return StatusLine(version: String(decoding: version, as: UTF8.self), status: status, reason: Array(reason))
    }

    /// Field lines (RFC 9112 §5), tolerating obs-fold, whitespace before the colon and lines that
    /// are not fields at all.
    static func parseFields(
        _ lines: some Sequence<Range<Int>>,
        of block: ArraySlice<UInt8>,
        section: FieldSection,
        anomalies: inout [ResponseAnomaly]
    ) -> [ResponseField] {
        var fields: [ResponseField] = []
        var foldTarget = FoldTarget.sectionStart
        for range in lines {
            let line = block[range]
            guard let first = line.first else { continue }
            if ResponseBytes.isWhitespace(first) {
                switch foldTarget {
                case .sectionStart:
                    // RFC 9112 §2.2: such lines are consumed without further processing.
                    anomalies.record(section == .head ? .whitespaceAfterStatusLine : .obsFold)
                    foldTarget = .dropped
                case .dropped:
                    anomalies.record(.obsFold)
                case .field(let index):
                    anomalies.record(.obsFold)
                    let continuation = ResponseBytes.trimmingWhitespace(line)
                    checkFieldValue(continuation, anomalies: &anomalies)
                    if !continuation.isEmpty {
                        if !fields[index].value.isEmpty {
                            fields[index].value.append(ResponseBytes.space)
                        }
                        fields[index].value.append(contentsOf: continuation)
                    }
                }
                continue
            }
            guard let colon = line.firstIndex(of: ResponseBytes.colon) else {
                anomalies.record(.missingColon)
                foldTarget = .dropped
                continue
            }
            var name = line[..<colon]
            if let last = name.last, ResponseBytes.isWhitespace(last) {
                anomalies.record(.whitespaceBeforeColon)
                // RFC 9112 §5.1 has proxies strip it, so the field still counts for framing.
                while let last = name.last, ResponseBytes.isWhitespace(last) { name.removeLast() }
            }
            if name.isEmpty || !name.allSatisfy(ResponseBytes.isTokenCharacter) {
                anomalies.record(.invalidFieldName)
            }
            let value = ResponseBytes.trimmingWhitespace(line[(colon + 1)...])
            checkFieldValue(value, anomalies: &anomalies)
            fields.append(ResponseField(name: Array(name), value: Array(value)))
            foldTarget = .field(fields.count - 1)
        }
        return fields
    }

    /// CR is left to `lines(in:)`, which reports it as a bare CR.
    private static func checkFieldValue(_ value: ArraySlice<UInt8>, anomalies: inout [ResponseAnomaly]) {
        if value.contains(where: { ($0 < 0x20 && $0 != ResponseBytes.tab && $0 != ResponseBytes.cr) || $0 == 0x7F }) {
            anomalies.record(.invalidFieldValue)
        }
    }

    /// The lowercased coding names of all Transfer-Encoding fields, in order.
    static func transferCodings(_ fields: [ResponseField], anomalies: inout [ResponseAnomaly]) -> [String] {
        let registered: Set<String> = ["chunked", "gzip", "x-gzip", "deflate", "compress", "x-compress"]
        let codings = fields
            .flatMap { ResponseBytes.listElements($0.value) }
            .filter { !$0.isEmpty }  // RFC 9110 §5.6.1: empty list elements are ignored
            .map { element in
                let name = ResponseBytes.trimmingWhitespace(element.prefix { $0 != ResponseBytes.semicolon })
                return String(decoding: name.map(ResponseBytes.lowercased), as: UTF8.self)
            }
        if codings.contains(where: { !registered.contains($0) }) {
            anomalies.record(.unknownTransferCoding)
        }
        if codings.filter({ $0 == "chunked" }).count > 1 {
            anomalies.record(.repeatedChunked)
        }
        return codings
    }

    /// The Content-Length value, or nil when absent or invalid. Identical repeats, in separate
    /// fields or as a list, are accepted as RFC 9110 §8.6 allows.
    static func contentLength(_ fields: [ResponseField], anomalies: inout [ResponseAnomaly]) -> Int? {
        let elements = fields.flatMap { ResponseBytes.listElements($0.value) }
        guard !elements.isEmpty else { return nil }
        var length: Int?
        for element in elements {
            let significant = element.drop { $0 == UInt8(ascii: "0") }
            guard !element.isEmpty, significant.count <= 18, element.allSatisfy(ResponseBytes.isDigit) else {
                anomalies.record(.invalidContentLength)
                return nil
            }
            let value = significant.reduce(0) { $0 * 10 + Int($1 - UInt8(ascii: "0")) }
            if let length, length != value {
                anomalies.record(.invalidContentLength)
                return nil
            }
            length = value
        }
        if elements.count > 1 {
            anomalies.record(.duplicateContentLength)
        }
        return length
    }

    /// chunk-size [ chunk-ext ] (RFC 9112 §7.1); nil when the line is not one.
    static func parseChunkSize(_ line: ArraySlice<UInt8>, anomalies: inout [ResponseAnomaly]) -> Int? {
        if line.contains(ResponseBytes.cr) {
            anomalies.record(.bareCR)
        }
        let digits = line.prefix { hexValue($0) != nil }
        let significant = digits.drop { $0 == UInt8(ascii: "0") }
        guard !digits.isEmpty, significant.count <= 15 else { return nil }
        let rest = line[digits.endIndex...]
        let afterWhitespace = rest.drop(while: ResponseBytes.isWhitespace)
        if let first = afterWhitespace.first {
            guard first == ResponseBytes.semicolon else { return nil }
        } else if !rest.isEmpty {
            anomalies.record(.chunkSizeWhitespace)
        }
        return significant.reduce(0) { $0 << 4 | hexValue($1)! }
    }

    private static func hexValue(_ byte: UInt8) -> Int? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return Int(byte - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return Int(byte - UInt8(ascii: "a") + 10)
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return Int(byte - UInt8(ascii: "A") + 10)
        default: return nil
        }
    }
}
