import HTTP2Wire

/// What a server did on an HTTP/2 connection, in the terms the outcomes use (h2spec's vocabulary):
/// the connection error it signalled, the streams it reset, the responses it began, the PINGs it
/// acknowledged. Frames the RFC leaves free to arrive in any order (SETTINGS, WINDOW_UPDATE, PING
/// ACKs of other pings) are not facts: they never decide a verdict.
public struct H2Facts: Sendable, Equatable {
    public struct GoAway: Sendable, Equatable {
        public var lastStreamID: UInt32
        public var code: HTTP2ErrorCode
        public var debug: [UInt8]
    }

    public struct Reset: Sendable, Equatable {
        public var streamID: UInt32
        public var code: HTTP2ErrorCode
    }

    public struct Response: Sendable, Equatable {
        public var streamID: UInt32
        public var status: Int
    }

    /// The first GOAWAY.
    public var goAway: GoAway?
    /// Every RST_STREAM, in order.
    public var resets: [Reset] = []
    /// The first final (non-1xx) response head on each stream, in order of arrival.
    public var responses: [Response] = []
    /// Every PING the case sent (besides the opening) was acknowledged.
    public var pingAcked = false
    /// The case sent PINGs to be acknowledged.
    public var pingsSent = false
    /// The case sent SETTINGS frames of its own (besides the standard opening's).
    public var settingsSent = false
    /// Every SETTINGS frame the client sent was acknowledged.
    public var settingsAcked = false
    /// Server frames a strict client refuses (the first one), with the rule.
    public var serverViolation: String?
    /// A field block of the server's that the client's HPACK decoder refused (the first one).
    public var undecodableBlock: String?
    /// The server sent more DATA than a window the client advertised allows.
    public var flowControlViolation: String?

    public init() {}

    /// The statuses of the responses, in stream order.
    public var statuses: [Int] { responses.sorted { $0.streamID < $1.streamID }.map(\.status) }

    /// A GOAWAY that signals an error (NO_ERROR is a graceful shutdown).
    public var connectionError: HTTP2ErrorCode? {
        guard let goAway, goAway.code != .noError else { return nil }
        return goAway.code
    }

    /// Resets that refuse or fail a stream (NO_ERROR and CANCEL end a stream without blaming it).
    public var streamErrors: [HTTP2ErrorCode] {
        resets.map(\.code).filter { $0 != .noError && $0 != .cancel }
    }

    /// Tokens in the outcome notation, in a fixed order: statuses, RST_STREAM, GOAWAY, SETTINGS_ACK, PING_ACK.
    var tokens: [String] {
        var parts = statuses.map(String.init)
        var seen: [HTTP2ErrorCode] = []
        for reset in resets where !seen.contains(reset.code) {
            seen.append(reset.code)
            parts.append("RST_STREAM \(reset.code.name)")
        }
        if let goAway { parts.append("GOAWAY \(goAway.code.name)") }
        if settingsSent && settingsAcked { parts.append("SETTINGS_ACK") }
        if pingsSent && pingAcked { parts.append("PING_ACK") }
        return parts
    }
}
