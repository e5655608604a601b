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
        if partialLine.last == ASCII.cr {
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
        case ASCII.lf:
            message.record(.bareLF)
            cursor += 1
        case ASCII.cr:
            guard cursor + 1 < receivedCount else { return false }
            guard byte(at: cursor + 1) == ASCII.lf else {
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
        return bytes(start..<end).firstIndex(of: ASCII.lf).map { $0 + bufferBase }
    }

    /// The end of a line's content: before the CR of a CRLF, or at a bare LF.
    private func endOfLineContent(lineStart: Int, lineFeed: Int) -> Int {
        lineFeed > lineStart && byte(at: lineFeed - 1) == ASCII.cr ? lineFeed - 1 : lineFeed
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
