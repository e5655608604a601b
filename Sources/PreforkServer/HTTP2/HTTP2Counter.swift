/// What an HTTP/2 session counts in its worker's scoreboard slot.
enum HTTP2Counter: Equatable {
    case flood(HTTP2Flood)
    /// GOAWAY with an error code.
    case connectionErrors
    /// RST_STREAM PROTOCOL_ERROR for a request §8.1.1 calls malformed.
    case malformedRequests

    var field: Scoreboard.Field {
        switch self {
        case .connectionErrors: return .h2ConnectionErrors
        case .malformedRequests: return .h2MalformedRequests
        case .flood(let flood):
            switch flood {
            case .rapidReset: return .h2RapidResets
            case .continuation: return .h2ContinuationFloods
            case .hpackBomb: return .h2HpackBombs
            case .settings: return .h2SettingsFloods
            case .ping: return .h2PingFloods
            case .emptyFrames: return .h2EmptyFrameFloods
            case .windowUpdate: return .h2WindowUpdateFloods
            case .priority: return .h2PriorityFloods
            case .slowRead: return .h2SlowReads
            case .settingsTimeout: return .h2SettingsTimeouts
            case .streamLimit: return .h2StreamLimits
            }
        }
    }
}
