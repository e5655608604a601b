/// How a connection ended after the case's bytes were sent.
public enum ConnectionEnding: String, Sendable, Codable {
    /// FIN from the server.
    case closed
    /// RST from the server (after a response that is a rejection, not an error).
    case reset
    /// Still open when the case's time ran out.
    case open
}

/// What was observed: final response statuses in order, and the ending.
public struct ObservedOutcome: Sendable, Equatable, CustomStringConvertible {
    public var statuses: [Int]
    public var ending: ConnectionEnding
    /// The server answered with an HTTP/2 SETTINGS frame (h2c with prior knowledge), not HTTP/1.x.
    public var http2Settings: Bool
    /// For an HTTP/2 case: what the server did, in h2spec's terms.
    public var h2: H2Facts?

    public init(statuses: [Int], ending: ConnectionEnding, http2Settings: Bool = false) {
        self.statuses = statuses
        self.ending = ending
        self.http2Settings = http2Settings
    }

    public init(h2 facts: H2Facts, ending: ConnectionEnding) {
        self.init(statuses: facts.statuses, ending: ending)
        h2 = facts
    }

    /// True when `bytes` begin with an HTTP/2 SETTINGS frame on stream 0 (RFC 9113 §6.5): the
    /// answer of a server that speaks h2c with prior knowledge to a connection preface.
    public static func startsWithHTTP2Settings(_ bytes: [UInt8]) -> Bool {
        bytes.count >= 9 && bytes[3] == 0x04 && bytes[5] & 0x7F == 0 && bytes[6] == 0 && bytes[7] == 0 && bytes[8] == 0
    }

    /// A safe refusal: one 4xx/5xx response then FIN or RST, or a bare close.
    public var isRefusalAndClose: Bool {
        guard ending != .open, !http2Settings else { return false }
        return statuses.isEmpty || (statuses.count == 1 && statuses[0] >= 400)
    }

    /// The same notation the corpus uses: "400 close", "200 200", "close", "timeout".
    public var description: String {
        let closed = ending != .open
        if let h2 {
            let tokens = h2.tokens
            if tokens.isEmpty { return closed ? "close" : "timeout" }
            return tokens.joined(separator: " ") + (closed ? " close" : "")
        }
        if http2Settings && statuses.isEmpty { return closed ? "h2-settings close" : "h2-settings" }
        if statuses.isEmpty { return closed ? "close" : "timeout" }
        return statuses.map(String.init).joined(separator: " ") + (closed ? " close" : "")
    }
}

/// An expected outcome from a corpus file: "400 close", "4xx", "200 200", "close", "timeout".
public struct OutcomePattern: Sendable, Equatable, CustomStringConvertible {
    enum Status: Sendable, Equatable {
        case exact(Int)
        /// 2xx, 4xx, 5xx: any status of the class.
        case hundred(Int)

        /// `404`, or `4xx` for the class.
        init?(_ token: String) {
            if token.count == 3, token.hasSuffix("xx"), let digit = Int(token.prefix(1)), (1...5).contains(digit) {
                self = .hundred(digit)
            } else if let value = Int(token), (100...599).contains(value) {
                self = .exact(value)
            } else {
                return nil
            }
        }

        func matches(_ status: Int) -> Bool {
            switch self {
            case .exact(let value): return status == value
            case .hundred(let digit): return status / 100 == digit
            }
        }
    }

    let statuses: [Status]
    /// nil: the ending is not checked; true: must have closed; false: must still be open (timeout).
    let mustClose: Bool?
    /// `h2-settings`: the answer is an HTTP/2 SETTINGS frame (h2c prior knowledge).
    let http2Settings: Bool
    /// An HTTP/2 case's outcome (see `H2OutcomePattern`).
    let h2: H2OutcomePattern?
    public let description: String

    /// An HTTP/2 case's outcome: `GOAWAY PROTOCOL_ERROR`, `RST_STREAM STREAM_CLOSED`, `200`, `PING_ACK`, `close`.
    public init?(h2 text: String) {
        guard let pattern = H2OutcomePattern(text) else { return nil }
        h2 = pattern
        statuses = pattern.statuses
        mustClose = pattern.mustClose
        http2Settings = false
        description = text
    }

    public init?(_ text: String) {
        let tokens = text.split(separator: " ").map(String.init)
        guard !tokens.isEmpty else { return nil }
        var statuses: [Status] = []
        var mustClose: Bool?
        var http2Settings = false
        for (index, token) in tokens.enumerated() {
            if token == "h2-settings" {
                guard index == 0 else { return nil }
                http2Settings = true
            } else if token == "close" || token == "timeout" {
                guard index == tokens.count - 1 else { return nil }
                if token == "timeout" && !statuses.isEmpty { return nil }
                mustClose = token == "close"
            } else if let status = Status(token) {
                statuses.append(status)
            } else {
                return nil
            }
        }
        if statuses.isEmpty && mustClose == nil && !http2Settings { return nil }
        if http2Settings && (!statuses.isEmpty || mustClose == false) { return nil }
        h2 = nil
        self.statuses = statuses
        self.mustClose = mustClose
        self.http2Settings = http2Settings
        description = text
    }

    /// One response, 4xx or 5xx, or a close with no response at all: what a refusal looks like.
    var isRefusal: Bool {
        if http2Settings { return false }
        switch statuses.count {
        case 0: return mustClose == true
        case 1:
            switch statuses[0] {
            case .exact(let value): return value >= 400
            case .hundred(let digit): return digit >= 4
            }
        default: return false
        }
    }

    /// One 2xx response (whatever the ending).
    var isSingleSuccess: Bool {
        guard statuses.count == 1 else { return false }
        switch statuses[0] {
        case .exact(let value): return (200..<300).contains(value)
        case .hundred(let digit): return digit == 2
        }
    }

    var responseCount: Int { statuses.count }

    /// The observed statuses are the first ones of this pattern's, fewer of them, and the server closed.
    func isClosedPrefix(of observed: ObservedOutcome) -> Bool {
        guard !http2Settings, observed.ending != .open, !observed.statuses.isEmpty, observed.statuses.count < statuses.count
        else { return false }
        return zip(statuses, observed.statuses).allSatisfy { $0.matches($1) }
    }

    public func matches(_ observed: ObservedOutcome) -> Bool {
        if let h2 {
            guard let facts = observed.h2 else { return false }
            return h2.matches(facts, ending: observed.ending)
        }
        guard observed.h2 == nil else { return false }
        guard observed.http2Settings == http2Settings else { return false }
        guard observed.statuses.count == statuses.count,
              zip(statuses, observed.statuses).allSatisfy({ $0.matches($1) })
        else { return false }
        switch mustClose {
        case nil: return true
        case true?: return observed.ending != .open
        case false?: return observed.ending == .open
        }
    }
}

public enum Verdict: String, Sendable, Codable, CaseIterable {
    /// FLAKY: with `--repeat N`, the case's outcome changed between runs (every outcome is kept).
    case pass = "PASS", warn = "WARN", fail = "FAIL", flaky = "FLAKY", error = "ERROR", skip = "SKIP"

    /// Order of badness for the verdicts a single run can give: PASS < WARN < FAIL < ERROR.
    var severity: Int {
        switch self {
        case .skip: return 0
        case .pass: return 1
        case .warn: return 2
        case .flaky: return 3
        case .fail: return 4
        case .error: return 5
        }
    }
}
