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

    public init(statuses: [Int], ending: ConnectionEnding) {
        self.statuses = statuses
        self.ending = ending
    }

    /// The same notation the corpus uses: "400 close", "200 200", "close", "timeout".
    public var description: String {
        let closed = ending != .open
        if statuses.isEmpty { return closed ? "close" : "timeout" }
        return statuses.map(String.init).joined(separator: " ") + (closed ? " close" : "")
    }
}

/// An expected outcome from a corpus file: "400 close", "4xx", "200 200", "close", "timeout".
public struct OutcomePattern: Sendable, Equatable, CustomStringConvertible {
    enum Status: Equatable {
        case exact(Int)
        /// 2xx, 4xx, 5xx: any status of the class.
        case hundred(Int)

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
    public let description: String

    public init?(_ text: String) {
        let tokens = text.split(separator: " ").map(String.init)
        guard !tokens.isEmpty else { return nil }
        var statuses: [Status] = []
        var mustClose: Bool?
        for (index, token) in tokens.enumerated() {
            if token == "close" || token == "timeout" {
                guard index == tokens.count - 1 else { return nil }
                if token == "timeout" && !statuses.isEmpty { return nil }
                mustClose = token == "close"
            } else if token.count == 3, token.hasSuffix("xx"), let digit = Int(token.prefix(1)), (1...5).contains(digit) {
                statuses.append(.hundred(digit))
            } else if let value = Int(token), (100...599).contains(value) {
                statuses.append(.exact(value))
            } else {
                return nil
            }
        }
        if statuses.isEmpty && mustClose == nil { return nil }
        self.statuses = statuses
        self.mustClose = mustClose
        description = text
    }

    public func matches(_ observed: ObservedOutcome) -> Bool {
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
    case pass = "PASS", warn = "WARN", fail = "FAIL", error = "ERROR", skip = "SKIP"
}
