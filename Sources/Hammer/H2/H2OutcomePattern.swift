import HTTP2Wire

/// An expected outcome of an HTTP/2 case, in h2spec's vocabulary: facts that must all hold.
///
/// | token | holds when |
/// |---|---|
/// | `GOAWAY CODE` / `GOAWAY` | the server sent GOAWAY with that code (any code) |
/// | `RST_STREAM CODE` / `RST_STREAM` | the server reset a stream with that code (any code) |
/// | `200`, `4xx` | a final response with that status (several: one per stream, in stream order) |
/// | `PING_ACK` | every PING the case sent was acknowledged |
/// | `SETTINGS_ACK` | every SETTINGS frame the client sent was acknowledged |
/// | `close` / `timeout` | the connection ended (FIN or RST) / nothing decisive and still open |
///
/// Error facts the pattern does not name break the match: a GOAWAY with an error code, a reset
/// other than NO_ERROR or CANCEL, a 1xx–3xx response. An unnamed 4xx/5xx does not (a server MAY
/// answer a malformed request before resetting it, RFC 9113 §8.1.1).
struct H2OutcomePattern: Sendable, Equatable {
    /// nil: not named; .some(nil): any code.
    var goAway: HTTP2ErrorCode??
    var reset: HTTP2ErrorCode??
    var statuses: [OutcomePattern.Status]
    var pingAck: Bool
    var settingsAck = false
    var mustClose: Bool?

    init?(_ text: String) {
        var tokens = text.split(separator: " ").map(String.init)[...]
        var goAway: HTTP2ErrorCode??
        var reset: HTTP2ErrorCode??
        var statuses: [OutcomePattern.Status] = []
        var pingAck = false
        var settingsAck = false
        var mustClose: Bool?
        func code() -> HTTP2ErrorCode?? {
            guard let next = tokens.first, let parsed = HTTP2ErrorCode(name: next) else { return .some(nil) }
            tokens.removeFirst()
            return .some(parsed)
        }
        while let token = tokens.popFirst() {
            switch token {
            case "GOAWAY":
                guard goAway == nil else { return nil }
                goAway = code()
            case "RST_STREAM":
                guard reset == nil else { return nil }
                reset = code()
            case "PING_ACK":
                pingAck = true
            case "SETTINGS_ACK":
                settingsAck = true
            case "close", "timeout":
                guard tokens.isEmpty, mustClose == nil else { return nil }
                mustClose = token == "close"
            default:
                guard let status = OutcomePattern.Status(token) else { return nil }
                statuses.append(status)
            }
        }
        if mustClose == false && (goAway != nil || reset != nil || !statuses.isEmpty || pingAck || settingsAck) { return nil }
        if goAway == nil && reset == nil && statuses.isEmpty && !pingAck && !settingsAck && mustClose == nil { return nil }
        self.goAway = goAway
        self.reset = reset
        self.statuses = statuses
        self.pingAck = pingAck
        self.settingsAck = settingsAck
        self.mustClose = mustClose
    }

    func matches(_ facts: H2Facts, ending: ConnectionEnding) -> Bool {
        switch goAway {
        case nil: if facts.connectionError != nil { return false }
        case .some(nil): if facts.goAway == nil { return false }
        case .some(let code?): if facts.goAway?.code != code { return false }
        }
        switch reset {
        case nil: if !facts.streamErrors.isEmpty { return false }
        case .some(nil): if facts.resets.isEmpty { return false }
        case .some(let code?): if !facts.resets.contains(where: { $0.code == code }) { return false }
        }
        let observed = facts.statuses
        if statuses.isEmpty {
            if observed.contains(where: { $0 < 400 }) { return false }
        } else if observed.count != statuses.count || !zip(statuses, observed).allSatisfy({ $0.matches($1) }) {
            return false
        }
        if pingAck && !facts.pingAcked { return false }
        if settingsAck && !facts.settingsAcked { return false }
        switch mustClose {
        case true?: return ending != .open
        case false?: return ending == .open && observed.isEmpty
        case nil: return true
        }
    }

    /// The strict answer is a connection error: GOAWAY, or a close without one.
    var isConnectionError: Bool { goAway != nil || (mustClose == true && statuses.isEmpty && reset == nil && !pingAck && !settingsAck) }

    /// The strict answer is a stream error.
    var isStreamError: Bool { reset != nil && goAway == nil }

    /// The code a connection or stream error pattern names.
    var errorCode: HTTP2ErrorCode? {
        if case .some(let code?) = goAway { return code }
        if case .some(let code?) = reset { return code }
        return nil
    }
}
