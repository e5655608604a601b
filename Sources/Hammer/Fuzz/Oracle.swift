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

    /// The refused request declares a body (a Content-Length or Transfer-Encoding line in any
    /// spelling) or was refused inside its body: the bytes after its head may belong to it, so a
    /// request a target finds there may have been carved out of it. Without that, a request behind
    /// a refused one is an ordinary pipelined request.
    public var refusedRequestMayHaveBody = false

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
            expectation.refusedRequestMayHaveBody = mayHaveBody(bytes, from: stream.consumed, refusedAt: violation.streamOffset)
        }
        return expectation
    }

    static func mayHaveBody(_ bytes: [UInt8], from start: Int, refusedAt offset: Int) -> Bool {
        guard start < bytes.count else { return false }
        let headEnd = StreamLayout.headEnd(bytes, in: start..<bytes.count)
        if offset >= headEnd && headEnd < bytes.count { return true }
        // Lowercased, with the separators obfuscations use in these names read as '-'.
        let head = String(decoding: bytes[start..<headEnd].map { byte -> UInt8 in
            if byte >= 0x41 && byte <= 0x5A { return byte | 0x20 }
            return byte == UInt8(ascii: "_") || byte == UInt8(ascii: " ") ? UInt8(ascii: "-") : byte
        }, as: UTF8.self)
        return head.contains("content-length") || head.contains("transfer") || head.contains("chunked")
    }

    /// Refusals because a configurable size limit was crossed, not because the bytes are invalid.
    public static let limitReasons: Set<ViolationReason> = [
        .requestLineTooLong, .methodTooLong, .fieldTooLarge, .headerSectionTooLarge, .tooManyFields, .bodyTooLarge,
        .chunkExtensionsTooLarge, .trailerSectionTooLarge, .tooManyLeadingEmptyLines,
    ]
}
