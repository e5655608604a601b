/// The stream states of RFC 9113 §5.1, exhaustively.
public enum HTTP2StreamState: Hashable, Sendable, CustomStringConvertible {
    case idle
    /// Promised by this endpoint's PUSH_PROMISE.
    case reservedLocal
    /// Promised by the peer's PUSH_PROMISE.
    case reservedRemote
    case open
    /// This endpoint sent END_STREAM.
    case halfClosedLocal
    /// The peer sent END_STREAM.
    case halfClosedRemote
    case closed(HTTP2StreamClosure)

    /// Open and half-closed streams count toward SETTINGS_MAX_CONCURRENT_STREAMS; reserved ones do not (§5.1.2).
    public var countsTowardConcurrencyLimit: Bool {
        switch self {
        case .open, .halfClosedLocal, .halfClosedRemote: return true
        default: return false
        }
    }

    public var isClosed: Bool {
        if case .closed = self { return true }
        return false
    }

    public var description: String {
        switch self {
        case .idle: return "idle"
        case .reservedLocal: return "reserved (local)"
        case .reservedRemote: return "reserved (remote)"
        case .open: return "open"
        case .halfClosedLocal: return "half-closed (local)"
        case .halfClosedRemote: return "half-closed (remote)"
        case .closed(let how): return "closed (\(how))"
        }
    }
}

/// How a stream reached "closed". §5.1 answers late frames differently for each.
public enum HTTP2StreamClosure: Hashable, Sendable, CustomStringConvertible {
    /// Both ends sent END_STREAM. Late WINDOW_UPDATE and RST_STREAM are ignored; anything else but
    /// PRIORITY is a connection error STREAM_CLOSED.
    case endStream
    /// This endpoint sent RST_STREAM. Frames the peer sent before seeing it are minimally processed
    /// (HPACK, connection window, push reservations) and discarded.
    case resetSent
    /// The peer sent RST_STREAM. Anything but PRIORITY is a stream error STREAM_CLOSED.
    case resetReceived
    /// Never used: a higher stream id of the same initiator was opened first (§5.1.1). Any frame but
    /// PRIORITY is the peer reusing an id, a connection error PROTOCOL_ERROR.
    case implicitly

    public var description: String {
        switch self {
        case .endStream: return "END_STREAM"
        case .resetSent: return "RST_STREAM sent"
        case .resetReceived: return "RST_STREAM received"
        case .implicitly: return "implicitly"
        }
    }
}

/// What happened on a stream, as the state machine sees it: one frame, sent or received (§5.1).
/// CONTINUATION is listed because it travels on the stream, though it never changes state.
public enum HTTP2StreamEvent: Hashable, Sendable, CaseIterable, CustomStringConvertible {
    case headers
    case headersEndStream
    case data
    case dataEndStream
    case rstStream
    /// A PUSH_PROMISE carried on this stream (the associated stream).
    case pushPromise
    /// A PUSH_PROMISE that promised this stream.
    case promised
    case priority
    case windowUpdate
    case continuation

    public var description: String {
        switch self {
        case .headers: return "HEADERS"
        case .headersEndStream: return "HEADERS+END_STREAM"
        case .data: return "DATA"
        case .dataEndStream: return "DATA+END_STREAM"
        case .rstStream: return "RST_STREAM"
        case .pushPromise: return "PUSH_PROMISE"
        case .promised: return "promised by PUSH_PROMISE"
        case .priority: return "PRIORITY"
        case .windowUpdate: return "WINDOW_UPDATE"
        case .continuation: return "CONTINUATION"
        }
    }
}

/// The answer to a received frame.
public enum HTTP2StreamVerdict: Hashable, Sendable {
    /// Process the frame; the stream is now in this state (possibly unchanged).
    case accept(HTTP2StreamState)
    /// §5.1 "closed": minimally process, then drop. Decode a field block (HPACK state is shared),
    /// count DATA against the connection window, reserve a promised stream. The state is unchanged.
    case discard
    /// The frame breaks a rule; the scope says whether to reset the stream or end the connection.
    case reject(HTTP2Violation)
}
