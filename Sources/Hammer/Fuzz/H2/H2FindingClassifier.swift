import HTTP2Wire

/// What a target did on one fuzzed HTTP/2 connection.
public struct H2Observation: Sendable, Equatable {
    public var facts: H2Facts
    public var ending: ConnectionEnding
    public var connectFailed = false
    /// The target acknowledged the probe PING sent after the case.
    public var probeAcked = false
    /// The opening failed (no SETTINGS from the target).
    public var openingFailed: String?
    public var framesReceived: [String] = []

    public var outcome: ObservedOutcome { ObservedOutcome(h2: facts, ending: ending) }

    public var description: String {
        if connectFailed { return "connection refused" }
        if let openingFailed { return "opening failed: \(openingFailed)" }
        return outcome.description + (probeAcked ? " (probe PING acknowledged)" : "")
    }
}

/// Compares what a target did with what the strict layer says a strict server must do. Pure, so every
/// rule is testable without sockets. Only what the RFC makes a MUST and the wire shows is a finding:
/// an error code other than the strict one, or a GOAWAY where a reset would do, is not.
public enum H2FindingClassifier {
    /// Statuses that refuse a request as malformed or unsupported (a valid request answered so is
    /// refused by a stricter rule than the RFC's).
    static let refusalStatuses: Set<Int> = [400, 411, 501, 505]
    /// Codes that end a stream or a connection without blaming the request: a server's own limits.
    static let blameless: Set<HTTP2ErrorCode> = [.noError, .cancel, .refusedStream, .enhanceYourCalm]

    public static func classify(_ expectation: H2Expectation, _ observation: H2Observation,
                                healthProblem: String? = nil) -> Classification? {
        func finding(_ kind: FindingClass, _ detail: String, _ explanation: String, aboutValid: Bool = false) -> Classification {
            Classification(findingClass: kind, reason: aboutValid ? "valid" : expectation.reason, detail: detail, explanation: explanation)
        }
        if let healthProblem {
            return finding(.crash, observation.connectFailed ? "connect-failed" : "unhealthy", healthProblem)
        }
        if observation.connectFailed || observation.openingFailed != nil { return nil }
        let facts = observation.facts
        let open = observation.ending == .open && facts.goAway == nil
        let strict = "the strict layer: \(expectation.summary)"

        // A response the client cannot decode: the target's HPACK encoder left the state both sides
        // share (RFC 7541 §4.2, RFC 9113 §4.3.1), so from here on no field block is understood.
        if let undecodable = facts.undecodableBlock {
            return finding(.desync, "undecodable-response-block", "\(undecodable); \(strict)", aboutValid: expectation.violation == nil)
        }
        // A response on a stream no HEADERS frame opened: the target read frames other than a strict
        // parser does (a length, a padding, a CONTINUATION taken another way), the HTTP/2 desync.
        if let phantom = facts.responses.first(where: { !expectation.headersStreams.contains($0.streamID) }) {
            return finding(.desync, "response-on-unopened-stream",
                           "the target answered \(phantom.status) on stream \(phantom.streamID), which no HEADERS frame opens when frames are read by their lengths; \(strict)")
        }
        if let error = expectation.connectionError {
            guard open else { return nil }
            if observation.probeAcked {
                return finding(.lenient, "ignored-connection-error",
                               "the target acknowledged the PING sent after a connection error \(error.code.name) (\(error.rfcSection)) and neither sent GOAWAY nor closed; \(strict)")
            }
            // A response to a request completed before the error is no sign of reading on past it.
            if let answered = facts.responses.first(where: { $0.status < 400 && !expectation.answered.contains($0.streamID) }) {
                return finding(.lenient, "answered-after-connection-error",
                               "the target answered \(answered.status) on stream \(answered.streamID) after a connection error \(error.code.name) (\(error.rfcSection)); \(strict)")
            }
            // A frame whose length runs past the end: a server that reads it whole first is still waiting.
            if expectation.endsInsideFrame { return nil }
            return finding(.hang, "no-connection-error",
                           "the target neither sent GOAWAY nor closed nor acknowledged the probe PING after a connection error \(error.code.name) (\(error.rfcSection)); \(strict)")
        }
        for id in expectation.streamErrors.keys.sorted() {
            let violation = expectation.streamErrors[id]!
            if let response = facts.responses.first(where: { $0.streamID == id }), response.status < 400 {
                return finding(.lenient, "answered-malformed",
                               "the target answered \(response.status) on stream \(id), which a strict server resets (\(violation.code.name), \(violation.reason), \(violation.rfcSection)); \(strict)")
            }
        }
        // Judged up to here only: past a frame that runs beyond the end of what was sent, a server
        // that judges a frame header before its payload (nginx) may refuse what the strict layer is
        // still reading.
        if expectation.incomparable != nil || expectation.endsInsideFrame { return nil }
        // A stream error the server chose to make a connection error is not over-strict.
        let anyStreamError = !expectation.streamErrors.isEmpty || !expectation.laterResets.isEmpty
        if let goAway = facts.goAway, !blameless.contains(goAway.code), !anyStreamError {
            return finding(.overStrict, "goaway-\(goAway.code.name)",
                           "the target ended the connection with GOAWAY \(goAway.code.name) where \(strict)", aboutValid: true)
        }
        if observation.ending != .open && facts.goAway == nil && !observation.probeAcked && !anyStreamError
            && expectation.probeReached {
            return finding(.overStrict, "closed", "the target closed the connection without GOAWAY where \(strict)", aboutValid: true)
        }
        for id in expectation.answered where facts.goAway.map({ id <= $0.lastStreamID }) ?? true {
            if let reset = facts.resets.first(where: { $0.streamID == id }), !blameless.contains(reset.code),
               !facts.responses.contains(where: { $0.streamID == id }) {
                return finding(.overStrict, "reset-\(reset.code.name)",
                               "the target reset valid request stream \(id) with \(reset.code.name); \(strict)", aboutValid: true)
            }
            if let response = facts.responses.first(where: { $0.streamID == id }), refusalStatuses.contains(response.status) {
                return finding(.overStrict, "status-\(response.status)",
                               "the target refused valid request stream \(id) with \(response.status); \(strict)", aboutValid: true)
            }
        }
        guard open else { return nil }
        if let missing = expectation.answered.first(where: { id in
            !facts.responses.contains { $0.streamID == id } && !facts.resets.contains { $0.streamID == id }
        }) {
            return finding(.hang, "no-answer", "the target neither answered nor reset stream \(missing) nor ended the connection; \(strict)", aboutValid: true)
        }
        if expectation.probeReached && !observation.probeAcked {
            return finding(.hang, "no-ping-ack", "the target did not acknowledge the probe PING and did not end the connection; \(strict)",
                           aboutValid: expectation.streamErrors.isEmpty)
        }
        return nil
    }
}
