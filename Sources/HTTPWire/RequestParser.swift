/// What one call of `RequestParser.next(_:)` found. `consumed` counts bytes from the start of that
/// call's input which the caller must drop before the next call; everything after them must be passed
/// again (with any new bytes appended), because the parser keeps offsets into it.
public enum RequestEvent: Sendable, Equatable {
    /// Nothing complete yet. Drop `consumed` bytes, append more input, call again.
    case needMore(consumed: Int)
    /// The head is complete and valid: `parser.head` describes it with ranges into this call's input,
    /// and keeps doing so until the next request's first byte is parsed. The caller may keep the head
    /// bytes (pass only what follows them next time) for as long as it needs them.
    case head(consumed: Int)
    /// De-chunked body bytes at `range` of this call's input.
    case body(Range<Int>, consumed: Int)
    /// The message is complete; for chunked bodies `parser.trailers` has ranges into this call's input.
    case end(consumed: Int)
    /// The request is refused. The parser stays in this state: the connection must be closed.
    case rejected(HTTPViolation)
}

/// A strict, incremental HTTP/1.1 request parser (RFC 9112, RFC 9110) over the caller's buffer.
///
/// Every byte is examined once, in order, by a state machine; limits are checked at the byte that
/// crosses them. So the verdict and the parsed request are the same however the input is chunked.
/// Storage for field lines is reserved up front and reused, so a typical request allocates nothing.
public struct RequestParser: Sendable {
    public let limits: ParserLimits
    public internal(set) var head = RequestHead()
    public private(set) var trailers: [FieldLine] = []
    /// Bytes of the connection's stream consumed by earlier events.
    public private(set) var streamOffset = 0
    public private(set) var violation: HTTPViolation?
    /// De-chunked body bytes of the current message delivered so far.
    public private(set) var bodyBytesReceived = 0

    var state: State = .lineStart
    var inTrailers = false
    /// Next byte to examine, relative to the current input.
    var scan = 0
    var lineStart = 0
    var sectionStart = 0
    var valueStart = 0
    var valueEnd = 0
    var nameEnd = 0
    var leadingEmptyLines = 0
    var versionStart = 0
    var targetStart = 0
    /// Content-Length bytes or bytes of the current chunk still to come.
    var remaining = 0
    var chunkSize = 0
    var chunkExtensionBytes = 0

    enum State: UInt8 {
        case lineStart, leadingLF, method, targetStart, target, version, requestLineLF
        case fieldStart, fieldName, fieldNameWhitespace, valueLeadingWhitespace, value, fieldLF, sectionEndLF
        case identityBody
        case chunkSizeStart, chunkSize, chunkWhitespaceBeforeSemicolon, chunkExtensionNameStart
        case chunkExtensionName, chunkExtensionAfterName, chunkExtensionValueStart, chunkExtensionToken
        case chunkExtensionQuoted, chunkExtensionQuotedPair, chunkExtensionAfterQuoted, chunkLineLF
        case chunkData, chunkDataCR, chunkDataLF
        case messageEnd
        case rejected
    }

    public init(limits: ParserLimits = .defaults) {
        self.limits = limits
        head.fields.reserveCapacity(min(limits.maxFieldCount, 128))
    }

    /// True between messages: at most the empty lines RFC 9112 §2.2 says to ignore have been seen.
    /// A peer that closes now has not cut a request short (RFC 9112 §8).
    public var isBetweenMessages: Bool { state == .lineStart }

    /// Nothing of a next message has been seen: the parser can be set aside between requests (a
    /// server lends parsers to idle connections from a pool) and resumed with `startStream(at:)`.
    public var holdsNoMessageState: Bool { state == .lineStart && scan == 0 && leadingEmptyLines == 0 }

    /// Starts over at a message boundary of a stream whose first `streamOffset` bytes were consumed
    /// elsewhere, keeping the storage reserved for field lines.
    public mutating func startStream(at streamOffset: Int) {
        if !head.fields.isEmpty { head.fields.removeAll(keepingCapacity: true) }
        if !trailers.isEmpty { trailers.removeAll(keepingCapacity: true) }
        self.streamOffset = streamOffset
        violation = nil
        bodyBytesReceived = 0
        state = .lineStart
        inTrailers = false
        scan = 0
        lineStart = 0
        sectionStart = 0
        valueStart = 0
        valueEnd = 0
        nameEnd = 0
        leadingEmptyLines = 0
        versionStart = 0
        targetStart = 0
        remaining = 0
        chunkSize = 0
        chunkExtensionBytes = 0
    }

    /// Parses as far as `input` allows. `input` must start at the first byte not yet consumed.
    public mutating func next(_ input: UnsafeRawBufferPointer) -> RequestEvent {
        let count = input.count
        switch state {
        case .rejected:
            return .rejected(violation!)
        case .messageEnd:
            return finishMessage(consumed: 0)
        case .identityBody:
            let available = min(remaining, count)
            guard available > 0 else { return .needMore(consumed: 0) }
            remaining -= available
            bodyBytesReceived += available
            streamOffset += available
            if remaining == 0 { state = .messageEnd }
            return .body(0..<available, consumed: available)
        default:
            break
        }
        guard let base = input.baseAddress, count > scan else { return needMoreLines() }
        let bytes = base.assumingMemoryBound(to: UInt8.self)
        if state.rawValue >= State.identityBody.rawValue {
            return scanChunked(bytes, count: count)
        }
        switch scanLines(bytes, count: count) {
        case .needMore:
            return needMoreLines()
        case .failed(let reason, let offset):
            return reject(reason, at: offset)
        case .sectionComplete(let end):
            if inTrailers {
                if let (reason, offset) = checkTrailers(input) { return reject(reason, at: offset) }
                return finishMessage(consumed: end)
            }
            head.length = end
            if let (reason, offset) = interpretHead(input) { return reject(reason, at: offset) }
            startBody()
            streamOffset += end
            scan = 0
            return .head(consumed: end)
        }
    }

    // MARK: - Lines: request line, header section, trailer section

    /// Lines are kept in the caller's buffer until their section ends, so the head can be handed out
    /// without copying; only chunk lines already behind a trailer section can be dropped.
    private mutating func needMoreLines() -> RequestEvent {
        guard inTrailers && sectionStart > 0 else { return .needMore(consumed: 0) }
        let consumed = sectionStart
        rebase(by: consumed)
        return .needMore(consumed: consumed)
    }

    enum LineScan {
        case needMore
        case sectionComplete(end: Int)
        case failed(ViolationReason, at: Int)
    }

    private mutating func scanLines(_ p: UnsafePointer<UInt8>, count end: Int) -> LineScan {
        let table = ByteClass.table
        var i = scan
        defer { scan = i }
        var requestLineLimit = lineStart + limits.maxRequestLine
        while i < end {
            let byte = p[i]
            switch state {
            case .lineStart:
                if byte == ASCII.cr {
                    state = .leadingLF
                    i += 1
                } else if table[Int(byte)].contains(.token) {
                    // The previous head stays readable until the next one starts.
                    head.fields.removeAll(keepingCapacity: true)
                    lineStart = i
                    requestLineLimit = i + limits.maxRequestLine
                    state = .method
                } else if byte == ASCII.lf {
                    return .failed(.bareLF, at: i)
                } else if ASCII.isWhitespace(byte) {
                    return .failed(.requestLineWhitespace, at: i)
                } else {
                    return .failed(.methodInvalid, at: i)
                }
            case .leadingLF:
                guard byte == ASCII.lf else { return .failed(.bareCR, at: i - 1) }
                leadingEmptyLines += 1
                if leadingEmptyLines > limits.maxLeadingEmptyLines {
                    return .failed(.tooManyLeadingEmptyLines, at: i)
                }
                state = .lineStart
                i += 1
            case .method:
                let methodLimit = lineStart + limits.maxMethod
                let stop = min(end, requestLineLimit, methodLimit + 1)
                while i < stop && table[Int(p[i])].contains(.token) { i += 1 }
                if i > methodLimit { return .failed(.methodTooLong, at: lineStart) }
                if i == end { return .needMore }
                if i >= requestLineLimit { return .failed(.requestLineTooLong, at: i) }
                switch p[i] {
                case ASCII.space:
                    head.method = lineStart..<i
                    state = .targetStart
                    i += 1
                case ASCII.tab: return .failed(.requestLineWhitespace, at: i)
                case ASCII.cr, ASCII.lf: return .failed(.requestLineInvalid, at: i)
                default: return .failed(.methodInvalid, at: i)
                }
            case .targetStart:
                if i >= requestLineLimit { return .failed(.requestLineTooLong, at: i) }
                if ASCII.isWhitespace(byte) { return .failed(.requestLineWhitespace, at: i) }
                targetStart = i
                state = .target
            case .target:
                let stop = min(end, requestLineLimit)
                while i < stop && table[Int(p[i])].contains(.target) { i += 1 }
                if i == end { return .needMore }
                if i >= requestLineLimit { return .failed(.requestLineTooLong, at: i) }
                switch p[i] {
                case ASCII.space:
                    if i == targetStart { return .failed(.requestLineWhitespace, at: i) }
                    head.target = targetStart..<i
                    state = .version
                    i += 1
                    versionStart = i
                case ASCII.tab: return .failed(.requestLineWhitespace, at: i)
                case ASCII.cr, ASCII.lf: return .failed(.requestLineInvalid, at: i)
                default: return .failed(.targetInvalidCharacter, at: i)
                }
            case .version:
                if byte == ASCII.cr {
                    guard let version = Self.version(p + versionStart, count: i - versionStart) else {
                        return .failed(
                            Self.looksLikeVersion(p + versionStart, count: i - versionStart)
                                ? .versionUnsupported : .versionInvalid,
                            at: versionStart)
                    }
                    head.version = version
                    state = .requestLineLF
                    i += 1
                } else if i >= requestLineLimit {
                    return .failed(.requestLineTooLong, at: i)
                } else if byte == ASCII.lf {
                    return .failed(.bareLF, at: i)
                } else if ASCII.isWhitespace(byte) {
                    // Doubled or trailing whitespace is what lenient parsers tolerate; whitespace after
                    // a word that is not a version means the line has more than three parts.
                    let word = i - versionStart
                    let lenient = word == 0 || Self.looksLikeVersion(p + versionStart, count: word)
                    return .failed(lenient ? .requestLineWhitespace : .requestLineInvalid, at: i)
                } else if i - versionStart >= 8 || byte < 0x21 || byte > 0x7E {
                    return .failed(.versionInvalid, at: i)
                } else {
                    i += 1
                }
            case .requestLineLF:
                guard byte == ASCII.lf else { return .failed(.bareCR, at: i - 1) }
                i += 1
                sectionStart = i
                state = .fieldStart
            case .fieldStart, .fieldName, .fieldNameWhitespace, .valueLeadingWhitespace, .value, .fieldLF, .sectionEndLF:
                return scanFields(p, count: end, from: &i)
            default:
                preconditionFailure("scanLines in body state \(state)")
            }
        }
        return .needMore
    }

    private mutating func scanFields(_ p: UnsafePointer<UInt8>, count end: Int, from position: inout Int) -> LineScan {
        let table = ByteClass.table
        var i = position
        defer { position = i }
        let sectionLimit = sectionStart + (inTrailers ? limits.maxTrailerSection : limits.maxHeaderSection)
        let sectionTooLarge: ViolationReason = inTrailers ? .trailerSectionTooLarge : .headerSectionTooLarge
        while i < end {
            if i >= sectionLimit { return .failed(sectionTooLarge, at: i) }
            let byte = p[i]
            switch state {
            case .fieldStart:
                if table[Int(byte)].contains(.token) {
                    let fieldCount = inTrailers ? trailers.count : head.fields.count
                    if fieldCount >= limits.maxFieldCount { return .failed(.tooManyFields, at: i) }
                    lineStart = i
                    state = .fieldName
                } else if byte == ASCII.cr {
                    state = .sectionEndLF
                    i += 1
                } else if byte == ASCII.lf {
                    return .failed(.bareLF, at: i)
                } else if ASCII.isWhitespace(byte) {
                    let first = !inTrailers && head.fields.isEmpty
                    return .failed(first ? .whitespaceBeforeFirstField : .obsFold, at: i)
                } else if byte == ASCII.colon {
                    return .failed(.fieldNameEmpty, at: i)
                } else {
                    return .failed(.fieldNameInvalid, at: i)
                }
            case .fieldName:
                let fieldLimit = lineStart + limits.maxFieldLine
                let stop = min(end, fieldLimit, sectionLimit)
                while i < stop && table[Int(p[i])].contains(.token) { i += 1 }
                if i == end { return .needMore }
                if i >= fieldLimit { return .failed(.fieldTooLarge, at: i) }
                if i >= sectionLimit { return .failed(sectionTooLarge, at: i) }
                switch p[i] {
                case ASCII.colon:
                    nameEnd = i
                    i += 1
                    valueStart = i
                    state = .valueLeadingWhitespace
                case ASCII.space, ASCII.tab:
                    // Refused either way; the reason depends on whether a colon follows on the line.
                    nameEnd = i
                    state = .fieldNameWhitespace
                    i += 1
                case ASCII.cr, ASCII.lf: return .failed(.fieldMissingColon, at: i)
                default: return .failed(.fieldNameInvalid, at: i)
                }
            case .fieldNameWhitespace:
                let fieldLimit = lineStart + limits.maxFieldLine
                let stop = min(end, fieldLimit, sectionLimit)
                while i < stop && p[i] != ASCII.colon && p[i] != ASCII.cr && p[i] != ASCII.lf { i += 1 }
                if i == end { return .needMore }
                if i >= fieldLimit { return .failed(.fieldTooLarge, at: i) }
                if i >= sectionLimit { return .failed(sectionTooLarge, at: i) }
                return .failed(p[i] == ASCII.colon ? .whitespaceBeforeColon : .fieldMissingColon, at: nameEnd)
            case .valueLeadingWhitespace:
                let fieldLimit = lineStart + limits.maxFieldLine
                let stop = min(end, fieldLimit, sectionLimit)
                while i < stop && ASCII.isWhitespace(p[i]) { i += 1 }
                if i == end { return .needMore }
                valueStart = i
                valueEnd = i
                state = .value
            case .value:
                let fieldLimit = lineStart + limits.maxFieldLine
                let stop = min(end, fieldLimit, sectionLimit)
                // Eight bytes at a time while none of them is a control character or DEL: values such
                // as cookies and user agents are long, and every byte of them must be checked.
                while i + 8 <= stop && !Self.containsControlOrDelete(UnsafeRawPointer(p + i).loadUnaligned(as: UInt64.self)) {
                    i += 8
                }
                while i < stop && table[Int(p[i])].contains(.fieldValue) { i += 1 }
                if i == end { return .needMore }
                let c = p[i]
                if c == ASCII.cr {
                    // Trailing OWS is not part of the value (RFC 9110 §5.5); the line is still in the buffer.
                    var last = i
                    while last > valueStart && ASCII.isWhitespace(p[last - 1]) { last -= 1 }
                    valueEnd = last
                    state = .fieldLF
                    i += 1
                } else if i >= fieldLimit {
                    return .failed(.fieldTooLarge, at: i)
                } else if i >= sectionLimit {
                    return .failed(sectionTooLarge, at: i)
                } else if c == ASCII.lf {
                    return .failed(.bareLF, at: i)
                } else {
                    return .failed(c == 0 ? .fieldValueNUL : .fieldValueInvalid, at: i)
                }
            case .fieldLF:
                guard byte == ASCII.lf else { return .failed(.bareCR, at: i - 1) }
                let name = lineStart..<nameEnd
                let known = KnownField.classify(UnsafeRawBufferPointer(start: p + lineStart, count: nameEnd - lineStart))
                let line = FieldLine(name: name, value: valueStart..<valueEnd, known: known)
                if inTrailers { trailers.append(line) } else { head.fields.append(line) }
                state = .fieldStart
                i += 1
            case .sectionEndLF:
                guard byte == ASCII.lf else { return .failed(.bareCR, at: i - 1) }
                i += 1
                return .sectionComplete(end: i)
            default:
                preconditionFailure("scanFields in state \(state)")
            }
        }
        return .needMore
    }

    /// Whether any byte of `word` is below 0x20 or is 0x7F (exact as a yes/no; the byte loop finds which).
    @inline(__always)
    static func containsControlOrDelete(_ word: UInt64) -> Bool {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highBits: UInt64 = 0x8080_8080_8080_8080
        let below20 = (word &- ones &* 0x20) & ~word & highBits
        let flipped = word ^ (ones &* 0x7F)
        let isDelete = (flipped &- ones) & ~flipped & highBits
        return below20 | isDelete != 0
    }

    /// HTTP/1.0 keeps its own semantics; any higher 1.x minor is processed as HTTP/1.1, the highest
    /// minor version this parser conforms to (RFC 9110 §2.5). Other majors are unsupported (505).
    private static func version(_ p: UnsafePointer<UInt8>, count: Int) -> HTTPVersion? {
        guard looksLikeVersion(p, count: count), p[5] == UInt8(ascii: "1") else { return nil }
        return p[7] == UInt8(ascii: "0") ? .http10 : .http11
    }

    /// `HTTP-version = HTTP-name "/" DIGIT "." DIGIT`, name case-sensitive (RFC 9112 §2.3).
    private static func looksLikeVersion(_ p: UnsafePointer<UInt8>, count: Int) -> Bool {
        guard count == 8 else { return false }
        let isDigit = { (byte: UInt8) in byte >= 0x30 && byte <= 0x39 }
        return p[0] == UInt8(ascii: "H") && p[1] == UInt8(ascii: "T") && p[2] == UInt8(ascii: "T")
            && p[3] == UInt8(ascii: "P") && p[4] == ASCII.slash && isDigit(p[5])
            && p[6] == UInt8(ascii: ".") && isDigit(p[7])
    }

    // MARK: - Body

    private mutating func startBody() {
        bodyBytesReceived = 0
        trailers.removeAll(keepingCapacity: true)
        chunkExtensionBytes = 0
        switch head.framing {
        case .none:
            state = .messageEnd
        case .contentLength(let length):
            remaining = length
            state = length == 0 ? .messageEnd : .identityBody
        case .chunked:
            state = .chunkSizeStart
        }
    }

    private mutating func scanChunked(_ p: UnsafePointer<UInt8>, count end: Int) -> RequestEvent {
        let table = ByteClass.table
        var i = scan
        while i < end {
            let byte = p[i]
            let isToken = table[Int(byte)].contains(.token)
            switch state {
            case .chunkSizeStart:
                guard table[Int(byte)].contains(.hexDigit) else {
                    return reject(byte == ASCII.lf ? .chunkLineBareLF : .chunkSizeInvalid, at: i)
                }
                chunkSize = 0
                state = .chunkSize
            case .chunkSize:
                if table[Int(byte)].contains(.hexDigit) {
                    if chunkSize > (Int.max >> 4) { return reject(.chunkSizeOverflow, at: i) }
                    chunkSize = chunkSize << 4 | ASCII.hexValue(byte)
                    i += 1
                    continue
                }
                switch byte {
                case ASCII.cr: state = .chunkLineLF
                case ASCII.semicolon: state = .chunkExtensionNameStart
                case ASCII.space, ASCII.tab: state = .chunkWhitespaceBeforeSemicolon
                case ASCII.lf: return reject(.chunkLineBareLF, at: i)
                default: return reject(.chunkSizeInvalid, at: i)
                }
                if byte != ASCII.cr, let rejection = countExtensionByte(at: i) { return rejection }
                i += 1
            case .chunkWhitespaceBeforeSemicolon, .chunkExtensionNameStart, .chunkExtensionName,
                 .chunkExtensionAfterName, .chunkExtensionValueStart, .chunkExtensionToken,
                 .chunkExtensionQuoted, .chunkExtensionQuotedPair, .chunkExtensionAfterQuoted:
                if byte == ASCII.lf { return reject(.chunkLineBareLF, at: i) }
                if byte == ASCII.cr && state.endsChunkExtension {
                    state = .chunkLineLF
                    i += 1
                    continue
                }
                guard let next = state.chunkExtensionTransition(byte, isToken: isToken, table: table) else {
                    return reject(.chunkExtensionInvalid, at: i)
                }
                state = next
                if let rejection = countExtensionByte(at: i) { return rejection }
                i += 1
            case .chunkLineLF:
                guard byte == ASCII.lf else { return reject(.bareCR, at: i - 1) }
                i += 1
                if chunkSize == 0 {
                    inTrailers = true
                    sectionStart = i
                    state = .fieldStart
                    scan = i
                    return continueIntoTrailers(p, count: end)
                }
                if chunkSize > limits.maxBody - bodyBytesReceived { return reject(.bodyTooLarge, at: i - 1) }
                remaining = chunkSize
                state = .chunkData
            case .chunkData:
                let available = min(remaining, end - i)
                remaining -= available
                bodyBytesReceived += available
                if remaining == 0 { state = .chunkDataCR }
                let consumed = i + available
                streamOffset += consumed
                scan = 0
                return .body(i..<consumed, consumed: consumed)
            case .chunkDataCR:
                guard byte == ASCII.cr else { return reject(.chunkDataMissingCRLF, at: i) }
                state = .chunkDataLF
                i += 1
            case .chunkDataLF:
                guard byte == ASCII.lf else { return reject(.chunkDataMissingCRLF, at: i) }
                state = .chunkSizeStart
                i += 1
            default:
                preconditionFailure("scanChunked in state \(state)")
            }
        }
        // Chunk lines are parsed byte by byte into the state, so nothing needs to be kept.
        streamOffset += i
        scan = 0
        return .needMore(consumed: i)
    }

    private mutating func countExtensionByte(at i: Int) -> RequestEvent? {
        chunkExtensionBytes += 1
        return chunkExtensionBytes > limits.maxChunkExtensions ? reject(.chunkExtensionsTooLarge, at: i) : nil
    }

    private mutating func continueIntoTrailers(_ p: UnsafePointer<UInt8>, count end: Int) -> RequestEvent {
        let input = UnsafeRawBufferPointer(start: p, count: end)
        return next(input)
    }

    /// Shifts every kept offset after the caller drops `consumed` bytes from the front of its input.
    private mutating func rebase(by consumed: Int) {
        streamOffset += consumed
        scan -= consumed
        lineStart -= consumed
        sectionStart -= consumed
        valueStart -= consumed
        valueEnd -= consumed
        nameEnd -= consumed
        for index in trailers.indices {
            let line = trailers[index]
            trailers[index] = FieldLine(
                name: (line.name.lowerBound - consumed)..<(line.name.upperBound - consumed),
                value: (line.value.lowerBound - consumed)..<(line.value.upperBound - consumed),
                known: line.known)
        }
    }

    private mutating func checkTrailers(_ input: UnsafeRawBufferPointer) -> (ViolationReason, Int)? {
        for line in trailers {
            switch line.known {
            case .contentLength, .transferEncoding, .host, .trailer, .framingLookalike:
                // Never merged into the header section (RFC 9110 §6.5.1), but a front-end that does merge
                // them would reframe the message, so a strict origin refuses them outright.
                return (.trailerFieldProhibited, line.lineStart)
            default:
                continue
            }
        }
        return nil
    }

    private mutating func finishMessage(consumed: Int) -> RequestEvent {
        streamOffset += consumed
        state = .lineStart
        inTrailers = false
        scan = 0
        lineStart = 0
        leadingEmptyLines = 0
        return .end(consumed: consumed)
    }

    private mutating func reject(_ reason: ViolationReason, at offset: Int) -> RequestEvent {
        let violation = HTTPViolation(reason, at: streamOffset + offset)
        self.violation = violation
        state = .rejected
        return .rejected(violation)
    }
}

extension RequestParser.State {
    /// States in which a CR may end the chunk line (chunk-ext grammar, RFC 9112 §7.1.1).
    var endsChunkExtension: Bool {
        self == .chunkExtensionName || self == .chunkExtensionToken || self == .chunkExtensionAfterQuoted
    }

    /// chunk-ext = *( BWS ";" BWS chunk-ext-name [ BWS "=" BWS chunk-ext-val ] )
    func chunkExtensionTransition(_ byte: UInt8, isToken: Bool, table: UnsafePointer<ByteClass>) -> Self? {
        let whitespace = ASCII.isWhitespace(byte)
        switch self {
        case .chunkWhitespaceBeforeSemicolon:
            if whitespace { return self }
            return byte == ASCII.semicolon ? .chunkExtensionNameStart : nil
        case .chunkExtensionNameStart:
            if whitespace { return self }
            return isToken ? .chunkExtensionName : nil
        case .chunkExtensionName:
            if isToken { return self }
            if whitespace { return .chunkExtensionAfterName }
            if byte == ASCII.equals { return .chunkExtensionValueStart }
            return byte == ASCII.semicolon ? .chunkExtensionNameStart : nil
        case .chunkExtensionAfterName:
            if whitespace { return self }
            if byte == ASCII.equals { return .chunkExtensionValueStart }
            return byte == ASCII.semicolon ? .chunkExtensionNameStart : nil
        case .chunkExtensionValueStart:
            if whitespace { return self }
            if byte == ASCII.quote { return .chunkExtensionQuoted }
            return isToken ? .chunkExtensionToken : nil
        case .chunkExtensionToken:
            if isToken { return self }
            if whitespace { return .chunkWhitespaceBeforeSemicolon }
            return byte == ASCII.semicolon ? .chunkExtensionNameStart : nil
        case .chunkExtensionQuoted:
            if byte == ASCII.quote { return .chunkExtensionAfterQuoted }
            if byte == ASCII.backslash { return .chunkExtensionQuotedPair }
            return table[Int(byte)].contains(.quotedText) ? self : nil
        case .chunkExtensionQuotedPair:
            // quoted-pair = "\" ( HTAB / SP / VCHAR / obs-text )
            return byte == ASCII.tab || byte >= ASCII.space && byte != 0x7F ? .chunkExtensionQuoted : nil
        case .chunkExtensionAfterQuoted:
            if whitespace { return .chunkWhitespaceBeforeSemicolon }
            return byte == ASCII.semicolon ? .chunkExtensionNameStart : nil
        default:
            return nil
        }
    }
}
