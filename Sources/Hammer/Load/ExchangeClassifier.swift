import HTTPWire

/// Decides the outcome class of one raw request/response exchange from what the socket showed.
/// Pure, so every branch is tested without sockets.
public enum ExchangeClassifier {
    /// How writing the request went: the transport's result (`failed` carries the bytes that had
    /// gone before the error).
    public typealias Write = ClientConnection.SendResult

    /// How reading ended.
    public enum Ending: Equatable, Sendable {
        /// A complete final response arrived (the connection may stay open).
        case response
        case eof
        case reset
        case timeout
    }

    public static func classify(write: Write, received: Int, ending: Ending, response: ResponseMessage?,
                                reusedConnection: Bool) -> (OutcomeClass, String) {
        if let response, response.complete, !response.isInterim {
            return response.status >= 500 ? (.serverError, "status \(response.status)") : (.ok, "")
        }
        if case .failed(let written, let code) = write, received == 0 {
            // Nothing of the request was taken: the connection was already gone, like an EOF before
            // the response. Part of it taken, then an error: the server broke it mid-request.
            if written == 0 { return (reusedConnection ? .eofReused : .eofFresh, "write: \(errnoName(code))") }
            return (.writeError, "write after \(written) bytes: \(errnoName(code))")
        }
        switch ending {
        case .timeout:
            return (.readTimeout, received == 0 ? "no byte" : "\(received) bytes, no complete response")
        case .eof, .reset, .response:
            let how = ending == .reset ? "reset" : "eof"
            if received == 0 { return (reusedConnection ? .eofReused : .eofFresh, how) }
            return (.truncated, "\(how) after \(received) bytes")
        }
    }

    public static func errnoName(_ code: Int32) -> String {
        switch code {
        case 104: return "ECONNRESET"
        case 32: return "EPIPE"
        case 111: return "ECONNREFUSED"
        case 110: return "ETIMEDOUT"
        case 99: return "EADDRNOTAVAIL"
        case 24: return "EMFILE"
        default: return "errno \(code)"
        }
    }
}
