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
        return Expectation(requests: requests, rejection: stream.violation, incomplete: stream.isInsideRequest,
                           endsConversation: false)
    }

    /// Refusals because a configurable size limit was crossed, not because the bytes are invalid.
    public static let limitReasons: Set<ViolationReason> = [
        .requestLineTooLong, .methodTooLong, .fieldTooLarge, .headerSectionTooLarge, .tooManyFields, .bodyTooLarge,
        .chunkExtensionsTooLarge, .trailerSectionTooLarge, .tooManyLeadingEmptyLines,
    ]
}
