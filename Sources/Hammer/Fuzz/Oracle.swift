import HTTPWire

/// What a strict server must do with a stream, decided by the strict parser: answer `requests` in
/// order, then refuse the request at `rejection` (if any) and close.
public struct Expectation: Sendable, Equatable {
    /// The requests a strict server answers, in order.
    public var requests: [ParsedRequest]
    /// The request refused after `requests`; a strict server answers it with its status and closes.
    public var rejection: HTTPViolation?
    /// The stream ends inside a request (after `requests`): at EOF a strict server closes, with or
    /// without an error response.
    public var incomplete: Bool
    /// The last request may switch protocols (CONNECT, Upgrade), or the next one crosses a size
    /// limit: what follows is not comparable, so responses after `requests` are not counted. (After a request that asks to close, the
    /// requests simply end there: a strict server processes nothing further, RFC 9112 §9.6.)
    public var endsConversation: Bool

    /// The refusal concerns the refused request's framing: it was refused inside its body, for a
    /// framing reason (Content-Length, Transfer-Encoding, chunked coding, trailers), or on a line that
    /// names a framing field in any spelling. Then the target and a strict parser may disagree on where
    /// that request ends, and a request the target finds behind it may have been carved out of it;
    /// otherwise a request behind a refused one is an ordinary pipelined request.
    public var refusalConcernsFraming = false

    /// The number of final responses a strict server sends.
    public var responses: Int { requests.count + (rejection == nil ? 0 : 1) }

    /// The reason code the signature and the finding use: the violation, or how the stream ends.
    public var reason: String {
        if let rejection { return rejection.reason.rawValue }
        return incomplete ? "incomplete" : "valid"
    }
}

/// The strict parser as an oracle for whole streams.
public enum Oracle {
    public static func expect(_ bytes: [UInt8]) -> Expectation {
        var stream = RequestStreamParser()
        stream.feed(bytes)
        var requests: [ParsedRequest] = []
        for request in stream.requests {
            requests.append(request)
            let switches = request.knownMethod == .connect || request.upgradeRequested
            if !request.keepAlive || switches {
                return Expectation(requests: requests, rejection: nil, incomplete: false, endsConversation: switches)
            }
        }
        if let violation = stream.violation, limitReasons.contains(violation.reason) {
            // A size limit is the server's own choice: a target with larger limits reads on, and
            // nothing after that point can be compared.
            return Expectation(requests: requests, rejection: nil, incomplete: false, endsConversation: true)
        }
        var expectation = Expectation(requests: requests, rejection: stream.violation, incomplete: stream.isInsideRequest,
                                      endsConversation: false)
        if let violation = stream.violation {
            expectation.refusalConcernsFraming = concernsFraming(bytes, from: stream.consumed, violation: violation)
        }
        return expectation
    }

    static func concernsFraming(_ bytes: [UInt8], from start: Int, violation: HTTPViolation) -> Bool {
        if framingReasons.contains(violation.reason) { return true }
        guard start < bytes.count else { return false }
        let headEnd = StreamLayout.headEnd(bytes, in: start..<bytes.count)
        if violation.streamOffset >= headEnd && headEnd < bytes.count { return true }
        // The line the refusal was decided on, lowercased, with the separators obfuscations use read as '-'.
        let at = min(max(violation.streamOffset, start), bytes.count - 1)
        let lineStart = bytes[start..<at].lastIndex(of: 0x0A).map { $0 + 1 } ?? start
        let lineEnd = bytes[at...].firstIndex(of: 0x0A) ?? bytes.count
        let line = String(decoding: bytes[lineStart..<lineEnd].map { byte -> UInt8 in
            if byte >= 0x41 && byte <= 0x5A { return byte | 0x20 }
            return byte == UInt8(ascii: "_") || byte == UInt8(ascii: " ") ? UInt8(ascii: "-") : byte
        }, as: UTF8.self)
        return line.contains("content-length") || line.contains("transfer") || line.contains("chunked")
    }

    static let framingReasons: Set<ViolationReason> = [
        .contentLengthInvalid, .contentLengthConflict, .contentLengthRepeated, .contentLengthOverflow,
        .transferEncodingWithContentLength, .transferEncodingHTTP10, .transferEncodingInvalid, .transferEncodingNotFinalChunked,
        .transferEncodingChunkedRepeated, .transferEncodingChunkedParameters, .transferEncodingUnknownCoding,
        .fieldNameUnderscoreFraming, .connectionNamesFramingField, .chunkSizeInvalid, .chunkSizeOverflow,
        .chunkExtensionInvalid, .chunkDataMissingCRLF, .chunkLineBareLF, .trailerFieldProhibited,
    ]

    /// Refusals because a configurable size limit was crossed, not because the bytes are invalid.
    public static let limitReasons: Set<ViolationReason> = [
        .requestLineTooLong, .methodTooLong, .fieldTooLarge, .headerSectionTooLarge, .tooManyFields, .bodyTooLarge,
        .chunkExtensionsTooLarge, .trailerSectionTooLarge, .tooManyLeadingEmptyLines,
    ]
}
