/// The transitions of RFC 9113 §5.1 for one stream. Every (state, event) pair has an answer: a
/// received frame gets a verdict, a sent frame a new state or, when sending it is our own bug, a trap
/// in debug builds.
public struct HTTP2StreamStateMachine: Hashable, Sendable {
    public let streamID: UInt32
    public private(set) var state: HTTP2StreamState

    public init(streamID: UInt32, state: HTTP2StreamState = .idle) {
        self.streamID = streamID
        self.state = state
    }

    /// Judges a frame the peer sent on this stream and moves to the new state if accepted.
    public mutating func receive(_ event: HTTP2StreamEvent) -> HTTP2StreamVerdict {
        let verdict = Self.verdict(receiving: event, in: state, streamID: streamID)
        if case .accept(let next) = verdict { state = next }
        return verdict
    }

    /// Records a frame this endpoint sends. Sending what §5.1 forbids is a bug here, not the peer's:
    /// debug builds stop at it; release builds keep the state and return false.
    @discardableResult
    public mutating func send(_ event: HTTP2StreamEvent) -> Bool {
        guard let next = Self.state(afterSending: event, in: state) else {
            assertionFailure("stream \(streamID): illegal send in state \(state) on \(event)")
            return false
        }
        state = next
        return true
    }

    // MARK: - Received

    public static func verdict(receiving event: HTTP2StreamEvent, in state: HTTP2StreamState,
                               streamID: UInt32) -> HTTP2StreamVerdict {
        func connection(_ reason: String, _ code: HTTP2ErrorCode, _ section: String) -> HTTP2StreamVerdict {
            .reject(.connection(reason, code, section))
        }
        func stream(_ reason: String, _ code: HTTP2ErrorCode, _ section: String) -> HTTP2StreamVerdict {
            .reject(.stream(streamID, reason, code, section))
        }
        // PRIORITY is allowed in every state (§5.1, §6.3) and never moves a stream.
        if event == .priority { return .accept(state) }
        // §6.6: the promised stream must be a fresh one.
        if event == .promised {
            return state == .idle ? .accept(.reservedRemote)
                : connection("promised-stream-not-idle", .protocolError, "RFC 9113 §6.6")
        }
        // §6.6: PUSH_PROMISE only on a stream that is "open" or "half-closed (local)" for the receiver.
        // After our RST_STREAM it is still processed (the promise reserves its stream), §5.1 "closed".
        if event == .pushPromise {
            switch state {
            case .open, .halfClosedLocal: return .accept(state)
            case .closed(.resetSent): return .discard
            default: return connection("push-promise-on-stream-not-open", .protocolError, "RFC 9113 §6.6")
            }
        }

        switch state {
        case .idle:
            switch event {
            case .headers: return .accept(.open)
            case .headersEndStream: return .accept(.halfClosedRemote)
            default: return connection("frame-on-idle-stream", .protocolError, "RFC 9113 §5.1")
            }

        case .reservedLocal:
            switch event {
            case .rstStream: return .accept(.closed(.resetReceived))
            case .windowUpdate: return .accept(state)
            default: return connection("frame-on-reserved-local-stream", .protocolError, "RFC 9113 §5.1")
            }

        case .reservedRemote:
            switch event {
            case .headers: return .accept(.halfClosedLocal)
            case .headersEndStream: return .accept(.closed(.endStream))
            case .rstStream: return .accept(.closed(.resetReceived))
            default: return connection("frame-on-reserved-remote-stream", .protocolError, "RFC 9113 §5.1")
            }

        case .open:
            switch event {
            case .headersEndStream, .dataEndStream: return .accept(.halfClosedRemote)
            case .rstStream: return .accept(.closed(.resetReceived))
            default: return .accept(.open)
            }

        case .halfClosedLocal:
            switch event {
            case .headersEndStream, .dataEndStream: return .accept(.closed(.endStream))
            case .rstStream: return .accept(.closed(.resetReceived))
            default: return .accept(.halfClosedLocal)
            }

        case .halfClosedRemote:
            switch event {
            case .headers, .headersEndStream, .data, .dataEndStream:
                return stream("frame-on-half-closed-remote-stream", .streamClosed, "RFC 9113 §5.1")
            case .rstStream: return .accept(.closed(.resetReceived))
            // Only the CONTINUATION of the HEADERS that ended the peer's side can arrive here: the
            // frame layer admits CONTINUATION only inside a field block (§6.10).
            default: return .accept(.halfClosedRemote)
            }

        case .closed(.endStream):
            switch event {
            // §5.1: the peer may not yet have seen our END_STREAM.
            case .windowUpdate, .rstStream: return .discard
            case .continuation: return .accept(state)
            default: return connection("frame-after-end-stream", .streamClosed, "RFC 9113 §5.1")
            }

        case .closed(.resetSent):
            return .discard

        case .closed(.resetReceived):
            switch event {
            // §5.4.2: never answer RST_STREAM with RST_STREAM.
            case .rstStream: return .discard
            default: return stream("frame-after-rst-stream", .streamClosed, "RFC 9113 §5.1")
            }

        case .closed(.implicitly):
            return connection("frame-on-implicitly-closed-stream", .protocolError, "RFC 9113 §5.1.1")
        }
    }

    // MARK: - Sent

    /// The state after this endpoint sends `event`, or nil when §5.1 forbids sending it.
    public static func state(afterSending event: HTTP2StreamEvent, in state: HTTP2StreamState) -> HTTP2StreamState? {
        if event == .priority { return state }
        switch state {
        case .idle:
            switch event {
            case .headers: return .open
            case .headersEndStream: return .halfClosedLocal
            case .promised: return .reservedLocal
            default: return nil
            }
        case .reservedLocal:
            switch event {
            case .headers: return .halfClosedRemote
            case .headersEndStream: return .closed(.endStream)
            case .rstStream: return .closed(.resetSent)
            default: return nil
            }
        case .reservedRemote:
            switch event {
            case .rstStream: return .closed(.resetSent)
            case .windowUpdate: return state
            default: return nil
            }
        case .open:
            switch event {
            case .headersEndStream, .dataEndStream: return .halfClosedLocal
            case .rstStream: return .closed(.resetSent)
            case .promised: return nil
            default: return .open
            }
        case .halfClosedLocal:
            switch event {
            case .rstStream: return .closed(.resetSent)
            case .windowUpdate, .continuation: return state
            default: return nil
            }
        case .halfClosedRemote:
            switch event {
            case .headersEndStream, .dataEndStream: return .closed(.endStream)
            case .rstStream: return .closed(.resetSent)
            case .promised: return nil
            default: return state
            }
        case .closed(.endStream):
            switch event {
            // CONTINUATION of the HEADERS that closed the stream; RST_STREAM answering a late frame.
            case .continuation, .rstStream: return state
            default: return nil
            }
        case .closed(.resetSent), .closed(.resetReceived):
            // RST_STREAM: the stream error answer to a late frame (§5.4.2).
            return event == .rstStream ? state : nil
        case .closed(.implicitly):
            return nil
        }
    }
}
